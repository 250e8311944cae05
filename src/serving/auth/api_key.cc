#include "serving/auth/api_key.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cctype>

#include "core/sha256.h"

namespace finserve::serving::auth {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool IsBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// RFC 6750's b64token: the characters a bearer token may contain.
bool IsTokenChar(char c) {
  return IsBase64UrlChar(c) || c == '.' || c == '~' || c == '+' || c == '/' || c == '=';
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

std::string Base64UrlEncode(const uint8_t* data, size_t size) {
  std::string out;
  out.reserve((size * 4 + 2) / 3);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < size; ++i) {
    acc = (acc << 8) | data[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

Result<std::string> GenerateApiKey() {
  std::array<uint8_t, kApiKeyRandomBytes> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    return Internal("the system's random generator failed; no key was created");
  }
  std::string key = std::string(kApiKeyPrefix) + Base64UrlEncode(random.data(), random.size());
  OPENSSL_cleanse(random.data(), random.size());
  return key;
}

bool LooksLikeApiKey(std::string_view key) {
  if (key.size() != kApiKeyLength || key.substr(0, kApiKeyPrefix.size()) != kApiKeyPrefix) return false;
  for (char c : key.substr(kApiKeyPrefix.size())) {
    if (!IsBase64UrlChar(c)) return false;
  }
  return true;
}

KeyHash HashApiKey(std::string_view key) { return Sha256(key); }

bool HashesEqual(const KeyHash& a, const KeyHash& b) { return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0; }

Result<std::string_view> ParseBearerToken(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  const size_t space = value.find(' ');
  if (space == std::string_view::npos || !EqualsIgnoreCase(value.substr(0, space), "Bearer")) {
    return Unauthenticated("the Authorization header must be 'Bearer <API key>'");
  }
  std::string_view token = value.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  if (token.empty()) return Unauthenticated("the Authorization header has no key after 'Bearer'");
  for (char c : token) {
    if (!IsTokenChar(c)) return Unauthenticated("the bearer token has characters an API key never has");
  }
  return token;
}

}  // namespace finserve::serving::auth
