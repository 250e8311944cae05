#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <set>

#include "core/sha256.h"
#include "serving/auth/api_key.h"

namespace finserve::serving::auth {
namespace {

using ::testing::HasSubstr;

// Decodes base64url with OpenSSL's own base64 decoder (the reference), after mapping the URL-safe
// alphabet back and restoring the padding.
std::string ReferenceDecode(std::string text) {
  for (char& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (text.size() % 4) text += '=';
  std::string out(text.size(), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return "";
  size_t padding = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

TEST(ApiKeyTest, KeysAre256RandomBitsInBase64Url) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto key = GenerateApiKey();
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(key->size(), kApiKeyLength);
    EXPECT_TRUE(LooksLikeApiKey(*key)) << *key;
    const std::string raw = ReferenceDecode(key->substr(kApiKeyPrefix.size()));
    ASSERT_EQ(raw.size(), 32u) << *key;
    EXPECT_EQ(Base64UrlEncode(reinterpret_cast<const uint8_t*>(raw.data()), raw.size()),
              key->substr(kApiKeyPrefix.size()));
    EXPECT_TRUE(seen.insert(*key).second);
  }
}

TEST(ApiKeyTest, Base64UrlMatchesOpenSsl) {
  for (size_t n = 0; n < 40; ++n) {
    std::string bytes;
    for (size_t i = 0; i < n; ++i) bytes.push_back(static_cast<char>(i * 37 + 250));
    const std::string encoded = Base64UrlEncode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(ReferenceDecode(encoded), bytes) << n;
  }
}

TEST(ApiKeyTest, HashIsSha256AndComparesWholeDigest) {
  const std::string key = "fsk_" + std::string(43, 'A');
  const KeyHash h = HashApiKey(key);
  EXPECT_EQ(ToHex(h.data(), h.size()), Sha256Hex(key));
  KeyHash other = h;
  EXPECT_TRUE(HashesEqual(h, other));
  other[31] ^= 1;
  EXPECT_FALSE(HashesEqual(h, other));
}

TEST(ApiKeyTest, RejectsLookalikes) {
  EXPECT_FALSE(LooksLikeApiKey("fsk_short"));
  EXPECT_FALSE(LooksLikeApiKey("xyz_" + std::string(43, 'A')));
  EXPECT_FALSE(LooksLikeApiKey("fsk_" + std::string(42, 'A') + "+"));
}

TEST(ApiKeyTest, ParsesBearerHeaders) {
  auto t = ParseBearerToken("Bearer fsk_abc");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "fsk_abc");
  EXPECT_EQ(*ParseBearerToken("bearer   fsk_abc  "), "fsk_abc");
  for (const char* bad : {"fsk_abc", "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer a b", "Bearer \x01"}) {
    auto r = ParseBearerToken(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  }
  EXPECT_THAT(ParseBearerToken("Basic x").status().message(), HasSubstr("Bearer <API key>"));
}

}  // namespace
}  // namespace finserve::serving::auth
