#include "core/sha256.h"

#include <openssl/evp.h>

namespace finserve {

namespace {

// OpenSSL 3 looks the algorithm up ("fetches" it) on every EVP_Digest call given EVP_sha256(),
// which cost more than hashing a 1 KB audit record; fetched once here, and each thread keeps its
// context, so a digest is just the hashing.
const EVP_MD* Sha256Method() {
  static const EVP_MD* const method = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return method;
}

struct DigestContext {
  DigestContext() : ctx(EVP_MD_CTX_new()) {}
  ~DigestContext() { EVP_MD_CTX_free(ctx); }
  EVP_MD_CTX* ctx;
};

}  // namespace

std::array<uint8_t, 32> Sha256(std::string_view data) {
  thread_local DigestContext context;
  std::array<uint8_t, 32> digest{};
  unsigned int length = 0;
  if (!context.ctx || !Sha256Method() || EVP_DigestInit_ex(context.ctx, Sha256Method(), nullptr) != 1 ||
      EVP_DigestUpdate(context.ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(context.ctx, digest.data(), &length) != 1) {
    // Only without memory or without the default provider; the one-shot call is the fallback.
    EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
  }
  return digest;
}

std::string ToHex(const uint8_t* data, size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 15];
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  const auto digest = Sha256(data);
  return ToHex(digest.data(), digest.size());
}

}  // namespace finserve
