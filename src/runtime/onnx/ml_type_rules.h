// Types for ai.onnx.ml outputs that libonnx 1.12's shape inference leaves untyped.
//
// onnx 1.12 has type-inference functions for only some ai.onnx.ml ops: the outputs of Imputer,
// Scaler, Normalizer, Binarizer, OneHotEncoder, ArrayFeatureExtractor, LinearRegressor and
// TreeEnsembleRegressor stay untyped when they feed another node, and so does everything after
// them (strict inference then fails on the first standard op), which would leave an ordinary
// pipeline (Imputer -> Scaler -> Concat -> LinearClassifier) unloadable. CompleteMlTypes() replaces
// the strict inference after the checker: lenient inference, then each still-untyped ML output gets
// its schema's type constraint (Scaler: tensor(float); Imputer: the type of X; ...) as a value_info
// entry, repeated until nothing changes; finally strict inference checks the whole graph, so the
// standard ops downstream are typed and checked by ONNX itself. Models without ai.onnx.ml get the
// strict inference alone. Not thread-safe for one model.
#pragma once

#include "core/status.h"

namespace onnx {
class ModelProto;
}

namespace finserve::runtime::onnx {

// Shape inference for a checked model (strict in the end), typing ai.onnx.ml outputs on the way.
Status CompleteMlTypes(::onnx::ModelProto* model);

}  // namespace finserve::runtime::onnx
