// Scaler, Normalizer, Imputer and Binarizer (ai.onnx.ml 1): per-feature preprocessing on [N, F]
// (or [F]) inputs of FLOAT, DOUBLE, INT32 or INT64, with ONNX Runtime's arithmetic:
//   Scaler      Y = (X - offset) * scale, FLOAT out; offset and scale each empty, one value for
//               every feature, or one per feature (computed in double for DOUBLE input, float else)
//   Normalizer  each row divided by its max (MAX), sum of |x| (L1) or Euclidean norm (L2), in
//               float; a row whose norm is 0 is copied unchanged
//   Imputer     values equal to the replaced value (NaN matches NaN) become the imputed value of
//               their feature; FLOAT/DOUBLE use the *_floats attributes, INT32/INT64 the *_int64s
//   Binarizer   Y = X > threshold ? 1 : 0 in the input's type (NaN gives 0)
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "runtime/onnx/kernels/ml_common.h"
#include "runtime/onnx/kernels/ml_ops.h"

namespace finserve::runtime::onnx {
namespace {

// `values` must be empty, a single value or one per feature.
Status CheckPerFeature(std::string_view name, size_t count, int64_t features) {
  if (count <= 1 || static_cast<int64_t>(count) == features) return Status::Ok();
  return InvalidArgument("'" + std::string(name) + "' has " + std::to_string(count) + " values but X has " +
                         std::to_string(features) + " features");
}

template <typename V>
V PerFeature(const std::vector<V>& v, int64_t f, V none) {
  return v.empty() ? none : v[v.size() == 1 ? 0 : static_cast<size_t>(f)];
}

class ScalerKernel final : public Kernel {
 public:
  ScalerKernel(std::vector<float> offset, std::vector<float> scale) : offset_(std::move(offset)), scale_(std::move(scale)) {}

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(MlRows rows, ReadMlRows(x));
    FS_RETURN_IF_ERROR(CheckPerFeature("offset", offset_.size(), rows.features));
    FS_RETURN_IF_ERROR(CheckPerFeature("scale", scale_.size(), rows.features));
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    if (x.dtype == DataType::kFp64) {
      Run(x.data_as<double>(), rows, y->mutable_data_as<float>());
    } else if (x.dtype == DataType::kFp32) {
      Run(x.data_as<float>(), rows, y->mutable_data_as<float>());
    } else {
      std::vector<float> in(static_cast<size_t>(x.size()));
      ConvertNumeric(x, in.data());
      Run(in.data(), rows, y->mutable_data_as<float>());
    }
    return Status::Ok();
  }

 private:
  template <typename T>
  void Run(const T* in, const MlRows& rows, float* out) const {
    for (int64_t r = 0; r < rows.rows; ++r) {
      for (int64_t f = 0; f < rows.features; ++f) {
        const int64_t i = r * rows.features + f;
        const T offset = PerFeature(offset_, f, 0.0f), scale = PerFeature(scale_, f, 1.0f);
        out[i] = static_cast<float>((in[i] - offset) * scale);
      }
    }
  }

  std::vector<float> offset_, scale_;
};

enum class Norm : uint8_t { kMax, kL1, kL2 };

class NormalizerKernel final : public Kernel {
 public:
  explicit NormalizerKernel(Norm norm) : norm_(norm) {}

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(MlRows rows, ReadMlRows(x));
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    float* out = y->mutable_data_as<float>();
    ConvertNumeric(x, out);
    for (int64_t r = 0; r < rows.rows; ++r) NormalizeRow(out + r * rows.features, rows.features);
    return Status::Ok();
  }

 private:
  void NormalizeRow(float* v, int64_t n) const {
    float norm = 0.0f;
    if (norm_ == Norm::kMax) {
      norm = std::numeric_limits<float>::lowest();
      for (int64_t i = 0; i < n; ++i) norm = std::max(norm, v[i]);
    } else if (norm_ == Norm::kL1) {
      for (int64_t i = 0; i < n; ++i) norm += std::abs(v[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) norm += v[i] * v[i];
    }
    if (n == 0 || norm == 0.0f) return;
    if (norm_ == Norm::kL2) {
      for (int64_t i = 0; i < n; ++i) v[i] = std::copysign(std::sqrt(v[i] * v[i] / norm), v[i]);
      return;
    }
    for (int64_t i = 0; i < n; ++i) v[i] /= norm;
  }

  Norm norm_;
};

template <typename T, typename V>
class ImputerKernel final : public Kernel {
 public:
  ImputerKernel(std::vector<V> imputed, V replaced) : imputed_(std::move(imputed)), replaced_(replaced) {}

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(MlRows rows, ReadMlRows(x));
    FS_RETURN_IF_ERROR(CheckPerFeature("imputed values", imputed_.size(), rows.features));
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    const T* in = x.data_as<T>();
    T* out = y->mutable_data_as<T>();
    const bool replace_nan = std::isnan(static_cast<double>(replaced_));
    for (int64_t r = 0; r < rows.rows; ++r) {
      for (int64_t f = 0; f < rows.features; ++f) {
        const int64_t i = r * rows.features + f;
        const bool hit = replace_nan ? std::isnan(static_cast<double>(in[i])) : Equal(in[i]);
        out[i] = hit ? static_cast<T>(PerFeature(imputed_, f, V(0))) : in[i];
      }
    }
    return Status::Ok();
  }

