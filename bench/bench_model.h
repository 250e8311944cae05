// The one benchmark model the tree benchmarks share: 500 trees of depth 6, binary:logistic,
// trained with libxgboost (hist, eta 0.05, seed 1) on 10,000 synthetic rows of 30 standard-normal
// features with 10% missing values, and rows drawn the same way. Deterministic for the seeds.
// Trained with one thread: libgomp's workers would otherwise keep spinning on the second core
// for the whole benchmark and slow down both sides.
// Aborts (with XGBoost's message) if libxgboost fails: benchmarks have no one to report to.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace finserve::bench {

constexpr int kBenchFeatures = 30;
constexpr int kBenchTrees = 500;
constexpr int kBenchDepth = 6;

// rows x kBenchFeatures values, NaN = missing.
std::vector<float> SyntheticRows(int rows, uint32_t seed);
// Trains the model and saves it as XGBoost JSON at `path`.
void TrainBenchModel(const std::string& path);
std::string ReadWholeFile(const std::string& path);

}  // namespace finserve::bench
