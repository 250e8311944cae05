#include "audit/crypto.h"

#include <gtest/gtest.h>

#include "audit/audit_test_util.h"

namespace finserve::audit {
namespace {

TEST(Ed25519, SignsAndVerifiesAndRejectsOtherMessagesAndKeys) {
  auto a = testing::MakeKeys();
  auto b = testing::MakeKeys();
  auto sig = a.signing->Sign("chain head");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), 64u);
  EXPECT_TRUE(a.verify.Verify("chain head", *sig));
  EXPECT_FALSE(a.verify.Verify("chain heae", *sig));
  EXPECT_FALSE(b.verify.Verify("chain head", *sig));
  EXPECT_EQ(a.signing->key_id(), a.verify.key_id());
  EXPECT_NE(a.signing->key_id(), b.verify.key_id());
}

TEST(Ed25519, PublicKeyFromPrivatePemAndClearErrors) {
  auto pair = GenerateEd25519();
  ASSERT_TRUE(pair.ok());
  auto from_private = VerifyKey::FromPem(pair->private_pem, "k.pem");
  ASSERT_TRUE(from_private.ok());
  auto signing = SigningKey::FromPem(pair->private_pem, "k.pem");
  ASSERT_TRUE(signing.ok());
  EXPECT_EQ(from_private->key_id(), signing->key_id());
  auto bad = SigningKey::FromPem("not a key", "/etc/keys/audit.pem");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/etc/keys/audit.pem"), std::string::npos);
  auto missing = SigningKey::LoadPemFile("/nonexistent/audit.pem");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("/nonexistent/audit.pem"), std::string::npos);
}

TEST(AesGcm, RoundTripsAndDetectsWrongKeyAndEdits) {
  auto key = EncryptionKey::FromBytes(std::string(32, 'k'), "key");
  auto other = EncryptionKey::FromBytes(std::string(32, 'o'), "other");
  ASSERT_TRUE(key.ok() && other.ok());
  auto sealed = key->Encrypt("income=52000", "request-1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->ciphertext.size(), std::string("income=52000").size() + 16);
  auto plain = key->Decrypt(*sealed, "request-1");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "income=52000");
  EXPECT_EQ(other->Decrypt(*sealed, "request-1").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(key->Decrypt(*sealed, "request-2").status().code(), StatusCode::kDataLoss);
  Sealed edited = *sealed;
  edited.ciphertext[0] ^= 1;
  EXPECT_EQ(key->Decrypt(edited, "request-1").status().code(), StatusCode::kDataLoss);
  auto again = key->Encrypt("income=52000", "request-1");
  EXPECT_NE(again->nonce, sealed->nonce);
  EXPECT_EQ(key->Digest("x"), key->Digest("x"));
  EXPECT_NE(key->Digest("x"), other->Digest("x"));
}

TEST(AesGcm, KeyFilesHoldRawBytesOrHex) {
  const std::string dir = testing::TempDir("keys");
  testing::WriteAll(dir + "/raw", std::string(32, '\x07'));
  testing::WriteAll(dir + "/hex", std::string(64, 'a') + "\n");
  testing::WriteAll(dir + "/short", "abc");
  EXPECT_TRUE(EncryptionKey::LoadFile(dir + "/raw").ok());
  auto hex = EncryptionKey::LoadFile(dir + "/hex");
  ASSERT_TRUE(hex.ok());
  auto same = EncryptionKey::FromBytes(std::string(32, '\xaa'), "x");
  EXPECT_EQ(hex->key_id(), same->key_id());
  auto bad = EncryptionKey::LoadFile(dir + "/short");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(dir + "/short"), std::string::npos);
  EXPECT_NE(bad.status().message().find("openssl rand -hex 32"), std::string::npos);
}

TEST(Base64, MatchesRfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, plain);
  }
  EXPECT_FALSE(Base64Decode("Zm9").ok());
  EXPECT_FALSE(Base64Decode("Zm9*").ok());
}

}  // namespace
}  // namespace finserve::audit
