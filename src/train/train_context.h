// TrainContext: what every trainer gets besides the data: the thread budget, the seed, a progress
// callback and a cancellation flag. Trainers call Progress() between steps and return Cancelled
// when Cancelled() turns true, leaving nothing behind. Not owned by trainers; must outlive them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace finserve::train {

struct TrainContext {
  int threads = 1;
  uint64_t seed = 42;
  // fraction in [0, 1] of the whole job, and what is happening ("gbdt round 40/300").
  std::function<void(double fraction, std::string_view stage)> progress;
  const std::atomic<bool>* cancel = nullptr;

  void Progress(double fraction, std::string_view stage) const {
    if (progress) progress(fraction, stage);
  }
  bool Cancelled() const { return cancel && cancel->load(std::memory_order_relaxed); }
  Status CheckCancelled() const { return Cancelled() ? finserve::Cancelled("training was cancelled") : Status::Ok(); }
};

// Deterministic pseudo-random numbers independent of the standard library's distributions
// (which differ between implementations): SplitMix64.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  uint64_t Below(uint64_t n) { return Next() % n; }                           // n << 2^64: bias negligible
  double Normal();                                                            // Box-Muller

 private:
  uint64_t state_;
};

}  // namespace finserve::train
