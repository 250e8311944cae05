#include "audit/audit_log.h"

#include <sched.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "audit/audit_test_util.h"
#include "audit/log_files.h"
#include "audit/verifier.h"
#include "core/metrics.h"

namespace finserve::audit {
namespace {

// The value of one series (`name{labels}` exactly as rendered) in a Prometheus text exposition.
double Sample(const std::string& text, const std::string& series) {
  const std::string prefix = "\n" + series + " ";
  const size_t at = text.find(prefix);
  if (at == std::string::npos) {
    ADD_FAILURE() << series << " not in:\n" << text;
    return -1;
  }
  return std::stod(text.substr(at + prefix.size()));
}

// Every batch is synced and opens a new file, so a directory put where the next file goes fails
// that batch's write (EISDIR, even as root).
LogOptions FilePerBatchOptions(const std::string& dir, const testing::TestKeys& keys) {
  auto options = testing::TestLogOptions(dir, &keys);
  options.max_file_bytes = 1;
  options.fsync = FsyncPolicy::kAlways;
  return options;
}

TEST(AuditLog, CommitsChainsAndCheckpointsAcrossRestarts) {
  const std::string dir = testing::TempDir("log");
  auto keys = testing::MakeKeys();
  for (int run = 0; run < 2; ++run) {
    auto log = AuditLog::Open(testing::TestLogOptions(dir, &keys));
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int i = 0; i < 12; ++i) ASSERT_TRUE((*log)->Commit(testing::DecisionFields(i)).ok());
    ASSERT_TRUE((*log)->Close().ok());
  }
  const VerifyReport report = testing::MustVerify(dir, &keys.verify);
  // 24 decisions; a checkpoint after every 5 and one at each close.
  EXPECT_EQ(report.records - report.checkpoints, 24u);
  EXPECT_GE(report.checkpoints, 6u);
  EXPECT_EQ(report.unsigned_tail, 0u);
  ASSERT_TRUE(report.last_good_checkpoint.has_value());
  EXPECT_EQ(report.last_good_checkpoint->seq, report.last_seq);
}

TEST(AuditLog, AlwaysPolicyMakesEachRecordDurableBeforeCommitReturns) {
  const std::string dir = testing::TempDir("always");
  auto options = testing::TestLogOptions(dir, nullptr);
  options.fsync = FsyncPolicy::kAlways;
  auto log = AuditLog::Open(options);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 3; ++i) {
    auto seq = (*log)->Commit(testing::DecisionFields(i));
    ASSERT_TRUE(seq.ok());
    EXPECT_EQ((*log)->durable_seq(), *seq);
  }
}

TEST(AuditLog, ConcurrentWritersGetUniqueConsecutiveSeqs) {
  const std::string dir = testing::TempDir("concurrent");
  auto keys = testing::MakeKeys();
  auto log = AuditLog::Open(testing::TestLogOptions(dir, &keys));
  ASSERT_TRUE(log.ok());
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<uint64_t> seqs;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        auto seq = (*log)->Commit(testing::DecisionFields(t * 1000 + i));
        ASSERT_TRUE(seq.ok());
        std::lock_guard lock(mu);
        EXPECT_TRUE(seqs.insert(*seq).second);
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE((*log)->Close().ok());
  EXPECT_EQ(seqs.size(), 400u);
  testing::MustVerify(dir, &keys.verify);
}

