#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <vector>

namespace finserve {
namespace {

TEST(ThreadPoolTest, RunsEveryScheduledTask) {
  std::atomic<int> count{0};
  {
    ThreadPool pool(3, "test");
    for (int i = 0; i < 1000; ++i) pool.Schedule([&] { count.fetch_add(1); });
  }  // destructor drains
  EXPECT_EQ(count.load(), 1000);
}

TEST(ThreadPoolTest, ParallelForCoversRangeOnce) {
  ThreadPool pool(2, "test");
  for (int64_t n : {1, 2, 7, 1000, 1001}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    pool.ParallelFor(n, 3, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) hits[static_cast<size_t>(i)].fetch_add(1);
    });
    for (auto& h : hits) ASSERT_EQ(h.load(), 1);
  }
}

TEST(ThreadPoolTest, ZeroThreadsRunsInline) {
  ThreadPool pool(0, "inline");
  int x = 0;
  pool.Schedule([&] { x = 1; });
  EXPECT_EQ(x, 1);
}

}  // namespace
}  // namespace finserve
