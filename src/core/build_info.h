// What build of finserve is running: the release version and the source revision it was built
// from (git commit, "+dirty" when the tree had uncommitted changes at configure time).
#pragma once

#include <string_view>

namespace finserve {

std::string_view BuildVersion();  // "0.1.0"
std::string_view BuildId();       // "3f41fc7" or "3f41fc7+dirty" or "unknown"

}  // namespace finserve
