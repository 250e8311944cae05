#include "bench_model.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

namespace finserve::bench {
namespace {

void Check(int rc, const char* what) {
  if (rc != 0) {
    std::fprintf(stderr, "%s failed: %s\n", what, XGBGetLastError());
    std::abort();
  }
}

std::vector<float> Labels(const std::vector<float>& x, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.5f);
  std::vector<float> y;
  for (size_t r = 0; r < x.size() / kBenchFeatures; ++r) {
    const float* row = &x[r * kBenchFeatures];
    float score = noise(rng);
    for (int f = 0; f < kBenchFeatures; ++f) {
      if (!std::isnan(row[f])) {
        score += (f % 3 == 0 ? 1.0f : -0.5f) * row[f] * (f < 10 ? row[(f + 1) % kBenchFeatures] : 1.0f);
      }
    }
    y.push_back(score > 0 ? 1.0f : 0.0f);
  }
  return y;
}

}  // namespace

std::vector<float> SyntheticRows(int rows, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  std::uniform_real_distribution<float> unit;
  std::vector<float> x(static_cast<size_t>(rows) * kBenchFeatures);
  for (float& v : x) v = unit(rng) < 0.1f ? std::nanf("") : normal(rng);
  return x;
}

void TrainBenchModel(const std::string& path) {
  constexpr int kTrainRows = 10000;
  const std::vector<float> x = SyntheticRows(kTrainRows, 1);
  const std::vector<float> y = Labels(x, 4);
  DMatrixHandle train = nullptr;
  Check(XGDMatrixCreateFromMat(x.data(), kTrainRows, kBenchFeatures, std::nanf(""), &train), "XGDMatrixCreateFromMat");
  Check(XGDMatrixSetFloatInfo(train, "label", y.data(), kTrainRows), "XGDMatrixSetFloatInfo");
  BoosterHandle booster = nullptr;
  Check(XGBoosterCreate(&train, 1, &booster), "XGBoosterCreate");
  const std::map<std::string, std::string> params = {
      {"objective", "binary:logistic"}, {"max_depth", std::to_string(kBenchDepth)}, {"eta", "0.05"},
      {"tree_method", "hist"}, {"nthread", "1"}, {"seed", "1"}};
  for (const auto& [k, v] : params) Check(XGBoosterSetParam(booster, k.c_str(), v.c_str()), "XGBoosterSetParam");
  for (int i = 0; i < kBenchTrees; ++i) Check(XGBoosterUpdateOneIter(booster, i, train), "XGBoosterUpdateOneIter");
  Check(XGBoosterSaveModel(booster, path.c_str()), "XGBoosterSaveModel");
  XGBoosterFree(booster);
  XGDMatrixFree(train);
}

std::string ReadWholeFile(const std::string& path) {
  std::string bytes;
  if (FILE* f = std::fopen(path.c_str(), "rb")) {
    char buffer[1 << 16];
    for (size_t n; (n = std::fread(buffer, 1, sizeof(buffer), f)) > 0;) bytes.append(buffer, n);
    std::fclose(f);
  }
  return bytes;
}

}  // namespace finserve::bench
