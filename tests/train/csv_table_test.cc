#include "train/csv_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace finserve::train {
namespace {

using ::testing::HasSubstr;

CsvTable MustParse(std::string_view text, CsvOptions options = {}) {
  auto t = CsvTable::Parse(text, "t.csv", options);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : CsvTable();
}

TEST(CsvTableTest, QuotedFieldsEmbeddedCommasQuotesAndNewlines) {
  const CsvTable t = MustParse("\xEF\xBB\xBF\"a\",b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n1,,\"\"\n");
  ASSERT_EQ(t.num_rows(), 2);
  EXPECT_EQ(t.header(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(t.cell(0, 0), "x, y");
  EXPECT_EQ(t.cell(0, 1), "say \"hi\"");
  EXPECT_EQ(t.cell(0, 2), "two\nlines");
  EXPECT_TRUE(t.missing(1, 1));
  EXPECT_TRUE(t.missing(1, 2));  // a quoted empty cell is missing too
  EXPECT_EQ(t.Where(1, 0), "row 2 (line 4), column 'a'");
}

TEST(CsvTableTest, RaggedRowNamesRowLineAndCounts) {
  auto t = CsvTable::Parse("a,b,c\n1,2,3\n\n4,5\n", "credit.csv", {});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.status().message(), "credit.csv: row 2 (line 4) has 2 fields, the header has 3");
}

TEST(CsvTableTest, MalformedQuotingAndHeaders) {
  EXPECT_THAT(CsvTable::Parse("a,b\n\"open,1\n", "t.csv", {}).status().message(),
              HasSubstr("the quoted field opened on line 2 is never closed"));
  EXPECT_THAT(CsvTable::Parse("a,b\n\"x\"y,1\n", "t.csv", {}).status().message(), HasSubstr("line 2: text after the closing quote"));
  EXPECT_THAT(CsvTable::Parse("a,a\n1,2\n", "t.csv", {}).status().message(), HasSubstr("names column 'a' twice"));
  EXPECT_THAT(CsvTable::Parse("a,\n1,2\n", "t.csv", {}).status().message(), HasSubstr("header column 2 has no name"));
  EXPECT_THAT(CsvTable::Parse("", "t.csv", {}).status().message(), HasSubstr("empty"));
}

TEST(CsvTableTest, MemoryBudgetRefusesBigFilesAndBigTables) {
  std::string text = "a,b\n";
  for (int i = 0; i < 1000; ++i) text += std::to_string(i) + ",x\n";
  auto too_big = CsvTable::Parse(text, "big.csv", {.max_memory_bytes = 100});
  EXPECT_EQ(too_big.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(too_big.status().message(), HasSubstr("over the memory budget"));
  // The text fits but its cells do not: the error names the row where the budget ran out.
  auto cells = CsvTable::Parse(text, "big.csv", {.max_memory_bytes = static_cast<int64_t>(text.size()) + 2000});
  EXPECT_EQ(cells.status().code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(cells.status().message(), HasSubstr("at row "));
  EXPECT_TRUE(CsvTable::Parse(text, "big.csv", {}).ok());
}

TEST(CsvTableTest, SelectRowsKeepsLinesForMessages) {
  const CsvTable t = MustParse("a\n1\n2\n3\n");
  const CsvTable s = t.SelectRows({2, 0});
  ASSERT_EQ(s.num_rows(), 2);
  EXPECT_EQ(s.cell(0, 0), "3");
  EXPECT_EQ(s.Where(0, 0), "row 1 (line 4), column 'a'");
}

}  // namespace
}  // namespace finserve::train
