#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

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

TEST(JsonWriterTest, MembersJoinTheOpenObject) {
  JsonWriter fragment;
  fragment.BeginObject().Field("a", int64_t{1}).Key("b").BeginArray().Int(2).EndArray().EndObject();
  const std::string members = fragment.str().substr(1, fragment.str().size() - 2);
  for (const bool first : {true, false}) {
    JsonWriter w;
    w.BeginObject();
    if (!first) w.Field("x", "y");
    w.Members(members).Members("").Field("z", true).EndObject();
    EXPECT_EQ(w.str(), first ? R"({"a":1,"b":[2],"z":true})" : R"({"x":"y","a":1,"b":[2],"z":true})");
  }
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

// Strings are scanned 8 bytes at a time: a character that needs escaping must be found at every
// offset within and across those words. Reference: nlohmann's parser reads our output back.
TEST(JsonWriterTest, EscapesAtEveryOffset) {
  const std::string specials[] = {"\"", "\\", "\n", std::string(1, '\0'), "\x1f", "\xc3\xa9", "\xe2\x82\xac"};
  for (const std::string& special : specials) {
    for (size_t at = 0; at < 24; ++at) {
      const std::string text = std::string(at, 'a') + special + std::string(23 - at, 'b');
      std::string out;
      AppendJsonString(&out, text);
      EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), text) << "special at offset " << at << ": " << out;
    }
  }
  std::string hex(64, 'f');
  std::string out;
  AppendJsonString(&out, hex);
  EXPECT_EQ(out, "\"" + hex + "\"");
}

TEST(JsonWriterTest, InvalidUtf8InALongRunIsReplaced) {
  std::string out;
  AppendJsonString(&out, std::string(13, 'x') + "\xff" + std::string(9, 'y'));
  EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), std::string(13, 'x') + "\xef\xbf\xbd" + std::string(9, 'y'));
}

// Nesting state lives in a 64-bit word up to 64 levels and spills over beyond.
TEST(JsonWriterTest, DeepNestingKeepsCommas) {
  JsonWriter w;
  nlohmann::json expected = nlohmann::json::array({1, 2});
  for (int level = 0; level < 100; ++level) expected = nlohmann::json::array({level, expected, level});
  std::function<void(const nlohmann::json&)> write = [&](const nlohmann::json& j) {
    if (!j.is_array()) {
      w.Int(j.get<int64_t>());
      return;
    }
    w.BeginArray();
    for (const auto& item : j) write(item);
    w.EndArray();
  };
  write(expected);
  EXPECT_EQ(w.str(), expected.dump());
  w.Clear();
  w.BeginObject().Field("a", 1).EndObject();
  EXPECT_EQ(w.str(), R"({"a":1})");
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
