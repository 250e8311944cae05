// API keys: "fsk_" followed by the unpadded base64url encoding of 32 random bytes from OpenSSL's
// RAND_bytes (256 bits). The server stores only SHA-256 of a key: a key has 256 bits of entropy,
// so a fast hash suffices (no password stretching needed), and hashes are compared with
// CRYPTO_memcmp so that the comparison time does not depend on where two hashes differ.
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace finserve::serving::auth {

using KeyHash = std::array<uint8_t, 32>;

inline constexpr std::string_view kApiKeyPrefix = "fsk_";
inline constexpr size_t kApiKeyRandomBytes = 32;
inline constexpr size_t kApiKeyLength = 4 + 43;  // prefix + base64url(32 bytes) without padding

// A new key. Internal error if the system's random generator fails.
Result<std::string> GenerateApiKey();
// Prefix, length and alphabet right (says nothing about whether the key exists).
bool LooksLikeApiKey(std::string_view key);

KeyHash HashApiKey(std::string_view key);
bool HashesEqual(const KeyHash& a, const KeyHash& b);  // constant time

// The token of an "Authorization: Bearer <token>" header value (scheme case-insensitive).
// Unauthenticated, saying what is wrong, for any other shape.
Result<std::string_view> ParseBearerToken(std::string_view header_value);

std::string Base64UrlEncode(const uint8_t* data, size_t size);

}  // namespace finserve::serving::auth
