// Helpers shared by the auth tests: a settable clock and temp directories.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

#include "serving/auth/fake_clock_env.h"

namespace finserve::testing {

inline std::string MakeTempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  return mkdtemp(buf.data());
}

}  // namespace finserve::testing