// Request threads hand their records over and go on; every callback comes once, from the flusher,
// after its record is stored, in seq order, under every policy.
TEST(AuditLog, AsyncCommitsAnswerEachRecordOnceAfterItIsStored) {
  for (FsyncPolicy policy : {FsyncPolicy::kAlways, FsyncPolicy::kGroup, FsyncPolicy::kInterval}) {
    const std::string dir = testing::TempDir("async");
    auto keys = testing::MakeKeys();
    auto options = testing::TestLogOptions(dir, &keys);
    options.fsync = policy;
    auto log = AuditLog::Open(options);
    ASSERT_TRUE(log.ok());
    std::mutex mu;
    std::condition_variable cv;
    std::vector<uint64_t> stored;
    bool stored_before_callback = true;
    const std::thread::id caller = std::this_thread::get_id();
    bool on_caller_thread = false;
    constexpr int kRecords = 300;
    for (int i = 0; i < kRecords; ++i) {
      (*log)->CommitAsync(testing::DecisionFields(i), [&](Result<uint64_t> seq) {
        ASSERT_TRUE(seq.ok()) << seq.status().ToString();
        std::lock_guard lock(mu);
        if ((*log)->durable_seq() < *seq) stored_before_callback = false;
        if (std::this_thread::get_id() == caller) on_caller_thread = true;
        stored.push_back(*seq);
        cv.notify_all();
      });
    }
    {
      std::unique_lock lock(mu);
      ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30), [&] { return stored.size() == kRecords; }));
    }
    EXPECT_TRUE(stored_before_callback);
    EXPECT_FALSE(on_caller_thread);
    EXPECT_TRUE(std::is_sorted(stored.begin(), stored.end()));
    EXPECT_EQ(std::set<uint64_t>(stored.begin(), stored.end()).size(), static_cast<size_t>(kRecords));
    ASSERT_TRUE((*log)->Close().ok());
    const VerifyReport report = testing::MustVerify(dir, &keys.verify);
    EXPECT_EQ(report.records - report.checkpoints, static_cast<uint64_t>(kRecords));
    EXPECT_EQ(report.unsigned_tail, 0u);
  }
}

// kInterval answers once the record is written to the OS, before any fdatasync: with an interval
// of a minute, the records are in the file when Commit returns, and Close syncs them.
TEST(AuditLog, IntervalPolicyAnswersOnceWrittenAndSyncsOnClose) {
  const std::string dir = testing::TempDir("interval");
  auto options = testing::TestLogOptions(dir, nullptr);
  options.fsync = FsyncPolicy::kInterval;
  options.group_commit_ms = 60'000;
  auto log = AuditLog::Open(options);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*log)->Commit(testing::DecisionFields(i)).ok());
  auto files = ListLogFiles(dir);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ(testing::MustVerify(dir, nullptr).last_seq, 3u);  // readable by another process already
  ASSERT_TRUE((*log)->Close().ok());
  EXPECT_EQ(testing::MustVerify(dir, nullptr).last_seq, 3u);
}

// A closed log refuses at once, on the caller's thread.
TEST(AuditLog, AsyncCommitToAClosedLogIsRefusedAtOnce) {
  const std::string dir = testing::TempDir("closed");
  auto log = AuditLog::Open(testing::TestLogOptions(dir, nullptr));
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->Close().ok());
  bool called = false;
  (*log)->CommitAsync(testing::DecisionFields(1), [&](Result<uint64_t> seq) {
    called = true;
    EXPECT_EQ(seq.status().code(), StatusCode::kUnavailable);
  });
  EXPECT_TRUE(called);
}

TEST(AuditLog, RotatesBySizeAndTheChainSpansFiles) {
  const std::string dir = testing::TempDir("rotate");
  auto keys = testing::MakeKeys();
  auto options = testing::TestLogOptions(dir, &keys);
  options.max_file_bytes = 600;
  options.fsync = FsyncPolicy::kAlways;
  auto log = AuditLog::Open(options);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*log)->Commit(testing::DecisionFields(i)).ok());
  ASSERT_TRUE((*log)->Close().ok());
  auto files = ListLogFiles(dir);
  ASSERT_TRUE(files.ok());
  EXPECT_GE(files->size(), 5u);
  EXPECT_EQ(testing::MustVerify(dir, &keys.verify).files, files->size());
}

