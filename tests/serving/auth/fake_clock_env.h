// An Env whose clocks the test sets (files still go to the real file system).
#pragma once

#include <atomic>
#include <cstdint>

#include "core/env.h"

namespace finserve::testing {

class FakeClockEnv : public Env {
 public:
  int64_t NowMicros() const override { return now_micros_.load(); }
  int64_t NowUnixMicros() const override { return unix_micros_.load(); }
  void Advance(int64_t micros) {
    now_micros_ += micros;
    unix_micros_ += micros;
  }
  void SetUnixSeconds(int64_t s) { unix_micros_ = s * 1'000'000; }

 private:
  std::atomic<int64_t> now_micros_{1'000'000};
  std::atomic<int64_t> unix_micros_{1'800'000'000ll * 1'000'000};  // 2027-01-15
};

}  // namespace finserve::testing
