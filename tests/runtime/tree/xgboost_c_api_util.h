// Test helpers around libxgboost's C API: train a booster on a dense matrix, save it as JSON,
// predict with XGBoost itself. Failures of the C API are reported as GoogleTest failures with
// XGBGetLastError(). Not thread-safe (XGBoost's last-error is per thread; the booster is not).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <xgboost/c_api.h>

namespace finserve::runtime::tree::testing {

struct DenseData {
  int64_t rows = 0;
  int64_t cols = 0;
  std::vector<float> values;  // rows x cols, NaN = missing
  std::vector<float> labels;
};

class XgbBooster {
 public:
  XgbBooster() = default;
  ~XgbBooster();
  XgbBooster(const XgbBooster&) = delete;
  XgbBooster& operator=(const XgbBooster&) = delete;

  // Trains `rounds` boosting rounds with `params` (nthread=1 and tree_method=hist are added).
  bool Train(const DenseData& data, const std::vector<std::pair<std::string, std::string>>& params, int rounds);
  bool Load(const std::string& path);
  bool Save(const std::string& path) const;
  bool SetParam(const std::string& name, const std::string& value);

  // XGBoosterPredictFromDense; type 0 = transformed (probability, label, prediction), 1 = margin.
  std::vector<float> Predict(const float* rows, int64_t num_rows, int64_t num_cols, int type) const;

  BoosterHandle handle() const { return handle_; }

 private:
  BoosterHandle handle_ = nullptr;
  DMatrixHandle train_ = nullptr;
};

// A fresh path under the test temp directory ("<dir>/<stem>-<pid>-<counter>.json").
std::string TempJsonPath(const std::string& stem);
std::string ReadFileOrDie(const std::string& path);

}  // namespace finserve::runtime::tree::testing
