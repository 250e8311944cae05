// Raw-feature serving: a version whose config.yaml has a `features:` section (written by
// `finserve train`, see train/feature_plan.h) accepts the applicant's raw columns as inputs, one
// tensor per raw feature, shape [N] or [N, 1]: numeric features as any numeric datatype (FP32/FP64
// null = missing), categorical ones as BYTES ("" = missing) or integers (their decimal text). The
// serving layer encodes them into the model's feature tensor with the recorded encodings and
// missing-value policies, so clients never re-implement the preprocessing.
//
// PrepareRawFeatures fills the version's ModelState at load time (the parsed plan and the training
// statistics, `statistics.json` next to the model file), so a bad `features:` section fails the
// load, naming the file. Stateless functions; thread-safe.
#pragma once

#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "repository/loaded_model.h"
#include "serving/model_state.h"
#include "serving/request.h"
#include "train/feature_plan.h"

namespace finserve::serving {

// Reads the version's `features:` section and statistics.json into `state` (part of the
// ModelState prepare hook).
Status PrepareRawFeatures(const repository::LoadedModel& model, ModelState* state);

// The version's raw-feature plan, or nullptr.
const train::FeaturePlan* RawFeaturesOf(const repository::LoadedModel& model);

// True when `request` names raw features rather than the model's own inputs.
bool IsRawFeatureRequest(const repository::LoadedModel& model, const InferRequest& request);

// Builds the model's input tensor (FP32 [N, columns]) from raw-feature inputs. InvalidArgument
// names the feature, the row and what was wrong.
Result<InferInput> EncodeRawFeatures(const repository::LoadedModel& model, const train::FeaturePlan& plan,
                                     const InferRequest& request);

}  // namespace finserve::serving
