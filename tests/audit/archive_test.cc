#include "audit/archive.h"

#include <gtest/gtest.h>

#include "audit/audit_test_util.h"
#include "core/sha256.h"

namespace finserve::audit {
namespace {

TEST(Archive, StoresByContentAndVerifiesOnRead) {
  const std::string dir = testing::TempDir("archive");
  Archive archive(dir);
  auto sha = archive.Put("model bytes");
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(*sha, Sha256Hex("model bytes"));
  EXPECT_TRUE(archive.Put("model bytes").ok());  // idempotent
  EXPECT_EQ(*archive.Get(*sha), "model bytes");
  testing::WriteAll(dir + "/objects/" + sha->substr(0, 2) + "/" + *sha, "edited");
  EXPECT_EQ(archive.Get(*sha).status().code(), StatusCode::kDataLoss);
  auto missing = archive.Get(std::string(64, 'a'));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(dir), std::string::npos);
  EXPECT_EQ(archive.Get("../../etc/passwd").status().code(), StatusCode::kInvalidArgument);
}

TEST(Archive, ManifestsByModelAndConfig) {
  Archive archive(testing::TempDir("manifest"));
  const std::string m(64, '1'), c(64, '2');
  ASSERT_TRUE(archive.PutManifest(m, c, "{}").ok());
  EXPECT_EQ(*archive.GetManifest(m, c), "{}");
  EXPECT_EQ(archive.GetManifest(c, m).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace finserve::audit
