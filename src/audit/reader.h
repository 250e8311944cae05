// Reading the audit log back: the records of one request id (for `finserve audit show` and
// `replay`), with the file and line they sit in. Scans the files (a request id is not indexed);
// each candidate line is parsed and its own hash checked, so an edited record is never shown as
// genuine. Pure; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "audit/record.h"
#include "core/status.h"

namespace finserve::audit {

struct FoundRecord {
  ParsedRecord record;
  std::string file;
  int64_t line = 0;
};

// Decision records whose request_id (the X-Request-Id) or client_id (the body's "id") is `id`.
// NotFound names the id and directory. An altered or unreadable matching line is DataLoss.
Result<std::vector<FoundRecord>> FindDecisions(const std::string& directory, const std::string& id);

}  // namespace finserve::audit
