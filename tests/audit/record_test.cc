#include "audit/record.h"

#include <gtest/gtest.h>

#include "core/sha256.h"

namespace finserve::audit {
namespace {

TEST(Record, SealedLineParsesAndHashCoversTheBytes) {
  std::string hash;
  const std::string line = SealRecord(7, kGenesisHash, R"({"type":"decision","score":0.5})", &hash);
  ASSERT_EQ(line.back(), '\n');
  const std::string text = line.substr(0, line.size() - 1);
  ParsedRecord r;
  std::string problem;
  ASSERT_EQ(ParseRecordLine(text, &r, &problem), LineProblem::kNone) << problem;
  EXPECT_EQ(r.seq, 7u);
  EXPECT_EQ(r.prev, kGenesisHash);
  EXPECT_EQ(r.hash, hash);
  EXPECT_EQ(r.type, "decision");
  EXPECT_EQ(r.doc["score"], 0.5);
  EXPECT_EQ(hash, Sha256Hex(text.substr(0, text.size() - kHashSuffixSize)));
}

TEST(Record, AnyEditedByteIsDetected) {
  std::string hash;
  const std::string line = SealRecord(1, kGenesisHash, R"({"type":"decision","decision":"decline"})", &hash);
  const std::string text = line.substr(0, line.size() - 1);
  int altered = 0, unreadable = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    std::string edited = text;
    edited[i] = edited[i] == 'a' ? 'b' : 'a';
    ParsedRecord r;
    std::string problem;
    const LineProblem p = ParseRecordLine(edited, &r, &problem);
    ASSERT_NE(p, LineProblem::kNone) << "byte " << i;
    (p == LineProblem::kAltered ? altered : unreadable)++;
  }
  EXPECT_GT(altered, 10);
}

TEST(Record, CutOffLinesAreNotRecords) {
  std::string hash;
  const std::string line = SealRecord(1, kGenesisHash, R"({"type":"admin"})", &hash);
  ParsedRecord r;
  std::string problem;
  EXPECT_EQ(ParseRecordLine(line.substr(0, line.size() - 10), &r, &problem), LineProblem::kNotARecord);
  EXPECT_EQ(ParseRecordLine("", &r, &problem), LineProblem::kNotARecord);
  EXPECT_EQ(ParseRecordLine("{}", &r, &problem), LineProblem::kNotARecord);
}

}  // namespace
}  // namespace finserve::audit