 private:
  // Floating inputs compare in double, integers as int64 (no rounding either way).
  bool Equal(T v) const {
    if constexpr (std::is_floating_point_v<T>) {
      return static_cast<double>(v) == static_cast<double>(replaced_);
    } else {
      return static_cast<int64_t>(v) == static_cast<int64_t>(replaced_);
    }
  }

  std::vector<V> imputed_;
  V replaced_;
};

template <typename T>
class BinarizerKernel final : public Kernel {
 public:
  explicit BinarizerKernel(float threshold) : threshold_(threshold) {}

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, x.shape));
    const T* in = x.data_as<T>();
    T* out = y->mutable_data_as<T>();
    for (int64_t i = 0; i < x.size(); ++i) out[i] = static_cast<double>(in[i]) > threshold_ ? T(1) : T(0);
    return Status::Ok();
  }

 private:
  double threshold_;
};

template <typename V>
Result<std::unique_ptr<Kernel>> MakeImputer(const KernelInfo& info, std::vector<V> imputed, V replaced) {
  switch (info.input_type(0)) {
    case DataType::kFp32: return std::unique_ptr<Kernel>(new ImputerKernel<float, V>(std::move(imputed), replaced));
    case DataType::kFp64: return std::unique_ptr<Kernel>(new ImputerKernel<double, V>(std::move(imputed), replaced));
    case DataType::kInt32: return std::unique_ptr<Kernel>(new ImputerKernel<int32_t, V>(std::move(imputed), replaced));
    case DataType::kInt64: return std::unique_ptr<Kernel>(new ImputerKernel<int64_t, V>(std::move(imputed), replaced));
    default: return info.Unsupported("Imputer on " + std::string(DataTypeName(info.input_type(0))));
  }
}

Status CheckDeclaredPerFeature(const KernelInfo& info, std::string_view name, size_t count) {
  const int64_t declared = DeclaredFeatures(info);
  if (declared <= 0) return Status::Ok();
  Status s = CheckPerFeature(name, count, declared);
  return s.ok() ? s : info.Error(s.message());
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateScaler(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(std::vector<float> offset, info.attrs().GetFloats("offset"));
  FS_ASSIGN_OR_RETURN(std::vector<float> scale, info.attrs().GetFloats("scale"));
  FS_RETURN_IF_ERROR(CheckDeclaredPerFeature(info, "offset", offset.size()));
  FS_RETURN_IF_ERROR(CheckDeclaredPerFeature(info, "scale", scale.size()));
  return std::unique_ptr<Kernel>(new ScalerKernel(std::move(offset), std::move(scale)));
}

Result<std::unique_ptr<Kernel>> CreateNormalizer(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(std::string norm, info.attrs().GetString("norm", "MAX"));
  if (norm == "MAX") return std::unique_ptr<Kernel>(new NormalizerKernel(Norm::kMax));
  if (norm == "L1") return std::unique_ptr<Kernel>(new NormalizerKernel(Norm::kL1));
  if (norm == "L2") return std::unique_ptr<Kernel>(new NormalizerKernel(Norm::kL2));
  return info.Error("norm '" + norm + "' is not one of MAX, L1, L2");
}

Result<std::unique_ptr<Kernel>> CreateImputer(const KernelInfo& info) {
  const DataType t = info.input_type(0);
  const bool floating = t == DataType::kFp32 || t == DataType::kFp64;
  FS_ASSIGN_OR_RETURN(std::vector<float> floats, info.attrs().GetFloats("imputed_value_floats"));
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> ints, info.attrs().GetInts("imputed_value_int64s"));
  if (floats.empty() == ints.empty()) {
    return info.Error("exactly one of 'imputed_value_floats' and 'imputed_value_int64s' must be given");
  }
  if (floating != !floats.empty()) {
    return info.Error(std::string(DataTypeName(t)) + " input needs '" +
                      (floating ? "imputed_value_floats" : "imputed_value_int64s") + "'");
  }
  FS_RETURN_IF_ERROR(CheckDeclaredPerFeature(info, "imputed values", floating ? floats.size() : ints.size()));
  if (floating) {
    FS_ASSIGN_OR_RETURN(float replaced, info.attrs().GetFloat("replaced_value_float", 0.0f));
    return MakeImputer<float>(info, std::move(floats), replaced);
  }
  FS_ASSIGN_OR_RETURN(int64_t replaced, info.attrs().GetInt("replaced_value_int64", 0));
  return MakeImputer<int64_t>(info, std::move(ints), replaced);
}

Result<std::unique_ptr<Kernel>> CreateBinarizer(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(float threshold, info.attrs().GetFloat("threshold", 0.0f));
  switch (info.input_type(0)) {
    case DataType::kFp32: return std::unique_ptr<Kernel>(new BinarizerKernel<float>(threshold));
    case DataType::kFp64: return std::unique_ptr<Kernel>(new BinarizerKernel<double>(threshold));
    case DataType::kInt32: return std::unique_ptr<Kernel>(new BinarizerKernel<int32_t>(threshold));
    case DataType::kInt64: return std::unique_ptr<Kernel>(new BinarizerKernel<int64_t>(threshold));
    default: return info.Unsupported("Binarizer on " + std::string(DataTypeName(info.input_type(0))));
  }
}

}  // namespace finserve::runtime::onnx