TEST(AuditLog, TornTailIsReportedSavedAndTruncated) {
  const std::string dir = testing::TempDir("torn");
  {
    auto log = AuditLog::Open(testing::TestLogOptions(dir, nullptr));
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*log)->Commit(testing::DecisionFields(i)).ok());
  }
  auto files = ListLogFiles(dir);
  ASSERT_EQ(files->size(), 1u);
  const std::string path = files->front().path;
  const std::string good = testing::ReadAll(path);
  const std::string torn = R"({"seq":4,"prev":"ab)";  // a crash mid-write
  testing::WriteAll(path, good + torn);
  auto log = AuditLog::Open(testing::TestLogOptions(dir, nullptr));
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  const Recovery& r = (*log)->recovery();
  EXPECT_EQ(r.torn_file, path);
  EXPECT_EQ(r.torn_offset, good.size());
  EXPECT_EQ(r.torn_bytes, torn.size());
  EXPECT_EQ(r.last_seq, 3u);
  EXPECT_EQ(testing::ReadAll(r.torn_saved_to), torn);
  EXPECT_EQ(testing::ReadAll(path), good);
  ASSERT_TRUE((*log)->Commit(testing::DecisionFields(4)).ok());
  ASSERT_TRUE((*log)->Close().ok());
  EXPECT_EQ(testing::MustVerify(dir, nullptr).last_seq, 4u);
}

TEST(AuditLog, DamageBeforeGoodRecordsIsRefusedNotTruncated) {
  const std::string dir = testing::TempDir("damage");
  {
    auto log = AuditLog::Open(testing::TestLogOptions(dir, nullptr));
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*log)->Commit(testing::DecisionFields(i)).ok());
  }
  const std::string path = ListLogFiles(dir)->front().path;
  auto lines = testing::ReadLines(path);
  lines[1] = "garbage";
  testing::WriteLines(path, lines);
  auto log = AuditLog::Open(testing::TestLogOptions(dir, nullptr));
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(log.status().message().find(path + " line 2"), std::string::npos) << log.status().message();
  EXPECT_NE(log.status().message().find("not a torn write"), std::string::npos);
}

TEST(AuditLog, OneWriterPerDirectory) {
  const std::string dir = testing::TempDir("lock");
  auto first = AuditLog::Open(testing::TestLogOptions(dir, nullptr));
  ASSERT_TRUE(first.ok());
  auto second = AuditLog::Open(testing::TestLogOptions(dir, nullptr));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.status().message().find("in use by another process"), std::string::npos);
}

TEST(AuditLog, FailedWriteFailsItsRecordsAndLeavesNoTrace) {
  const std::string dir = testing::TempDir("fail");
  auto keys = testing::MakeKeys();
  auto options = FilePerBatchOptions(dir, keys);
  auto log = AuditLog::Open(options);
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE((*log)->Commit(testing::DecisionFields(1)).ok());
  const std::string blocker = dir + "/" + LogFileName(Env::Default()->NowUnixMicros(), 2);
  std::filesystem::create_directory(blocker);
  auto failed = (*log)->Commit(testing::DecisionFields(2));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(failed.status().message().find(blocker), std::string::npos) << failed.status().message();
  std::filesystem::remove(blocker);
  auto next = (*log)->Commit(testing::DecisionFields(3));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, 2u);  // the failed record left no gap
  ASSERT_TRUE((*log)->Close().ok());
  testing::MustVerify(dir, &keys.verify);
}

