#include "audit/preallocator.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "audit/audit_test_util.h"
#include "audit/log_files.h"
#include "core/env.h"

namespace finserve::audit {
namespace {

// A new empty file `f` in a fresh temporary directory, opened for reading and writing.
struct TempFile {
  std::string path;
  int fd;
};
TempFile NewTempFile(const std::string& dir_name) {
  const std::string path = testing::TempDir(dir_name) + "/f";
  return {path, ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600)};
}

struct stat Stat(int fd) {
  struct stat st {};
  EXPECT_EQ(::fstat(fd, &st), 0);
  return st;
}

TEST(LogFiles, TheTrailingRunOfNulBytesIsNotALine) {
  using namespace std::string_literals;
  EXPECT_EQ(DataEnd("a\nb\n\0\0\0"s), 4u);
  EXPECT_EQ(DataEnd("\0\0"s), 0u);
  EXPECT_EQ(DataEnd(""), 0u);
  EXPECT_EQ(SplitLines("a\nb\n\0\0\0"s).size(), 2u);
  EXPECT_TRUE(SplitLines("\0\0\0"s).empty());
  // A torn record before the zeros is a line without its newline.
  const std::string torn_text = "a\n{\"seq\0\0"s;
  const auto torn = SplitLines(torn_text);
  ASSERT_EQ(torn.size(), 2u);
  EXPECT_EQ(torn[1].text, "{\"seq");
  EXPECT_FALSE(torn[1].complete);
  // NUL bytes before the data end belong to a line.
  const std::string middle_text = "a\n\0\0b\n"s;
  const auto middle = SplitLines(middle_text);
  ASSERT_EQ(middle.size(), 2u);
  EXPECT_EQ(middle[1].text, "\0\0b"s);
}

// The reserved space is written zeros, allocated (not a sparse hole), and stays ahead of the writer
// by the margin; the trim cuts it back to the data.
TEST(Preallocator, KeepsWrittenZerosAheadOfTheWriterAndTrimsBack) {
  const TempFile file = NewTempFile("prealloc");
  const std::string& path = file.path;
  const int fd = file.fd;
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, "data\n", 5, 0), 5);
  constexpr uint64_t kMargin = 64 << 10;
  Preallocator prealloc(kMargin, 1 << 20);
  prealloc.Attach(fd, path, 5);
  ASSERT_TRUE(testing::WaitUntil([&] { return prealloc.counters().chunks > 0; }));
  EXPECT_TRUE(prealloc.Claim(5, 100));
  ASSERT_EQ(::pwrite(fd, std::string(99, 'x').append("\n").data(), 100, 5), 100);
  prealloc.Detach();
  const struct stat st = Stat(fd);
  EXPECT_GE(static_cast<uint64_t>(st.st_size), 105u);
  EXPECT_LE(static_cast<uint64_t>(st.st_size), 105 + kMargin + kMargin);
  EXPECT_GE(static_cast<uint64_t>(st.st_blocks) * 512, static_cast<uint64_t>(st.st_size) & ~uint64_t{4095});
  const std::string contents = testing::ReadAll(path);
  EXPECT_EQ(DataEnd(contents), 105u);
  ASSERT_TRUE(TrimReservedTail(fd, path, 105).ok());
  EXPECT_EQ(Stat(fd).st_size, 105);
  EXPECT_EQ(prealloc.counters().ready_writes, 1u);
  ::close(fd);
}

// A write larger than the margin goes past the ready space; the filler resumes beyond it and never
// writes zeros over a claimed range.
TEST(Preallocator, AWriteBeyondTheReadySpaceIsNotOverwritten) {
  const TempFile file = NewTempFile("prealloc-behind");
  const std::string& path = file.path;
  const int fd = file.fd;
  ASSERT_GE(fd, 0);
  constexpr uint64_t kMargin = 4096;
  Preallocator prealloc(kMargin, 1 << 20);
  prealloc.Attach(fd, path, 0);
  std::string expected;
  for (int i = 0; i < 20; ++i) {
    const std::string batch(kMargin + 1000, static_cast<char>('a' + i));
    EXPECT_FALSE(prealloc.Claim(expected.size(), batch.size()));
    ASSERT_EQ(::pwrite(fd, batch.data(), batch.size(), static_cast<off_t>(expected.size())),
              static_cast<ssize_t>(batch.size()));
    expected += batch;
  }
  ASSERT_TRUE(testing::WaitUntil([&] { return prealloc.counters().chunks > 0; }));
  prealloc.Detach();
  const std::string contents = testing::ReadAll(path);
  EXPECT_EQ(contents.substr(0, expected.size()), expected);
  EXPECT_EQ(DataEnd(contents), expected.size());
  EXPECT_EQ(prealloc.counters().unready_writes, 20u);
  ::close(fd);
}

TEST(Preallocator, StopsAtTheFileLimit) {
  const TempFile file = NewTempFile("prealloc-limit");
  const std::string& path = file.path;
  const int fd = file.fd;
  ASSERT_GE(fd, 0);
  Preallocator prealloc(1 << 20, 10000);
  prealloc.Attach(fd, path, 0);
  ASSERT_TRUE(testing::WaitUntil([&] { return Stat(fd).st_size == 10000 && prealloc.counters().chunks > 0; }));
  EXPECT_TRUE(prealloc.Claim(0, 10000));
  EXPECT_FALSE(prealloc.Claim(10000, 1));
  prealloc.Detach();
  EXPECT_EQ(Stat(fd).st_size, 10000);
  ::close(fd);
}

}  // namespace
}  // namespace finserve::audit
