// The tamper cases of docs/audit.md: each edit of a real log is found, named and located.
#include "audit/verifier.h"

#include <functional>

#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "audit/audit_test_util.h"
#include "audit/log_files.h"
#include "audit/reader.h"
#include "audit/record.h"

namespace finserve::audit {
namespace {

class VerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir("verify");
    LogOptions o;
    o.directory = dir_;
    o.checkpoint_every_records = 4;
    o.signing_key = keys_.signing;
    auto log = AuditLog::Open(o);
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE((*log)->Commit(testing::DecisionFields(i)).ok());
    ASSERT_TRUE((*log)->Close().ok());
    path_ = ListLogFiles(dir_)->front().path;
    lines_ = testing::ReadLines(path_);
    // seq 1-4 decisions, 5 checkpoint, 6-9, 10 checkpoint, 11-12, 13 final checkpoint
    ASSERT_EQ(lines_.size(), 13u);
  }

  VerifyReport Verify(const VerifyKey* key) {
    auto r = VerifyLog(dir_, key);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return *r;
  }

  // Rewrites the log from line `from` on as someone without the signing key would: `edit` changes
  // a record's fields, then every record from there is sealed again onto the new chain.
  void Rechain(size_t from, const std::function<void(size_t, nlohmann::json*)>& edit) {
    std::string prev = std::string(kGenesisHash);
    std::vector<std::string> rewritten;
    for (size_t i = 0; i < lines_.size(); ++i) {
      ParsedRecord r;
      std::string problem;
      ASSERT_EQ(ParseRecordLine(lines_[i], &r, &problem), LineProblem::kNone);
      if (i < from) {
        rewritten.push_back(lines_[i]);
        prev = r.hash;
        continue;
      }
      nlohmann::json fields = r.doc;
      fields.erase("seq");
      fields.erase("prev");
      fields.erase("hash");
      edit(i, &fields);
      std::string hash;
      std::string line = SealRecord(r.seq, prev, fields.dump(), &hash);
      line.pop_back();
      rewritten.push_back(line);
      prev = hash;
    }
    testing::WriteLines(path_, rewritten);
  }

  testing::TestKeys keys_ = testing::MakeKeys();
  std::string dir_, path_;
  std::vector<std::string> lines_;
};

TEST_F(VerifierTest, IntactLogVerifies) {
  const VerifyReport r = Verify(&keys_.verify);
  EXPECT_TRUE(r.ok()) << r.message;
  EXPECT_EQ(r.records, 13u);
  EXPECT_EQ(r.checkpoints, 3u);
  EXPECT_EQ(r.last_good_checkpoint->seq, 13u);
  EXPECT_NE(FormatReport(r).find("OK: 13 records in 1 files"), std::string::npos) << FormatReport(r);
}

TEST_F(VerifierTest, EditingOneByteIsFoundAtThatRecord) {
  const size_t at = lines_[6].find("req-");
  lines_[6][at + 4] = lines_[6][at + 4] == '9' ? '8' : '9';
  testing::WriteLines(path_, lines_);
  const VerifyReport r = Verify(&keys_.verify);
  EXPECT_EQ(r.problem, ProblemKind::kAltered);
  EXPECT_EQ(r.where.seq, 7u);
  EXPECT_EQ(r.where.line, 7);
  EXPECT_NE(r.message.find(path_ + " line 7"), std::string::npos) << r.message;
  EXPECT_EQ(r.last_good_checkpoint->seq, 5u);
}

TEST_F(VerifierTest, DeletingOneRecordIsFoundAsMissing) {
  lines_.erase(lines_.begin() + 2);
  testing::WriteLines(path_, lines_);
  const VerifyReport r = Verify(&keys_.verify);
  EXPECT_EQ(r.problem, ProblemKind::kMissing);
  EXPECT_NE(r.message.find("record 3 missing"), std::string::npos) << r.message;
}

TEST_F(VerifierTest, SwappingTwoRecordsIsFoundAsReordered) {
  std::swap(lines_[7], lines_[8]);
  testing::WriteLines(path_, lines_);
  const VerifyReport r = Verify(&keys_.verify);
  EXPECT_EQ(r.problem, ProblemKind::kReordered);
  EXPECT_NE(r.message.find("seq 9 comes before seq 8"), std::string::npos) << r.message;
}

