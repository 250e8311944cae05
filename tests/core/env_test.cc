#include "core/env.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <string>

namespace finserve {
namespace {

// Reference: the C library's calendar (gmtime_r) with the same layout.
std::string LibcUtcMicros(int64_t unix_micros) {
  const std::time_t seconds = static_cast<std::time_t>(unix_micros / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_micros % 1000000));
  return buf;
}

TEST(FormatUtcMicrosTest, MatchesTheCLibraryCalendar) {
  const int64_t kDay = 86'400'000'000;
  for (int64_t t : {int64_t{0}, int64_t{1}, int64_t{999'999}, int64_t{951'782'400'000'000} /* 2000-02-29 */,
                    int64_t{1'798'761'599'999'999} /* 2026-12-31T23:59:59.999999 */, int64_t{4'107'542'400'123'456}}) {
    EXPECT_EQ(FormatUtcMicros(t), LibcUtcMicros(t)) << t;
  }
  // Every day of several years, at a time of day that changes with the day.
  for (int64_t day = 0; day < 366 * 8; ++day) {
    const int64_t t = 1'735'689'600'000'000 + day * kDay + day * 37'123'457 % kDay;
    ASSERT_EQ(FormatUtcMicros(t), LibcUtcMicros(t)) << t;
  }
}

}  // namespace
}  // namespace finserve
