// OneHotEncoder, LabelEncoder and ArrayFeatureExtractor (ai.onnx.ml 1-3).
//   OneHotEncoder  Y = X's shape + [categories], FLOAT; strings look up cats_strings, numbers are
//                  truncated to int64 and look up cats_int64s (NaN is never a category); an
//                  unknown value gives a zero row, or an error naming it when zeros = 0
//   LabelEncoder   opset 1: STRING -> INT64 (position in classes_strings, else default_int64) or
//                  INT64 -> STRING (classes_strings[i], else default_string); opset 2 (also in
//                  ml opsets 3): keys_* -> values_* over STRING/INT64/FLOAT, default_* otherwise.
//                  A NaN key matches NaN inputs. Duplicate keys are refused (which would win?).
//   ArrayFeatureExtractor  Z = X[..., Y] along the last axis ([F] input gives [1, k]), any
//                  element type; indices outside [0, F) are refused
#include <cmath>
#include <type_traits>
#include <unordered_map>

#include "runtime/onnx/kernels/ml_common.h"
#include "runtime/onnx/kernels/ml_ops.h"

namespace finserve::runtime::onnx {
namespace {

template <typename T>
std::string ValueText(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return "'" + v + "'";
  } else {
    return std::to_string(v);
  }
}

// ---- OneHotEncoder

template <typename T>
class OneHotEncoderKernel final : public Kernel {
 public:
  using Key = std::conditional_t<std::is_same_v<T, std::string>, std::string, int64_t>;
  OneHotEncoderKernel(std::unordered_map<Key, int64_t> index, int64_t categories, bool zeros)
      : index_(std::move(index)), categories_(categories), zeros_(zeros) {}

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    Dims shape = x.shape;
    shape.push_back(categories_);
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, shape));
    float* out = y->mutable_data_as<float>();
    std::fill_n(out, x.size() * categories_, 0.0f);
    const T* in = x.data_as<T>();
    for (int64_t i = 0; i < x.size(); ++i) {
      const int64_t k = Lookup(in[i]);
      if (k >= 0) {
        out[i * categories_ + k] = 1.0f;
      } else if (!zeros_) {
        return InvalidArgument("element " + std::to_string(i) + " (" + ValueText(in[i]) +
                               ") is not a known category and zeros = 0");
      }
    }
    return Status::Ok();
  }

 private:
  int64_t Lookup(const T& v) const {
    if constexpr (std::is_floating_point_v<T>) {
      if (!std::isfinite(v) || std::abs(v) >= 9.2e18) return -1;
    }
    auto it = index_.find(static_cast<Key>(v));
    return it == index_.end() ? -1 : it->second;
  }

  std::unordered_map<Key, int64_t> index_;
  int64_t categories_;
  bool zeros_;
};

template <typename Key>
Result<std::unordered_map<Key, int64_t>> IndexCategories(const KernelInfo& info, const std::vector<Key>& cats,
                                                         std::string_view name) {
  std::unordered_map<Key, int64_t> index;
  for (size_t i = 0; i < cats.size(); ++i) {
    if (!index.emplace(cats[i], static_cast<int64_t>(i)).second) {
      return info.Error("'" + std::string(name) + "' lists " + ValueText(cats[i]) + " twice");
    }
  }
  return index;
}

template <typename T>
Result<std::unique_ptr<Kernel>> MakeNumericOneHot(const KernelInfo& info, const std::vector<int64_t>& cats, bool zeros) {
  FS_ASSIGN_OR_RETURN(auto index, IndexCategories(info, cats, "cats_int64s"));
  return std::unique_ptr<Kernel>(
      new OneHotEncoderKernel<T>(std::move(index), static_cast<int64_t>(cats.size()), zeros));
}

// ---- LabelEncoder

template <typename K, typename V>
class LabelEncoderKernel final : public Kernel {
 public:
  LabelEncoderKernel(std::unordered_map<K, V> map, V fallback, bool has_nan_key, V nan_value)
      : map_(std::move(map)), fallback_(std::move(fallback)), has_nan_key_(has_nan_key), nan_value_(std::move(nan_value)) {}

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    const K* in = x.data_as<K>();
    V* out = y->mutable_data_as<V>();
    for (int64_t i = 0; i < x.size(); ++i) out[i] = Map(in[i]);
    return Status::Ok();
  }

 private:
  const V& Map(const K& k) const {
    if constexpr (std::is_floating_point_v<K>) {
      if (std::isnan(k)) return has_nan_key_ ? nan_value_ : fallback_;
    }
    auto it = map_.find(k);
    return it == map_.end() ? fallback_ : it->second;
  }

  std::unordered_map<K, V> map_;
  V fallback_;
  bool has_nan_key_;
  V nan_value_;
};

