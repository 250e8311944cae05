// One case of the bad-input suite (tests/cases/bad_input/*.case; the format is described in
// tests/cases/bad_input/README.md): what to send, how, and what the server must answer.
#pragma once

#include <string>
#include <vector>

namespace finserve::testing {

struct BadInputCase {
  std::string name;         // file name without .case
  std::string description;  // the first comment line
  std::string kind = "request";  // request | slow | stall | idle
  int expect_status = 0;         // 0 = the server must close the connection without answering
  std::string expect_body;       // fragment of the answer's body
  std::vector<std::string> expect_headers;  // header names the answer must carry (lower case)
  std::string auth = "infer";    // infer | limited | none | basic | unknown
  int repeat = 1;                // send this many times (fresh connections); the last answer counts
  int count = 0;                 // idle: connections to open
  int interval_ms = 0;           // slow: pause between chunks
  int chunk = 1;                 // slow: bytes per chunk
  std::string head;              // request line and headers, "\n"-separated, macros unexpanded
  std::string body;              // macros unexpanded
};

// Parses a case file; on error returns false with `error` naming the file and line.
bool ParseBadInputCase(const std::string& path, BadInputCase* out, std::string* error);

// The bytes to send: macros expanded ({{repeat N TEXT}}, {{hex AA BB}}, {{length}} = body bytes),
// head lines joined with CRLF, an Authorization header for `auth_header` (if not empty) added after
// the request line, then CRLF CRLF and the body.
std::string BuildRequestBytes(const BadInputCase& c, const std::string& auth_header);

}  // namespace finserve::testing
