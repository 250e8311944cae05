#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>

#include "core/sha256.h"
#include "serving/auth/auth_test_util.h"
#include "serving/auth/key_store.h"

namespace finserve::serving::auth {
namespace {

using ::testing::HasSubstr;

NewKey Spec(const std::string& name, const std::string& scopes = "infer") {
  NewKey k;
  k.name = name;
  k.scopes = ScopeSet::Parse(scopes).value();
  return k;
}

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = testing::MakeTempDir("finserve-keystore") + "/keys.db";
    auto store = KeyStore::Open(path_, &env_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  std::string path_;
  testing::FakeClockEnv env_;
  std::unique_ptr<KeyStore> store_;
};

TEST_F(KeyStoreTest, StoresOnlyTheHashInAPrivateFile) {
  NewKey spec = Spec("app", "infer,explain");
  spec.model_globs = {"credit_*"};
  spec.rate = {2.5, 5};
  spec.expires_unix_s = 1'900'000'000;
  auto key = store_->Create(spec);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_TRUE(LooksLikeApiKey(*key));

  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(path_, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes.find(*key), std::string::npos);
  EXPECT_EQ(bytes.find(key->substr(4, 20)), std::string::npos);

  // What SQLite itself holds for the key is SHA-256 of its text.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT hex(key_sha256) FROM keys WHERE name = 'app'", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  std::string stored = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  for (char& c : stored) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(stored, Sha256Hex(*key));
  sqlite3_finalize(stmt);
  sqlite3_close(db);

  auto list = store_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  const KeyRecord& r = (*list)[0];
  EXPECT_EQ(r.name, "app");
  EXPECT_EQ(r.kind, KeyRecord::Kind::kApiKey);
  EXPECT_TRUE(HashesEqual(r.hash, HashApiKey(*key)));
  EXPECT_EQ(r.scopes.ToString(), "infer,explain");
  EXPECT_EQ(r.model_globs, std::vector<std::string>{"credit_*"});
  EXPECT_EQ(r.rate, (RateLimit{2.5, 5}));
  EXPECT_EQ(r.expires_unix_s, 1'900'000'000);
  EXPECT_EQ(r.created_unix_s, env_.NowUnixMicros() / 1'000'000);
  EXPECT_FALSE(r.revoked_unix_s);
}

TEST_F(KeyStoreTest, NamesAreNeverReusedAndRevocationIsStamped) {
  ASSERT_TRUE(store_->Create(Spec("app")).ok());
  auto again = store_->Create(Spec("app"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(store_->Revoke("app").ok());
  EXPECT_EQ(store_->Create(Spec("app")).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->Revoke("app").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->Revoke("nobody").code(), StatusCode::kNotFound);
  auto list = store_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].revoked_unix_s, env_.NowUnixMicros() / 1'000'000);
}

TEST_F(KeyStoreTest, SubjectGrantsHaveNoKeyAndOneActiveGrantPerSubject) {
  NewKey grant = Spec("payments-app");
  grant.subject = "CN=payments,O=Bank";
  auto none = store_->Create(grant);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(*none, "");
  NewKey second = grant;
  second.name = "payments-app-2";
  EXPECT_EQ(store_->Create(second).status().code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(store_->Revoke("payments-app").ok());
  EXPECT_TRUE(store_->Create(second).ok());
  auto list = store_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].kind, KeyRecord::Kind::kClientSubject);
  EXPECT_EQ((*list)[1].subject, "CN=payments,O=Bank");
}

TEST_F(KeyStoreTest, RefusesBadSpecs) {
  EXPECT_THAT(store_->Create(Spec("bad name")).status().message(), HasSubstr("may only use"));
  EXPECT_FALSE(store_->Create(Spec("")).ok());
  NewKey burst_only = Spec("a");
  burst_only.rate = {0, 5};
  EXPECT_THAT(store_->Create(burst_only).status().message(), HasSubstr("needs a rate"));
  NewKey past = Spec("b");
  past.expires_unix_s = env_.NowUnixMicros() / 1'000'000 - 1;
  EXPECT_THAT(store_->Create(past).status().message(), HasSubstr("already in the past"));
  NewKey glob = Spec("c");
  glob.model_globs = {"a b"};
  EXPECT_FALSE(store_->Create(glob).ok());
  auto list = store_->List();
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_F(KeyStoreTest, DataVersionChangesOnlyWhenAnotherConnectionCommits) {
  auto reader = KeyStore::Open(path_, &env_);
  ASSERT_TRUE(reader.ok());
  const int64_t v0 = (*reader)->DataVersion().value();
  EXPECT_EQ((*reader)->DataVersion().value(), v0);
  ASSERT_TRUE(store_->Create(Spec("app")).ok());
  const int64_t v1 = (*reader)->DataVersion().value();
  EXPECT_NE(v1, v0);
  EXPECT_EQ((*reader)->DataVersion().value(), v1);
}

TEST_F(KeyStoreTest, RefusesAFileThatIsNotAKeyStore) {
  const std::string other = testing::MakeTempDir("finserve-keystore") + "/keys.db";
  std::ofstream(other) << "this is not an SQLite database, just text that is long enough to have a header";
  auto store = KeyStore::Open(other, &env_);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr("not a finserve key store"));
}

TEST(UtcTimeTest, ParsesDatesAndTimesAsGnuDateDoes) {
  // Reference values from `date -u -d 2027-01-01 +%s` and `date -u -d '2027-01-01 12:30:00' +%s`.
  EXPECT_EQ(ParseUtcTime("2027-01-01").value(), 1798761600);
  EXPECT_EQ(ParseUtcTime("2027-01-01T12:30:00Z").value(), 1798806600);
  EXPECT_EQ(FormatUtcSeconds(1798806600), "2027-01-01T12:30:00Z");
  for (const char* bad : {"2027-1-1", "01/01/2027", "2027-01-01T12:30:00", "tomorrow", ""}) {
    EXPECT_FALSE(ParseUtcTime(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace finserve::serving::auth
