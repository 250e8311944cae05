// ZipMap over the Open Inference Protocol.
//
// ai.onnx.ml's ZipMap turns a [N, C] probability tensor into a sequence of N maps {label: p},
// which OIP (tensors only) cannot carry. Rather than refusing every sklearn-style classifier
// (their converters append ZipMap by default), RewriteZipMaps() replaces each ZipMap before the
// model is checked, so its output keeps its name and its meaning, as two tensors:
//   <Z>          FP32 [N, C]: row i is map i's values, column j the probability of labels[j]
//   <Z>_labels   INT64 or BYTES [N, C]: row i is map i's keys (the class labels, same every row)
// A client reads "the probability of class 'good'" as <Z>[i][j] where <Z>_labels[i][j] == 'good',
// or asks only for <Z> when it knows the label order (the model metadata lists both outputs).
// The rewrite is Identity(X) -> Z and Expand(Constant(labels as [1, C]), Shape(X)) -> Z_labels,
// with Z's declared type set to FLOAT [?, C], so shape inference checks C against the producer.
// Refused (Unimplemented, with advice): a ZipMap whose output feeds another node (that node would
// need a map), a ZipMap without exactly one label list, a name <Z>_labels already in the graph,
// and models importing ai.onnx below opset 8 (no Expand).
// Pure function over the model proto; not thread-safe for one model.
#pragma once

#include <string_view>

#include "core/status.h"

namespace onnx {
class ModelProto;
}

namespace finserve::runtime::onnx {

inline constexpr const char* kZipMapLabelsSuffix = "_labels";

Status RewriteZipMaps(::onnx::ModelProto* model);

// Ops served by a rewrite at load rather than a kernel-table row (ai.onnx.ml ZipMap).
inline bool ServedByRewrite(std::string_view domain, std::string_view op) {
  return domain == "ai.onnx.ml" && op == "ZipMap";
}

}  // namespace finserve::runtime::onnx
