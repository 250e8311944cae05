#include "cli/state_dir.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

namespace finserve::cli {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::string TempDir() {
  std::string pattern = (fs::temp_directory_path() / "finserve-statedir-XXXXXX").string();
  return mkdtemp(pattern.data());
}

unsigned ModeOf(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 0777;
}

TEST(StateDirTest, CreatedPrivateWithParents) {
  const std::string base = TempDir();
  auto dir = PrepareStateDir(base + "/a/b/state", "/srv/models");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(*dir, base + "/a/b/state");
  EXPECT_EQ(ModeOf(*dir), 0700u);
  EXPECT_TRUE(PrepareStateDir(*dir, "").ok());  // idempotent
}

TEST(StateDirTest, ExpandsHome) {
  const std::string home = TempDir();
  const char* old = std::getenv("HOME");
  const std::string saved = old ? old : "";
  setenv("HOME", home.c_str(), 1);
  auto dir = PrepareStateDir("~/.local/state/finserve", "");
  if (old) setenv("HOME", saved.c_str(), 1);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(*dir, home + "/.local/state/finserve");
  EXPECT_FALSE(PrepareStateDir("~other/state", "").ok());
}

TEST(StateDirTest, RefusedInsideTheModelRepository) {
  const std::string repo = TempDir();
  for (const std::string& inside : {repo + "/state", repo + "/credit/../.state", repo}) {
    auto dir = PrepareStateDir(inside, repo + "/");
    ASSERT_FALSE(dir.ok()) << inside;
    EXPECT_THAT(dir.status().message(), HasSubstr("inside the model repository"));
  }
  EXPECT_FALSE(fs::exists(repo + "/state"));
  EXPECT_TRUE(PrepareStateDir(repo + "-state", repo).ok());  // a sibling with a common prefix is fine
}

TEST(StateDirTest, RefusedWhenOthersMayUseIt) {
  const std::string dir = TempDir() + "/open";
  fs::create_directory(dir);
  ::chmod(dir.c_str(), 0755);
  auto r = PrepareStateDir(dir, "");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("has mode 755"));
  EXPECT_THAT(r.status().message(), HasSubstr("chmod 700"));
}

}  // namespace
}  // namespace finserve::cli
