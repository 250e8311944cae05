#include "core/build_info.h"

#ifndef FINSERVE_VERSION
#define FINSERVE_VERSION "0.0.0"
#endif
#ifndef FINSERVE_BUILD_ID
#define FINSERVE_BUILD_ID "unknown"
#endif

namespace finserve {

std::string_view BuildVersion() { return FINSERVE_VERSION; }
std::string_view BuildId() { return FINSERVE_BUILD_ID; }

}  // namespace finserve
