#include "audit/crypto.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <cctype>

#include "core/env.h"
#include "core/sha256.h"

namespace finserve::audit {
namespace {

std::string OpenSslError() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof(buf));
  return buf;
}

std::shared_ptr<void> Own(EVP_PKEY* key) {
  return std::shared_ptr<void>(key, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

EVP_PKEY* Raw(const std::shared_ptr<void>& key) { return static_cast<EVP_PKEY*>(key.get()); }

Result<std::string> RawPublicKey(EVP_PKEY* key, std::string_view where) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
    return InvalidArgument(std::string(where) + ": not an Ed25519 key (make one with `finserve keygen`)");
  }
  std::string raw(32, '\0');
  size_t size = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &size) != 1 || size != 32) {
    return InvalidArgument(std::string(where) + ": cannot read the Ed25519 public key: " + OpenSslError());
  }
  return raw;
}

// Reads a PEM key with `read` from a memory BIO.
template <typename ReadFn>
EVP_PKEY* ReadPem(std::string_view pem, ReadFn read) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  if (!bio) return nullptr;
  return read(bio.get(), nullptr, nullptr, nullptr);
}

std::string WritePem(EVP_PKEY* key, bool private_key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  if (private_key) PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  else PEM_write_bio_PUBKEY(bio.get(), key);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

Result<std::string> HexDecode(std::string_view hex) {
  std::string out;
  out.reserve(hex.size() / 2);
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgument("not hex");
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return out;
}

}  // namespace

std::string Ed25519KeyId(std::string_view raw_public_key) {
  return "finserve-ed25519:" + Sha256Hex(raw_public_key).substr(0, 16);
}

Result<VerifyKey> VerifyKey::LoadPemFile(const std::string& path) {
  auto pem = Env::Default()->ReadFile(path);
  if (!pem.ok()) return pem.status().WithContext("public key");
  return FromPem(*pem, path);
}

Result<VerifyKey> VerifyKey::FromPem(std::string_view pem, std::string_view where) {
  EVP_PKEY* key = ReadPem(pem, PEM_read_bio_PUBKEY);
  if (key == nullptr) {
    ERR_clear_error();
    key = ReadPem(pem, PEM_read_bio_PrivateKey);
  }
  if (key == nullptr) {
    return InvalidArgument(std::string(where) + ": not a PEM public or private key: " + OpenSslError());
  }
  VerifyKey out;
  out.key_ = Own(key);
  FS_ASSIGN_OR_RETURN(std::string raw, RawPublicKey(key, where));
  out.key_id_ = Ed25519KeyId(raw);
  out.where_ = std::string(where);
  return out;
}

bool VerifyKey::Verify(std::string_view message, std::string_view signature) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, Raw(key_)) != 1) return false;
  const int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                                  signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size());
  ERR_clear_error();
  return ok == 1;
}

Result<SigningKey> SigningKey::LoadPemFile(const std::string& path) {
  auto pem = Env::Default()->ReadFile(path);
  if (!pem.ok()) return pem.status().WithContext("signing key");
  return FromPem(*pem, path);
}

Result<SigningKey> SigningKey::FromPem(std::string_view pem, std::string_view where) {
  EVP_PKEY* key = ReadPem(pem, PEM_read_bio_PrivateKey);
  if (key == nullptr) return InvalidArgument(std::string(where) + ": not a PEM private key: " + OpenSslError());
  SigningKey out;
  out.key_ = Own(key);
  FS_ASSIGN_OR_RETURN(std::string raw, RawPublicKey(key, where));
  out.key_id_ = Ed25519KeyId(raw);
  return out;
}

Result<std::string> SigningKey::Sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  std::string signature(64, '\0');
  size_t size = signature.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, Raw(key_)) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return Internal("Ed25519 signing failed: " + OpenSslError());
  }
  signature.resize(size);
  return signature;
}

std::string SigningKey::PublicKeyPem() const { return WritePem(Raw(key_), false); }

Result<Ed25519PemPair> GenerateEd25519() {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (key == nullptr) return Internal("Ed25519 key generation failed: " + OpenSslError());
  auto owned = Own(key);
  return Ed25519PemPair{WritePem(key, true), WritePem(key, false)};
}

