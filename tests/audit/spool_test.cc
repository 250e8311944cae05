#include "audit/spool.h"

#include <gtest/gtest.h>

#include "audit/audit_test_util.h"
#include "audit/log_files.h"
#include "audit/reader.h"
#include "audit/verifier.h"
#include "core/env.h"

namespace finserve::audit {
namespace {

TEST(Spool, EntriesFromOtherProcessesJoinTheChainOnce) {
  const std::string dir = testing::TempDir("spool");
  ASSERT_TRUE(WriteSpoolEntry(dir, R"({"type":"admin","action":"key_created","key":"app"})").ok());
  ASSERT_TRUE(WriteSpoolEntry(dir, R"({"type":"admin","action":"key_revoked","key":"app"})").ok());
  ASSERT_TRUE(WriteSpoolEntry(dir, R"({"type":"decision","forged":true})").ok());
  LogOptions o;
  o.directory = dir;
  auto log = AuditLog::Open(o);
  auto n = IngestSpool(dir, log->get());
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(*IngestSpool(dir, log->get()), 0);
  ASSERT_TRUE((*log)->Close().ok());
  EXPECT_EQ(Env::Default()->ListDirectory(dir + "/spool/rejected")->size(), 1u);
  auto report = VerifyLog(dir, nullptr);
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->records, 2u);
  const auto lines = testing::ReadLines(ListLogFiles(dir)->front().path);
  EXPECT_NE(lines[0].find("key_created"), std::string::npos);
  EXPECT_NE(lines[1].find("key_revoked"), std::string::npos);
}

TEST(Reader, FindsDecisionsByRequestIdAndRefusesEditedOnes) {
  const std::string dir = testing::TempDir("reader");
  LogOptions o;
  o.directory = dir;
  {
    auto log = AuditLog::Open(o);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE((*log)->Commit(testing::DecisionFields(i)).ok());
  }
  auto found = FindDecisions(dir, "req-1");
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().line, 2);
  EXPECT_EQ(found->front().record.seq, 2u);
  auto unknown = FindDecisions(dir, "req-9");
  EXPECT_EQ(unknown.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("'req-9'"), std::string::npos);
  const std::string path = ListLogFiles(dir)->front().path;
  auto lines = testing::ReadLines(path);
  lines[1].replace(lines[1].find("credit"), 6, "CREDIT");
  testing::WriteLines(path, lines);
  auto edited = FindDecisions(dir, "req-1");
  EXPECT_EQ(edited.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(edited.status().message().find(path + " line 2"), std::string::npos);
}

}  // namespace
}  // namespace finserve::audit
