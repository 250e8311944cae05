// Raw-feature serving: a version whose config.yaml has a `features:` section (written by
// `finserve train`, see train/feature_plan.h) accepts the applicant's raw columns as inputs, one
// tensor per raw feature, shape [N] or [N, 1]: numeric features as any numeric datatype (FP32/FP64
// null = missing), categorical ones as BYTES ("" = missing) or integers (their decimal text). The
// serving layer encodes them into the model's feature tensor with the recorded encodings and
// missing-value policies, so clients never re-implement the preprocessing.
//
// VersionExtras is the serving layer's per-version state (the repository's extension slot):
// the parsed feature plan and the training statistics (`statistics.json` next to the model file).
// PrepareVersion builds it at load time, so a bad `features:` section fails the load, naming the
// file. Immutable once built; thread-safe.
#pragma once

#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "repository/loaded_model.h"
#include "serving/request.h"
#include "train/feature_plan.h"

namespace finserve::serving {

class VersionExtras final : public repository::ModelExtension {
 public:
  std::optional<train::FeaturePlan> plan;  // from `features:`, if the config has one
  nlohmann::json statistics;               // statistics.json, or null
};

// The loader's prepare hook.
Result<std::shared_ptr<const repository::ModelExtension>> PrepareVersion(const repository::LoadedModel& model);

// The extras of a loaded version (nullptr if it was loaded without the hook).
const VersionExtras* ExtrasOf(const repository::LoadedModel& model);

// True when `request` names raw features rather than the model's own inputs.
bool IsRawFeatureRequest(const repository::LoadedModel& model, const InferRequest& request);

// Builds the model's input tensor (FP32 [N, columns]) from raw-feature inputs. InvalidArgument
// names the feature, the row and what was wrong.
Result<InferInput> EncodeRawFeatures(const repository::LoadedModel& model, const train::FeaturePlan& plan,
                                     const InferRequest& request);

}  // namespace finserve::serving
