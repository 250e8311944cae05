// Helpers for the audit tests: fresh temporary directories, a fresh Ed25519 key, and file edits
// (the tamper cases) expressed as operations on lines.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/crypto.h"
#include "audit/verifier.h"

namespace finserve::audit::testing {

// A new empty directory under the test temp dir (removed at exit is not needed: ctest's tmp).
std::string TempDir(const std::string& tag);

struct TestKeys {
  std::shared_ptr<const SigningKey> signing;
  VerifyKey verify;
};
TestKeys MakeKeys();

std::string ReadAll(const std::string& path);
void WriteAll(const std::string& path, const std::string& contents);
std::vector<std::string> ReadLines(const std::string& path);
void WriteLines(const std::string& path, const std::vector<std::string>& lines);

// Polls `done` until it holds or 20 s pass (then false): for what a background thread does.
bool WaitUntil(const std::function<bool()>& done);

// A small decision-like record.
std::string DecisionFields(int i);

// Log options for tests: 1 ms group window, a checkpoint every 5 records (signed with `keys` when
// given), `preallocate_bytes` of reserved space (0: plain appends).
LogOptions TestLogOptions(const std::string& dir, const TestKeys* keys, int64_t preallocate_bytes = 0);
// Verifies the log in `dir`, failing the test unless it verifies; returns the report.
VerifyReport MustVerify(const std::string& dir, const VerifyKey* key);

}  // namespace finserve::audit::testing
