// Cryptography of the audit trail, on OpenSSL 3: Ed25519 keys (checkpoint and model-file
// signatures), AES-256-GCM (personal data in decision records), HMAC-SHA256 (input digests) and
// base64. Keys are read from files the operator controls (PEM for Ed25519; 32 raw bytes or 64 hex
// digits for AES); every error names the file.
//
// Key objects own their OpenSSL handles and are immutable after loading: Sign/Verify/Encrypt/
// Decrypt are const and thread-safe (each call makes its own OpenSSL context).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace finserve::audit {

// "finserve-ed25519:" + the first 16 hex digits of SHA-256 over the raw 32-byte public key.
std::string Ed25519KeyId(std::string_view raw_public_key);

class VerifyKey {
 public:
  // A PEM public key, or a PEM private key (its public half is used).
  static Result<VerifyKey> LoadPemFile(const std::string& path);
  static Result<VerifyKey> FromPem(std::string_view pem, std::string_view where);
  bool Verify(std::string_view message, std::string_view signature) const;
  const std::string& key_id() const { return key_id_; }
  const std::string& where() const { return where_; }

 private:
  std::shared_ptr<void> key_;  // EVP_PKEY
  std::string key_id_;
  std::string where_;
};

class SigningKey {
 public:
  static Result<SigningKey> LoadPemFile(const std::string& path);
  static Result<SigningKey> FromPem(std::string_view pem, std::string_view where);
  // The 64-byte Ed25519 signature.
  Result<std::string> Sign(std::string_view message) const;
  const std::string& key_id() const { return key_id_; }
  // PEM of the public half (for `finserve keygen` and tests).
  std::string PublicKeyPem() const;

 private:
  std::shared_ptr<void> key_;  // EVP_PKEY
  std::string key_id_;
};

struct Ed25519PemPair {
  std::string private_pem;
  std::string public_pem;
};
Result<Ed25519PemPair> GenerateEd25519();

// AES-256-GCM with a 96-bit random nonce per message; the tag is appended to the ciphertext.
struct Sealed {
  std::string nonce;       // 12 bytes
  std::string ciphertext;  // plaintext size + 16-byte tag
};

class EncryptionKey {
 public:
  // 32 raw bytes, or 64 hex digits (surrounding whitespace ignored).
  static Result<EncryptionKey> LoadFile(const std::string& path);
  static Result<EncryptionKey> FromBytes(std::string_view key32, std::string_view where);
  Result<Sealed> Encrypt(std::string_view plaintext, std::string_view associated_data) const;
  // DataLoss when the tag does not verify (wrong key, or the ciphertext or its context was edited).
  Result<std::string> Decrypt(const Sealed& sealed, std::string_view associated_data) const;
  // HMAC-SHA256 under a key derived from this one (so digests die with the key), as hex.
  std::string Digest(std::string_view data) const;
  // "aes256:" + the first 16 hex digits of SHA-256 over "finserve-key-id" + key.
  const std::string& key_id() const { return key_id_; }

 private:
  std::string key_;
  std::string mac_key_;
  std::string key_id_;
  std::string where_;
};

std::string Base64Encode(std::string_view bytes);
// InvalidArgument on anything but standard padded base64.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace finserve::audit
