#include "train/gbdt_trainer.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <memory>

namespace finserve::train {
namespace {

Status XgbError(std::string_view what) { return Internal("XGBoost " + std::string(what) + ": " + XGBGetLastError()); }

#define FS_XGB(call, what)                          \
  do {                                              \
    if ((call) != 0) return XgbError(what);         \
  } while (0)

struct DMatrixDeleter {
  void operator()(void* h) const { XGDMatrixFree(h); }
};
struct BoosterDeleter {
  void operator()(void* h) const { XGBoosterFree(h); }
};
using DMatrixPtr = std::unique_ptr<void, DMatrixDeleter>;
using BoosterPtr = std::unique_ptr<void, BoosterDeleter>;

Result<DMatrixPtr> MakeDMatrix(const Matrix& x, std::span<const float> y, int threads) {
  DMatrixHandle h = nullptr;
  FS_XGB(XGDMatrixCreateFromMat_omp(x.values.data(), static_cast<bst_ulong>(x.rows), static_cast<bst_ulong>(x.cols),
                                    std::nanf(""), &h, threads),
         "DMatrix");
  DMatrixPtr m(h);
  FS_XGB(XGDMatrixSetFloatInfo(h, "label", y.data(), static_cast<bst_ulong>(y.size())), "labels");
  return m;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

Result<std::string> MonotoneParam(const GbdtOptions& o, const std::vector<std::string>& columns) {
  std::string out = "(";
  size_t matched = 0;
  for (size_t c = 0; c < columns.size(); ++c) {
    auto it = o.monotone.find(columns[c]);
    const int sign = it == o.monotone.end() ? 0 : it->second;
    if (it != o.monotone.end()) ++matched;
    out += (c ? "," : "") + std::to_string(sign);
  }
  if (matched != o.monotone.size()) {
    for (const auto& [name, sign] : o.monotone) {
      if (std::find(columns.begin(), columns.end(), name) == columns.end()) {
        return InvalidArgument("monotone constraint on '" + name + "', which is not a numeric model column");
      }
    }
  }
  return out + ")";
}

Status SetParams(BoosterHandle b, const GbdtOptions& o, const std::vector<std::string>& columns,
                 const TrainContext& context) {
  FS_ASSIGN_OR_RETURN(std::string monotone, MonotoneParam(o, columns));
  const std::pair<const char*, std::string> params[] = {
      {"objective", "binary:logistic"},
      {"eval_metric", "logloss"},
      {"tree_method", "hist"},
      {"nthread", std::to_string(context.threads)},
      {"seed", std::to_string(context.seed % 2147483647)},
      {"max_depth", std::to_string(o.max_depth)},
      {"eta", Number(o.learning_rate)},
      {"subsample", Number(o.subsample)},
      {"colsample_bytree", Number(o.colsample_bytree)},
      {"min_child_weight", Number(o.min_child_weight)},
      {"lambda", Number(o.reg_lambda)},
      {"alpha", Number(o.reg_alpha)},
      {"gamma", Number(o.gamma)},
      {"max_bin", std::to_string(o.max_bin)},
      {"monotone_constraints", monotone},
      {"verbosity", "0"},
  };
  for (const auto& [key, value] : params) {
    if (XGBoosterSetParam(b, key, value.c_str()) != 0) return XgbError(std::string("parameter ") + key + "=" + value);
  }
  std::vector<const char*> names;
  for (const auto& c : columns) names.push_back(c.c_str());
  FS_XGB(XGBoosterSetStrFeatureInfo(b, "feature_name", names.data(), static_cast<bst_ulong>(names.size())), "feature names");
  return Status::Ok();
}

// "[3]\tvalid-logloss:0.51234" -> 0.51234
double ParseEval(const char* text) {
  const char* colon = std::strrchr(text, ':');
  return colon ? std::strtod(colon + 1, nullptr) : std::nan("");
}

}  // namespace

std::string XgboostVersion() {
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

Result<GbdtFit> FitGbdt(const Matrix& train, std::span<const float> train_y, const Matrix& valid,
                        std::span<const float> valid_y, const std::vector<std::string>& columns,
                        const GbdtOptions& o, const TrainContext& context) {
  FS_ASSIGN_OR_RETURN(DMatrixPtr dtrain, MakeDMatrix(train, train_y, context.threads));
  DMatrixPtr dvalid;
  if (valid.rows > 0) {
    FS_ASSIGN_OR_RETURN(dvalid, MakeDMatrix(valid, valid_y, context.threads));
  }
  DMatrixHandle cache[] = {dtrain.get()};
  BoosterHandle raw = nullptr;
  FS_XGB(XGBoosterCreate(cache, 1, &raw), "booster");
  BoosterPtr booster(raw);
  FS_RETURN_IF_ERROR(SetParams(raw, o, columns, context));
  GbdtFit fit;
  int since_best = 0;
  for (int round = 0; round < o.rounds; ++round) {
    FS_RETURN_IF_ERROR(context.CheckCancelled());
    FS_XGB(XGBoosterUpdateOneIter(raw, round, dtrain.get()), "training round " + std::to_string(round));
    if (dvalid) {
      DMatrixHandle eval_sets[] = {dvalid.get()};
      const char* eval_names[] = {"valid"};
      const char* out = nullptr;
      FS_XGB(XGBoosterEvalOneIter(raw, round, eval_sets, eval_names, 1, &out), "evaluation");
      const double loss = ParseEval(out);
      if (fit.best_round < 0 || loss < fit.best_validation_logloss) {
        fit.best_round = round;
        fit.best_validation_logloss = loss;
        since_best = 0;
      } else if (o.early_stopping_rounds > 0 && ++since_best >= o.early_stopping_rounds) {
        break;
      }
    }
    context.Progress(static_cast<double>(round + 1) / o.rounds,
                     "gbdt round " + std::to_string(round + 1) + "/" + std::to_string(o.rounds));
  }
  fit.rounds = o.rounds;
  if (dvalid && o.early_stopping_rounds > 0) {
    fit.rounds = fit.best_round + 1;
    BoosterHandle sliced = nullptr;
    FS_XGB(XGBoosterSlice(raw, 0, fit.rounds, 1, &sliced), "slice to the best round");
    booster.reset(sliced);
    raw = sliced;
  }
  bst_ulong length = 0;
  const char* bytes = nullptr;
  FS_XGB(XGBoosterSaveModelToBuffer(raw, R"({"format": "json"})", &length, &bytes), "save");
  fit.model_json.assign(bytes, length);
  return fit;
}

}  // namespace finserve::train
