#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <limits>

#include "core/utf8.h"

namespace finserve {
namespace {

TEST(JsonWriterTest, NestedStructure) {
  JsonWriter w;
  w.BeginObject().Field("name", "m").Key("shape").BeginArray().Int(2).Int(3).EndArray();
  w.Key("data").BeginArray().Float(0.1f).Double(0.25).Null().Bool(true).EndArray();
  w.Key("empty").BeginObject().EndObject().EndObject();
  EXPECT_EQ(w.str(), R"({"name":"m","shape":[2,3],"data":[0.1,0.25,null,true],"empty":{}})");
}

TEST(JsonWriterTest, NonFiniteBecomesNull) {
  JsonWriter w;
  w.BeginArray().Float(std::numeric_limits<float>::quiet_NaN()).Double(-std::numeric_limits<double>::infinity());
  w.EndArray();
  EXPECT_EQ(w.str(), "[null,null]");
}

TEST(JsonWriterTest, EscapesStrings) {
  std::string out;
  AppendJsonString(&out, std::string_view("a\"b\\c\n\x01\xc3\xa9\xff", 10));
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\xef\xbf\xbd\"");
}

}  // namespace
}  // namespace finserve

namespace finserve {
namespace {

TEST(Utf8Test, ValidatesSequences) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));  // é € 😀
  EXPECT_FALSE(IsValidUtf8("\xff"));
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xe2\x82"));          // truncated
}

}  // namespace
}  // namespace finserve
