#include "runtime/tree/xgboost_c_api_util.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <limits>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace finserve::runtime::tree::testing {
namespace {

bool Ok(int rc, const char* what) {
  if (rc == 0) return true;
  ADD_FAILURE() << what << " failed: " << XGBGetLastError();
  return false;
}

}  // namespace

XgbBooster::~XgbBooster() {
  if (handle_ != nullptr) XGBoosterFree(handle_);
  if (train_ != nullptr) XGDMatrixFree(train_);
}

bool XgbBooster::Train(const DenseData& data, const std::vector<std::pair<std::string, std::string>>& params,
                       int rounds) {
  if (!Ok(XGDMatrixCreateFromMat(data.values.data(), static_cast<bst_ulong>(data.rows),
                                 static_cast<bst_ulong>(data.cols), std::numeric_limits<float>::quiet_NaN(), &train_),
          "XGDMatrixCreateFromMat")) {
    return false;
  }
  if (!Ok(XGDMatrixSetFloatInfo(train_, "label", data.labels.data(), static_cast<bst_ulong>(data.rows)),
          "XGDMatrixSetFloatInfo")) {
    return false;
  }
  if (!Ok(XGBoosterCreate(&train_, 1, &handle_), "XGBoosterCreate")) return false;
  if (!SetParam("nthread", "1") || !SetParam("tree_method", "hist") || !SetParam("seed", "7")) return false;
  for (const auto& [name, value] : params) {
    if (!SetParam(name, value)) return false;
  }
  for (int i = 0; i < rounds; ++i) {
    if (!Ok(XGBoosterUpdateOneIter(handle_, i, train_), "XGBoosterUpdateOneIter")) return false;
  }
  return true;
}

bool XgbBooster::Load(const std::string& path) {
  if (!Ok(XGBoosterCreate(nullptr, 0, &handle_), "XGBoosterCreate")) return false;
  return Ok(XGBoosterLoadModel(handle_, path.c_str()), "XGBoosterLoadModel") && SetParam("nthread", "1");
}

bool XgbBooster::Save(const std::string& path) const {
  return Ok(XGBoosterSaveModel(handle_, path.c_str()), "XGBoosterSaveModel");
}

bool XgbBooster::SetParam(const std::string& name, const std::string& value) {
  return Ok(XGBoosterSetParam(handle_, name.c_str(), value.c_str()), "XGBoosterSetParam");
}

std::vector<float> XgbBooster::Predict(const float* rows, int64_t num_rows, int64_t num_cols, int type) const {
  const std::string array = fmt::format(
      R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f4", "version": 3}})",
      reinterpret_cast<uintptr_t>(rows), num_rows, num_cols);
  const std::string config = fmt::format(
      R"({{"type": {}, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false, )"
      R"("missing": NaN, "cache_id": 0}})",
      type);
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  if (!Ok(XGBoosterPredictFromDense(handle_, array.c_str(), config.c_str(), nullptr, &shape, &dims, &result),
          "XGBoosterPredictFromDense")) {
    return {};
  }
  bst_ulong count = 1;
  for (bst_ulong d = 0; d < dims; ++d) count *= shape[d];
  return std::vector<float>(result, result + count);
}

std::string TempJsonPath(const std::string& stem) {
  static std::atomic<int> counter{0};
  return fmt::format("{}/{}-{}-{}.json", ::testing::TempDir(), stem, getpid(), counter++);
}

std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace finserve::runtime::tree::testing