TEST(AuditLog, MetricsCountWhatTheLogHoldsAndWhatItLost) {
  const std::string dir = testing::TempDir("metrics");
  auto keys = testing::MakeKeys();
  auto options = FilePerBatchOptions(dir, keys);
  auto registry = std::make_shared<MetricsRegistry>();
  options.metrics = registry;
  auto log = AuditLog::Open(options);
  ASSERT_TRUE(log.ok());
  for (int i = 0; i < 7; ++i) ASSERT_TRUE((*log)->Commit(testing::DecisionFields(i)).ok());
  // A batch that cannot be written: a directory where its file goes.
  const std::string blocker = dir + "/" + LogFileName(Env::Default()->NowUnixMicros(), (*log)->durable_seq() + 1);
  std::filesystem::create_directory(blocker);
  ASSERT_FALSE((*log)->Commit(testing::DecisionFields(7)).ok());
  std::filesystem::remove(blocker);
  ASSERT_TRUE((*log)->Commit(testing::DecisionFields(8)).ok());
  ASSERT_TRUE((*log)->Close().ok());
  const VerifyReport report = testing::MustVerify(dir, &keys.verify);
  uint64_t file_bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".jsonl") file_bytes += entry.file_size();
  }
  ASSERT_GT(file_bytes, 0u);

  const std::string text = "\n" + registry->RenderText();
  EXPECT_EQ(Sample(text, "finserve_audit_records_total{outcome=\"stored\"}"), static_cast<double>(report.records));
  EXPECT_EQ(Sample(text, "finserve_audit_records_total{outcome=\"failed\"}"), 1);
  EXPECT_EQ(Sample(text, "finserve_audit_checkpoints_total"), static_cast<double>(report.checkpoints));
  EXPECT_EQ(Sample(text, "finserve_audit_stored_sequence"), static_cast<double>(report.last_seq));
  EXPECT_EQ(Sample(text, "finserve_audit_written_bytes_total"), static_cast<double>(file_bytes));
  EXPECT_EQ(Sample(text, "finserve_audit_batch_records_sum"), static_cast<double>(report.records));
  // kAlways: each stored batch was fdatasynced (and each file again as it was left).
  const double batches = Sample(text, "finserve_audit_batch_records_count");
  EXPECT_GE(batches, 8);
  EXPECT_GE(Sample(text, "finserve_audit_fdatasync_duration_seconds_count"), batches);
  EXPECT_EQ(Sample(text, "finserve_audit_batch_wait_seconds_count"), batches);
  EXPECT_EQ(Sample(text, "finserve_audit_sync_failures_total"), 0);
}

// The flusher shows as "audit-flusher" (top -H, perf) and does not preempt request threads when a
// record wakes it (SCHED_BATCH), so that records queued together share a write.
TEST(AuditLog, FlusherIsANamedBatchThread) {
  auto log = AuditLog::Open(testing::TestLogOptions(testing::TempDir("sched"), nullptr));
  ASSERT_TRUE(log.ok());
  // The thread names and schedules itself as it starts.
  std::vector<int> policies;
  EXPECT_TRUE(testing::WaitUntil([&] {
    policies.clear();
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
      if (testing::ReadAll(task.path().string() + "/comm") != "audit-flusher\n") continue;
      policies.push_back(::sched_getscheduler(std::stoi(task.path().filename().string())));
    }
    return policies == std::vector<int>{SCHED_BATCH};
  })) << "threads named audit-flusher: " << policies.size();
}

TEST(AuditLog, TimedCheckpointsSignAnIdleTail) {
  const std::string dir = testing::TempDir("timed");
  auto keys = testing::MakeKeys();
  auto options = testing::TestLogOptions(dir, &keys);
  options.checkpoint_every_records = 1000;
  options.checkpoint_interval_ms = 5;
  auto log = AuditLog::Open(options);
  ASSERT_TRUE((*log)->Commit(testing::DecisionFields(1)).ok());
  // Wait (with a deadline) until the timer's checkpoint is durable.
  const int64_t deadline = Env::Default()->NowMicros() + 10'000'000;
  while ((*log)->durable_seq() < 2 && Env::Default()->NowMicros() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ((*log)->durable_seq(), 2u);
  auto report = VerifyLog(dir, &keys.verify);
  EXPECT_TRUE(report->ok()) << report->message;
  EXPECT_EQ(report->checkpoints, 1u);
}

}  // namespace
}  // namespace finserve::audit
