// Request ids for the X-Request-Id header: a client's id is kept when it is printable and at
// most 128 characters; otherwise (or when absent) a new one is generated: 32 hex digits, unique
// within the process and unpredictable across processes. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace finserve::http {

std::string NewRequestId();
std::string SanitizeRequestId(std::string_view client_id);

}  // namespace finserve::http