template <typename K, typename V>
Result<std::unique_ptr<Kernel>> MakeLabelEncoder(const KernelInfo& info, const std::vector<K>& keys,
                                                 const std::vector<V>& values, V fallback) {
  if (keys.size() != values.size()) {
    return info.Error("the keys have " + std::to_string(keys.size()) + " entries but the values " +
                      std::to_string(values.size()));
  }
  std::unordered_map<K, V> map;
  bool has_nan = false;
  V nan_value{};
  for (size_t i = 0; i < keys.size(); ++i) {
    bool nan_key = false;
    if constexpr (std::is_floating_point_v<K>) nan_key = std::isnan(keys[i]);
    const bool duplicate = nan_key ? has_nan : !map.emplace(keys[i], values[i]).second;
    if (duplicate) return info.Error("key " + ValueText(keys[i]) + " is listed twice");
    if (nan_key) has_nan = true, nan_value = values[i];
  }
  return std::unique_ptr<Kernel>(new LabelEncoderKernel<K, V>(std::move(map), std::move(fallback), has_nan, nan_value));
}

// Opset 1: classes_strings maps positions to strings and back.
Result<std::unique_ptr<Kernel>> CreateLabelEncoderV1(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(std::vector<std::string> classes, info.attrs().GetStrings("classes_strings"));
  std::vector<int64_t> positions(classes.size());
  for (size_t i = 0; i < classes.size(); ++i) positions[i] = static_cast<int64_t>(i);
  if (info.input_type(0) == DataType::kBytes) {
    FS_ASSIGN_OR_RETURN(int64_t fallback, info.attrs().GetInt("default_int64", -1));
    return MakeLabelEncoder<std::string, int64_t>(info, classes, positions, fallback);
  }
  FS_ASSIGN_OR_RETURN(std::string fallback, info.attrs().GetString("default_string", "_Unused"));
  return MakeLabelEncoder<int64_t, std::string>(info, positions, classes, fallback);
}

// Opset 2: exactly one keys_* and one values_* attribute, matching the input and output types.
struct LabelEncoderAttrs {
  std::vector<std::string> key_strings, value_strings;
  std::vector<int64_t> key_ints, value_ints;
  std::vector<float> key_floats, value_floats;
};

template <typename K>
Result<std::unique_ptr<Kernel>> LabelEncoderFromKeys(const KernelInfo& info, const LabelEncoderAttrs& a,
                                                     const std::vector<K>& keys) {
  switch (info.output_type(0)) {
    case DataType::kBytes: {
      FS_ASSIGN_OR_RETURN(std::string fallback, info.attrs().GetString("default_string", "_Unused"));
      return MakeLabelEncoder<K, std::string>(info, keys, a.value_strings, fallback);
    }
    case DataType::kInt64: {
      FS_ASSIGN_OR_RETURN(int64_t fallback, info.attrs().GetInt("default_int64", -1));
      return MakeLabelEncoder<K, int64_t>(info, keys, a.value_ints, fallback);
    }
    case DataType::kFp32: {
      FS_ASSIGN_OR_RETURN(float fallback, info.attrs().GetFloat("default_float", -0.0f));
      return MakeLabelEncoder<K, float>(info, keys, a.value_floats, fallback);
    }
    default: return info.Unsupported("LabelEncoder output " + std::string(DataTypeName(info.output_type(0))));
  }
}

Result<std::unique_ptr<Kernel>> CreateLabelEncoderV2(const KernelInfo& info) {
  LabelEncoderAttrs a;
  FS_ASSIGN_OR_RETURN(a.key_strings, info.attrs().GetStrings("keys_strings"));
  FS_ASSIGN_OR_RETURN(a.key_ints, info.attrs().GetInts("keys_int64s"));
  FS_ASSIGN_OR_RETURN(a.key_floats, info.attrs().GetFloats("keys_floats"));
  FS_ASSIGN_OR_RETURN(a.value_strings, info.attrs().GetStrings("values_strings"));
  FS_ASSIGN_OR_RETURN(a.value_ints, info.attrs().GetInts("values_int64s"));
  FS_ASSIGN_OR_RETURN(a.value_floats, info.attrs().GetFloats("values_floats"));
  const int key_kinds = !a.key_strings.empty() + !a.key_ints.empty() + !a.key_floats.empty();
  const int value_kinds = !a.value_strings.empty() + !a.value_ints.empty() + !a.value_floats.empty();
  if (key_kinds != 1 || value_kinds != 1) {
    return info.Error("exactly one keys_* and one values_* attribute must be given (non-empty)");
  }
  const DataType in = info.input_type(0);
  const DataType keys_type = !a.key_strings.empty() ? DataType::kBytes
                             : !a.key_ints.empty()  ? DataType::kInt64
                                                    : DataType::kFp32;
  const DataType out = info.output_type(0);
  const DataType values_type = !a.value_strings.empty() ? DataType::kBytes
                               : !a.value_ints.empty()  ? DataType::kInt64
                                                        : DataType::kFp32;
  if (in != keys_type || out != values_type) {
    return info.Error("input " + std::string(DataTypeName(in)) + " / output " + std::string(DataTypeName(out)) +
                      " do not match keys of " + std::string(DataTypeName(keys_type)) + " / values of " +
                      std::string(DataTypeName(values_type)));
  }
  if (in == DataType::kBytes) return LabelEncoderFromKeys(info, a, a.key_strings);
  if (in == DataType::kInt64) return LabelEncoderFromKeys(info, a, a.key_ints);
  return LabelEncoderFromKeys(info, a, a.key_floats);
}