// An attacker without the signing key edits a decision and recomputes every hash after it: the
// chain is consistent again, but the next checkpoint's signature no longer covers it.
TEST_F(VerifierTest, RechainingWithoutTheKeyIsFoundAtTheNextCheckpoint) {
  // Records before line 6 stay as they are; the "decision" of line 6 is changed.
  Rechain(6, [](size_t i, nlohmann::json* fields) {
    if (i == 6) (*fields)["score"] = 0.01;
  });
  // Without the public key the chain looks fine ...
  EXPECT_TRUE(Verify(nullptr).ok());
  // ... with it, the checkpoint after the edit fails and the last good one is named.
  const VerifyReport r = Verify(&keys_.verify);
  EXPECT_EQ(r.problem, ProblemKind::kBadSignature);
  EXPECT_EQ(r.where.seq, 10u);
  EXPECT_EQ(r.last_good_checkpoint->seq, 5u);
  EXPECT_NE(r.message.find("last good checkpoint (seq 5"), std::string::npos) << r.message;
}

// A re-chained log whose members have other types than the writer's (a number for a string, a
// string for a count) is reported, never a crash of verify or of the lookups `audit show` uses.
TEST_F(VerifierTest, RechainedMembersOfTheWrongTypeAreReportedNotThrown) {
  Rechain(0, [](size_t, nlohmann::json* fields) {
    for (const char* key : {"time", "request_id", "client_id", "key_id", "signature"}) {
      if (fields->contains(key)) (*fields)[key] = nlohmann::json::array({1, 2});
    }
    if (fields->contains("every_records")) (*fields)["every_records"] = "four";
  });
  const VerifyReport r = Verify(&keys_.verify);
  EXPECT_EQ(r.problem, ProblemKind::kBadSignature) << r.message;
  EXPECT_EQ(r.where.seq, 5u);
  auto found = FindDecisions(dir_, "req-1");  // its request_id is an array now
  EXPECT_EQ(found.status().code(), StatusCode::kNotFound) << found.status().ToString();
}

TEST_F(VerifierTest, CheckpointFromAnotherKeyIsNamed) {
  auto other = testing::MakeKeys();
  const VerifyReport r = Verify(&other.verify);
  EXPECT_EQ(r.problem, ProblemKind::kBadSignature);
  EXPECT_NE(r.message.find(keys_.verify.key_id()), std::string::npos) << r.message;
  EXPECT_NE(r.message.find(other.verify.key_id()), std::string::npos) << r.message;
  EXPECT_FALSE(r.last_good_checkpoint.has_value());
}

TEST_F(VerifierTest, TruncatedLastRecordIsFound) {
  std::string contents = testing::ReadAll(path_);
  testing::WriteAll(path_, contents.substr(0, contents.size() - 30));
  const VerifyReport r = Verify(&keys_.verify);
  EXPECT_EQ(r.problem, ProblemKind::kUnreadable);
  EXPECT_EQ(r.where.line, 13);
  EXPECT_NE(r.message.find("truncated record (where seq 13 should be)"), std::string::npos) << r.message;
}

TEST_F(VerifierTest, RemovedCheckpointsAreFound) {
  lines_.erase(lines_.begin() + 9);  // checkpoint seq 10
  std::string prev;
  std::vector<std::string> rewritten;
  uint64_t seq = 0;
  for (const auto& line : lines_) {
    ParsedRecord r;
    std::string problem;
    ASSERT_EQ(ParseRecordLine(line, &r, &problem), LineProblem::kNone);
    nlohmann::json fields = r.doc;
    for (const char* k : {"seq", "prev", "hash"}) fields.erase(k);
    std::string hash;
    ++seq;
    std::string sealed = SealRecord(seq, seq == 1 ? std::string(kGenesisHash) : prev, fields.dump(), &hash);
    sealed.pop_back();
    rewritten.push_back(sealed);
    prev = hash;
  }
  testing::WriteLines(path_, rewritten);
  const VerifyReport r = Verify(nullptr);
  EXPECT_EQ(r.problem, ProblemKind::kCheckpointMissing) << r.message;
}

TEST_F(VerifierTest, NoCheckpointAtAllFailsWithAKey) {
  const std::string dir = testing::TempDir("nokey");
  LogOptions o;
  o.directory = dir;
  auto log = AuditLog::Open(o);
  ASSERT_TRUE((*log)->Commit(testing::DecisionFields(1)).ok());
  ASSERT_TRUE((*log)->Close().ok());
  auto r = VerifyLog(dir, &keys_.verify);
  EXPECT_EQ(r->problem, ProblemKind::kNoCheckpoint);
  EXPECT_TRUE(VerifyLog(dir, nullptr)->ok());
}

}  // namespace
}  // namespace finserve::audit
