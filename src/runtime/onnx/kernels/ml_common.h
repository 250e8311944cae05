// Helpers shared by the ai.onnx.ml kernels: the [N, F] row contract, numeric inputs read as
// float or double, class labels, float-or-double attributes (the *_as_tensor forms of opset 3)
// and the post_transform attribute. Header-only; pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/shape.h"
#include "core/status.h"
#include "runtime/onnx/kernel.h"
#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/tree/post_transform.h"

namespace finserve::runtime::onnx {

// ONNX-ML's row ops take [N, F] (or [F] for a single row).
struct MlRows {
  int64_t rows = 0;
  int64_t features = 0;
};

inline Result<MlRows> ReadMlRows(const TensorData& x) {
  if (x.rank() == 1) return MlRows{1, x.shape[0]};
  if (x.rank() == 2) return MlRows{x.shape[0], x.shape[1]};
  return InvalidArgument("input X must be [N, F] or [F], got " + DimsToString(x.shape));
}

// The input's feature count when the graph declares it (-1 when unknown or symbolic).
inline int64_t DeclaredFeatures(const KernelInfo& info) {
  const GraphValue* v = info.input_values.empty() ? nullptr : info.input_values[0];
  if (v == nullptr || !v->has_shape || v->dims.empty() || v->dims.size() > 2) return -1;
  return v->dims.back();
}

// Element `i` of a FLOAT/DOUBLE/INT32/INT64 tensor as T.
template <typename T>
void ConvertNumeric(const TensorData& x, T* out) {
  const int64_t n = x.size();
  switch (x.dtype) {
    case DataType::kFp32:
      for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(x.data_as<float>()[i]);
      return;
    case DataType::kFp64:
      for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(x.data_as<double>()[i]);
      return;
    case DataType::kInt32:
      for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(x.data_as<int32_t>()[i]);
      return;
    case DataType::kInt64:
      for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(x.data_as<int64_t>()[i]);
      return;
    default:
      for (int64_t i = 0; i < n; ++i) out[i] = T(0);  // the table rows admit only the four types
  }
}

// Class labels: exactly one of an INTS and a STRINGS attribute.
struct ClassLabels {
  std::vector<int64_t> ints;
  std::vector<std::string> strings;
  bool is_string = false;

  size_t size() const { return is_string ? strings.size() : ints.size(); }
  void Write(TensorData* y, int64_t row, size_t index) const {
    if (is_string) {
      y->mutable_data_as<std::string>()[row] = strings[index];
    } else {
      y->mutable_data_as<int64_t>()[row] = ints[index];
    }
  }
};

inline Result<ClassLabels> ReadClassLabels(const KernelInfo& info, std::string_view ints_name,
                                           std::string_view strings_name) {
  ClassLabels labels;
  FS_ASSIGN_OR_RETURN(labels.ints, info.attrs().GetInts(ints_name));
  FS_ASSIGN_OR_RETURN(labels.strings, info.attrs().GetStrings(strings_name));
  if (labels.ints.empty() == labels.strings.empty()) {
    return info.Error("exactly one of '" + std::string(ints_name) + "' and '" + std::string(strings_name) +
                      "' must list the class labels");
  }
  labels.is_string = !labels.strings.empty();
  const DataType want = labels.is_string ? DataType::kBytes : DataType::kInt64;
  if (info.has_output(0) && info.output_type(0) != want) {
    return info.Error("the label output is " + std::string(DataTypeName(info.output_type(0))) + " but the labels are " +
                      std::string(DataTypeName(want)));
  }
  return labels;
}

// A FLOATS attribute `name` or its DOUBLE tensor twin `name`_as_tensor (ai.onnx.ml opset 3);
// empty when neither is given. Both at once is refused.
inline Result<std::vector<double>> ReadFloatsOrTensor(const KernelInfo& info, const std::string& name) {
  const std::string tensor_name = name + "_as_tensor";
  const bool has_floats = info.attrs().Has(name), has_tensor = info.attrs().Has(tensor_name);
  if (has_floats && has_tensor) return info.Error("give '" + name + "' or '" + tensor_name + "', not both");
  std::vector<double> out;
  if (has_tensor) {
    FS_ASSIGN_OR_RETURN(OwnedTensor t, info.attrs().RequireTensor(tensor_name));
    const TensorData& d = t.data();
    if (d.dtype != DataType::kFp64 && d.dtype != DataType::kFp32) {
      return info.Error("attribute '" + tensor_name + "' must be a DOUBLE or FLOAT tensor, got " +
                        std::string(DataTypeName(d.dtype)));
    }
    out.resize(static_cast<size_t>(d.size()));
    ConvertNumeric(d, out.data());
    return out;
  }
  FS_ASSIGN_OR_RETURN(std::vector<float> floats, info.attrs().GetFloats(name));
  out.assign(floats.begin(), floats.end());
  return out;
}

inline Result<tree::OnnxMlTransform> ReadPostTransform(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(std::string name, info.attrs().GetString("post_transform", "NONE"));
  Result<tree::OnnxMlTransform> t = tree::ParseOnnxMlTransform(name);
  if (!t.ok()) return info.Error(t.status().message());
  return t;
}

}  // namespace finserve::runtime::onnx
