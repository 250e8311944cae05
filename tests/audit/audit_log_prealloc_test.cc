// The audit log with preallocation (LogOptions::preallocate_bytes): records land in reserved
// zero-filled space, completed files are clean JSONL, and recovery tells a reserved tail from
// damage. Real files in a temporary directory.
#include <string>

#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "audit/audit_test_util.h"
#include "audit/log_files.h"
#include "audit/reader.h"
#include "audit/verifier.h"

namespace finserve::audit {
namespace {

// Every file holds its records and nothing else: no NUL byte, size equal to its data.
void ExpectCleanFiles(const std::string& dir) {
  const auto files = ListLogFiles(dir);
  ASSERT_TRUE(files.ok());
  for (const LogFile& f : *files) {
    const std::string contents = testing::ReadAll(f.path);
    EXPECT_EQ(contents.find('\0'), std::string::npos) << f.path;
    EXPECT_EQ(DataEnd(contents), contents.size()) << f.path;
    EXPECT_TRUE(contents.empty() || contents.back() == '\n') << f.path;
  }
}

std::string LastFile(const std::string& dir) { return ListLogFiles(dir)->back().path; }

TEST(AuditLogPrealloc, RecordsLandInReservedSpaceUnderEveryPolicyAndCloseTrimsIt) {
  for (FsyncPolicy policy : {FsyncPolicy::kAlways, FsyncPolicy::kGroup, FsyncPolicy::kInterval}) {
    const std::string dir = testing::TempDir("prealloc-log");
    auto keys = testing::MakeKeys();
    auto options = testing::TestLogOptions(dir, &keys, 256 << 10);
    options.fsync = policy;
    auto log = AuditLog::Open(options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    ASSERT_TRUE((*log)->Commit(testing::DecisionFields(0)).ok());
    ASSERT_TRUE(testing::WaitUntil([&] { return (*log)->preallocation().chunks > 0; }));
    for (int i = 1; i < 40; ++i) ASSERT_TRUE((*log)->Commit(testing::DecisionFields(i)).ok());
    EXPECT_GT((*log)->preallocation().ready_writes, 0u);
    // While the log is open its file ends with reserved zeros; a reader says so and verifies.
    const std::string contents = testing::ReadAll(LastFile(dir));
    EXPECT_GT(contents.size(), DataEnd(contents));
    const VerifyReport live = testing::MustVerify(dir, &keys.verify);
    ASSERT_EQ(live.reserved_tails.size(), 1u);
    EXPECT_EQ(live.reserved_tails[0].bytes, contents.size() - DataEnd(contents));
    EXPECT_NE(FormatReport(live).find("reserved zero bytes"), std::string::npos);
    auto found = FindDecisions(dir, "req-39");  // `audit show` on the running log
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    EXPECT_EQ(found->size(), 1u);
    ASSERT_TRUE((*log)->Close().ok());
    ExpectCleanFiles(dir);
    const VerifyReport done = testing::MustVerify(dir, &keys.verify);
    EXPECT_EQ(done.records - done.checkpoints, 40u);
    EXPECT_TRUE(done.reserved_tails.empty());
  }
}

TEST(AuditLogPrealloc, RotationLeavesCleanFilesAndTheChainSpansThem) {
  const std::string dir = testing::TempDir("prealloc-rotate");
  auto keys = testing::MakeKeys();
  auto options = testing::TestLogOptions(dir, &keys, 64 << 10);
  options.max_file_bytes = 4000;
  options.fsync = FsyncPolicy::kAlways;
  auto log = AuditLog::Open(options);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 60; ++i) ASSERT_TRUE((*log)->Commit(testing::DecisionFields(i)).ok());
  const auto files = *ListLogFiles(dir);
  ASSERT_GE(files.size(), 3u);
  for (size_t i = 0; i + 1 < files.size(); ++i) {  // every file but the one being written
    const std::string contents = testing::ReadAll(files[i].path);
    EXPECT_EQ(contents.find('\0'), std::string::npos) << files[i].path;
  }
  ASSERT_TRUE((*log)->Close().ok());
  ExpectCleanFiles(dir);
  EXPECT_EQ(testing::MustVerify(dir, &keys.verify).files, files.size());
}

// A crash leaves records, maybe the start of a record, then reserved zeros. The next Open saves
// and cuts the torn record, trims the zeros, and continues the chain in the same file.
TEST(AuditLogPrealloc, RecoveryCutsATornRecordBeforeTheZerosAndContinues) {
  for (const std::string& torn : {std::string(R"({"seq":4,"prev":"ab)"), std::string()}) {
    const std::string dir = testing::TempDir("prealloc-crash");
    {
      auto log = AuditLog::Open(testing::TestLogOptions(dir, nullptr, 0));
      for (int i = 0; i < 3; ++i) ASSERT_TRUE((*log)->Commit(testing::DecisionFields(i)).ok());
    }
    const std::string path = LastFile(dir);
    const std::string good = testing::ReadAll(path);
    const std::string zeros(300'000, '\0');
    testing::WriteAll(path, good + torn + zeros);
    auto before = VerifyLog(dir, nullptr);
    ASSERT_TRUE(before.ok());
    EXPECT_EQ(before->ok(), torn.empty()) << before->message;  // a torn record is reported until recovery
    ASSERT_EQ(before->reserved_tails.size(), 1u);
    EXPECT_EQ(before->reserved_tails[0].bytes, zeros.size());
    auto log = AuditLog::Open(testing::TestLogOptions(dir, nullptr, 64 << 10));
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    const Recovery& r = (*log)->recovery();
    EXPECT_EQ(r.last_seq, 3u);
    EXPECT_EQ(r.reserved_trimmed_bytes, zeros.size());
    if (torn.empty()) {
      EXPECT_TRUE(r.torn_file.empty());
    } else {
      EXPECT_EQ(r.torn_file, path);
      EXPECT_EQ(r.torn_offset, good.size());
      EXPECT_EQ(r.torn_bytes, torn.size());
      EXPECT_EQ(testing::ReadAll(r.torn_saved_to), torn);
    }
    EXPECT_EQ(testing::ReadAll(path), good);
    ASSERT_TRUE((*log)->Commit(testing::DecisionFields(4)).ok());
    ASSERT_TRUE((*log)->Close().ok());
    EXPECT_EQ(ListLogFiles(dir)->size(), 1u);  // the same file, continued
    ExpectCleanFiles(dir);
    EXPECT_EQ(testing::MustVerify(dir, nullptr).last_seq, 4u);
  }
}

// NUL bytes followed by records are damage, not reserved space: the writer refuses to start and
// the verifier names the line.
TEST(AuditLogPrealloc, ANulRunInTheMiddleIsCorruption) {
  using namespace std::string_literals;
  const std::string dir = testing::TempDir("prealloc-nul");
  {
    auto log = AuditLog::Open(testing::TestLogOptions(dir, nullptr, 0));
    for (int i = 0; i < 4; ++i) ASSERT_TRUE((*log)->Commit(testing::DecisionFields(i)).ok());
  }
  const std::string path = LastFile(dir);
  auto lines = testing::ReadLines(path);
  ASSERT_EQ(lines.size(), 4u);
  lines.insert(lines.begin() + 2, std::string(4096, '\0'));
  testing::WriteLines(path, lines);
  auto log = AuditLog::Open(testing::TestLogOptions(dir, nullptr, 64 << 10));
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(log.status().message().find(path + " line 3"), std::string::npos) << log.status().message();
  auto report = VerifyLog(dir, nullptr);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->problem, ProblemKind::kUnreadable);
  EXPECT_EQ(report->where.line, 3);
}

// When the filler cannot keep ahead (records larger than the margin and a chunk), every record is still
// stored, as plain appends, and the files end clean.
TEST(AuditLogPrealloc, FallingBehindStillStoresEveryRecord) {
  const std::string dir = testing::TempDir("prealloc-behind");
  auto keys = testing::MakeKeys();
  auto options = testing::TestLogOptions(dir, &keys, 4096);
  options.fsync = FsyncPolicy::kAlways;
  auto log = AuditLog::Open(options);
  ASSERT_TRUE(log.ok());
  const std::string big = R"({"type":"decision","note":")" + std::string(20000, 'n') + R"("})";
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE((*log)->Commit(i % 3 == 0 ? big : testing::DecisionFields(i)).ok());
  }
  EXPECT_GE((*log)->preallocation().unready_writes, 10u);
  ASSERT_TRUE((*log)->Close().ok());
  ExpectCleanFiles(dir);
  const VerifyReport report = testing::MustVerify(dir, &keys.verify);
  EXPECT_EQ(report.records - report.checkpoints, 30u);
}

}  // namespace
}  // namespace finserve::audit