Result<EncryptionKey> EncryptionKey::LoadFile(const std::string& path) {
  auto bytes = Env::Default()->ReadFile(path);
  if (!bytes.ok()) return bytes.status().WithContext("audit encryption key");
  if (bytes->size() == 32) return FromBytes(*bytes, path);
  const std::string hex = Trim(*bytes);
  if (hex.size() == 64) {
    auto raw = HexDecode(hex);
    if (raw.ok()) return FromBytes(*raw, path);
  }
  return InvalidArgument(path + ": an AES-256 key file holds 32 raw bytes or 64 hex digits; this one has " +
                         std::to_string(bytes->size()) + " bytes (make one with: openssl rand -hex 32 > " + path + ")");
}

Result<EncryptionKey> EncryptionKey::FromBytes(std::string_view key32, std::string_view where) {
  if (key32.size() != 32) return InvalidArgument(std::string(where) + ": an AES-256 key has 32 bytes");
  EncryptionKey out;
  out.key_ = std::string(key32);
  const auto mac = Sha256("finserve-audit-digest" + out.key_);
  out.mac_key_.assign(reinterpret_cast<const char*>(mac.data()), mac.size());
  out.key_id_ = "aes256:" + Sha256Hex("finserve-key-id" + out.key_).substr(0, 16);
  out.where_ = std::string(where);
  return out;
}

Result<Sealed> EncryptionKey::Encrypt(std::string_view plaintext, std::string_view associated_data) const {
  Sealed out;
  out.nonce.resize(12);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.nonce.data()), 12) != 1) {
    return Internal("no randomness for an AES-GCM nonce: " + OpenSslError());
  }
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  out.ciphertext.resize(plaintext.size() + 16);
  auto* dst = reinterpret_cast<unsigned char*>(out.ciphertext.data());
  int len = 0, total = 0;
  bool ok = ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                                      reinterpret_cast<const unsigned char*>(key_.data()),
                                      reinterpret_cast<const unsigned char*>(out.nonce.data())) == 1;
  ok = ok && EVP_EncryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(associated_data.data()),
                               static_cast<int>(associated_data.size())) == 1;
  ok = ok && EVP_EncryptUpdate(ctx.get(), dst, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                               static_cast<int>(plaintext.size())) == 1;
  total = len;
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), dst + total, &len) == 1;
  total += len;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, dst + total) == 1;
  if (!ok) return Internal("AES-256-GCM encryption failed: " + OpenSslError());
  out.ciphertext.resize(static_cast<size_t>(total) + 16);
  return out;
}

Result<std::string> EncryptionKey::Decrypt(const Sealed& sealed, std::string_view associated_data) const {
  if (sealed.nonce.size() != 12 || sealed.ciphertext.size() < 16) {
    return DataLoss("encrypted inputs are malformed (nonce or tag missing)");
  }
  const size_t size = sealed.ciphertext.size() - 16;
  std::string out(size, '\0');
  std::string tag = sealed.ciphertext.substr(size);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  auto* dst = reinterpret_cast<unsigned char*>(out.data());
  bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr,
                                      reinterpret_cast<const unsigned char*>(key_.data()),
                                      reinterpret_cast<const unsigned char*>(sealed.nonce.data())) == 1;
  ok = ok && EVP_DecryptUpdate(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(associated_data.data()),
                               static_cast<int>(associated_data.size())) == 1;
  ok = ok && EVP_DecryptUpdate(ctx.get(), dst, &len, reinterpret_cast<const unsigned char*>(sealed.ciphertext.data()),
                               static_cast<int>(size)) == 1;
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, tag.data()) == 1;
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), dst + len, &len) == 1;
  ERR_clear_error();
  if (!ok) {
    return DataLoss("encrypted inputs do not decrypt with key " + key_id_ + " (" + where_ +
                    "): wrong key, or the record was altered");
  }
  return out;
}

std::string EncryptionKey::Digest(std::string_view data) const {
  unsigned char mac[32];
  unsigned int size = 0;
  HMAC(EVP_sha256(), mac_key_.data(), static_cast<int>(mac_key_.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &size);
  return ToHex(mac, size);
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return InvalidArgument("base64 text length is not a multiple of 4");
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=') {
      return InvalidArgument("not base64");
    }
  }
  std::string out(3 * text.size() / 4 + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return InvalidArgument("not base64");
  size_t size = static_cast<size_t>(n);
  if (!text.empty() && text.back() == '=') --size;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --size;
  out.resize(size);
  return out;
}

}  // namespace finserve::audit
