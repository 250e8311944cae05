#include "http/request_id.h"

#include <gtest/gtest.h>

#include <set>

namespace finserve::http {
namespace {

TEST(RequestIdTest, NewIdsAre32HexDigitsWithACommonPrefixAndDiffer) {
  std::set<std::string> seen;
  const std::string first = NewRequestId();
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewRequestId();
    ASSERT_EQ(id.size(), 32u) << id;
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    EXPECT_EQ(id.substr(0, 16), first.substr(0, 16));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
  // Consecutive ids count up in their second half.
  const std::string a = NewRequestId(), b = NewRequestId();
  EXPECT_EQ(std::stoull(b.substr(16), nullptr, 16), std::stoull(a.substr(16), nullptr, 16) + 1);
}

TEST(RequestIdTest, ClientIdsArePrintableAsciiUpTo128Characters) {
  EXPECT_EQ(SanitizeRequestId("order-42/a"), "order-42/a");
  EXPECT_EQ(SanitizeRequestId(std::string(128, 'x')), std::string(128, 'x'));
  for (const std::string& bad : {std::string(), std::string(129, 'x'), std::string("has space"), std::string("tab\t"),
                                std::string("caf\xc3\xa9")}) {
    const std::string id = SanitizeRequestId(bad);
    EXPECT_EQ(id.size(), 32u) << "'" << bad << "' should be replaced by a new id";
  }
}

}  // namespace
}  // namespace finserve::http
