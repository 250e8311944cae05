#include "testing/xgboost_reference.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <stdexcept>

namespace finserve::testing {
namespace {

void Check(int rc) {
  if (rc != 0) throw std::runtime_error(std::string("XGBoost: ") + XGBGetLastError());
}

}  // namespace

std::vector<float> XgboostPredict(const std::string& model_path, const std::vector<float>& rows, size_t num_rows,
                                  size_t num_cols, XgboostOutput output) {
  BoosterHandle booster = nullptr;
  DMatrixHandle matrix = nullptr;
  Check(XGBoosterCreate(nullptr, 0, &booster));
  Check(XGBoosterLoadModel(booster, model_path.c_str()));
  Check(XGBoosterSetParam(booster, "nthread", "1"));
  Check(XGDMatrixCreateFromMat(rows.data(), num_rows, num_cols, NAN, &matrix));
  const int type = output == XgboostOutput::kValue ? 0 : output == XgboostOutput::kMargin ? 1 : 2;
  const std::string config = "{\"type\": " + std::to_string(type) +
                             ", \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, \"strict_shape\": false}";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  Check(XGBoosterPredictFromDMatrix(booster, matrix, config.c_str(), &shape, &dim, &result));
  size_t n = 1;
  for (bst_ulong i = 0; i < dim; ++i) n *= shape[i];
  std::vector<float> out(result, result + n);
  XGDMatrixFree(matrix);
  XGBoosterFree(booster);
  return out;
}

}  // namespace finserve::testing