// ---- ArrayFeatureExtractor

template <typename T>
class ArrayFeatureExtractorKernel final : public Kernel {
 public:
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    const TensorData& y = ctx.Input(1);
    if (x.rank() == 0) return InvalidArgument("X must have at least one dimension");
    const int64_t stride = x.shape.back();
    const int64_t k = y.size();
    const int64_t* idx = y.data_as<int64_t>();
    for (int64_t j = 0; j < k; ++j) {
      if (idx[j] < 0 || idx[j] >= stride) {
        return InvalidArgument("index Y[" + std::to_string(j) + "] = " + std::to_string(idx[j]) +
                               " is out of range [0, " + std::to_string(stride) + ")");
      }
    }
    Dims shape = x.rank() == 1 ? Dims{1, k} : x.shape;
    shape.back() = k;
    FS_ASSIGN_OR_RETURN(TensorData * z, ctx.Output(0, shape));
    const T* in = x.data_as<T>();
    T* out = z->mutable_data_as<T>();
    const int64_t outer = stride == 0 ? 0 : x.size() / stride;
    for (int64_t r = 0; r < outer; ++r) {
      for (int64_t j = 0; j < k; ++j) out[r * k + j] = in[r * stride + idx[j]];
    }
    return Status::Ok();
  }
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreateOneHotEncoder(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> ints, info.attrs().GetInts("cats_int64s"));
  FS_ASSIGN_OR_RETURN(std::vector<std::string> strings, info.attrs().GetStrings("cats_strings"));
  FS_ASSIGN_OR_RETURN(int64_t zeros, info.attrs().GetInt("zeros", 1));
  if (ints.empty() == strings.empty()) return info.Error("exactly one of 'cats_int64s' and 'cats_strings' must be given");
  const DataType t = info.input_type(0);
  if ((t == DataType::kBytes) != !strings.empty()) {
    return info.Error(std::string(DataTypeName(t)) + " input needs '" +
                      (t == DataType::kBytes ? "cats_strings" : "cats_int64s") + "'");
  }
  switch (t) {
    case DataType::kBytes: {
      FS_ASSIGN_OR_RETURN(auto index, IndexCategories(info, strings, "cats_strings"));
      return std::unique_ptr<Kernel>(
          new OneHotEncoderKernel<std::string>(std::move(index), static_cast<int64_t>(strings.size()), zeros != 0));
    }
    case DataType::kInt64: return MakeNumericOneHot<int64_t>(info, ints, zeros != 0);
    case DataType::kInt32: return MakeNumericOneHot<int32_t>(info, ints, zeros != 0);
    case DataType::kFp32: return MakeNumericOneHot<float>(info, ints, zeros != 0);
    case DataType::kFp64: return MakeNumericOneHot<double>(info, ints, zeros != 0);
    default: return info.Unsupported("OneHotEncoder on " + std::string(DataTypeName(t)));
  }
}

Result<std::unique_ptr<Kernel>> CreateLabelEncoder(const KernelInfo& info) {
  return info.opset() < 2 ? CreateLabelEncoderV1(info) : CreateLabelEncoderV2(info);
}

Result<std::unique_ptr<Kernel>> CreateArrayFeatureExtractor(const KernelInfo& info) {
  switch (info.input_type(0)) {
    case DataType::kFp32: return std::unique_ptr<Kernel>(new ArrayFeatureExtractorKernel<float>());
    case DataType::kFp64: return std::unique_ptr<Kernel>(new ArrayFeatureExtractorKernel<double>());
    case DataType::kInt32: return std::unique_ptr<Kernel>(new ArrayFeatureExtractorKernel<int32_t>());
    case DataType::kInt64: return std::unique_ptr<Kernel>(new ArrayFeatureExtractorKernel<int64_t>());
    case DataType::kBytes: return std::unique_ptr<Kernel>(new ArrayFeatureExtractorKernel<std::string>());
    default: return info.Unsupported("ArrayFeatureExtractor on " + std::string(DataTypeName(info.input_type(0))));
  }
}

}  // namespace finserve::runtime::onnx
