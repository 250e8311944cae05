#include "audit/audit_test_util.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "core/env.h"
#include "core/json_writer.h"

namespace finserve::audit::testing {

std::string TempDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  const char* base = std::getenv("TMPDIR");
  std::string dir = std::string(base ? base : "/tmp") + "/finserve-audit-" + tag + "-" + std::to_string(::getpid()) +
                    "-" + std::to_string(counter++);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TestKeys MakeKeys() {
  auto pair = GenerateEd25519();
  EXPECT_TRUE(pair.ok());
  auto signing = SigningKey::FromPem(pair->private_pem, "test");
  auto verify = VerifyKey::FromPem(pair->public_pem, "test.pub");
  EXPECT_TRUE(signing.ok() && verify.ok());
  return {std::make_shared<const SigningKey>(*signing), *verify};
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteAll(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void WriteLines(const std::string& path, const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  WriteAll(path, out);
}

bool WaitUntil(const std::function<bool()>& done) {
  const int64_t deadline = Env::Default()->NowMicros() + 20'000'000;
  while (!done()) {
    if (Env::Default()->NowMicros() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

std::string DecisionFields(int i) {
  JsonWriter w;
  w.BeginObject().Field("type", "decision").Field("request_id", "req-" + std::to_string(i));
  w.Field("model", "credit").Field("version", int64_t{1}).Field("score", 0.25 + i).EndObject();
  return w.Take();
}

LogOptions TestLogOptions(const std::string& dir, const TestKeys* keys, int64_t preallocate_bytes) {
  LogOptions o;
  o.directory = dir;
  o.group_commit_ms = 1;
  o.checkpoint_every_records = 5;
  o.preallocate_bytes = preallocate_bytes;
  o.signing_key = keys ? keys->signing : nullptr;
  return o;
}

VerifyReport MustVerify(const std::string& dir, const VerifyKey* key) {
  auto report = VerifyLog(dir, key);
  EXPECT_TRUE(report.ok()) << report.status().ToString();
  if (!report.ok()) return VerifyReport{};
  EXPECT_TRUE(report->ok()) << report->message;
  return *report;
}

}  // namespace finserve::audit::testing
