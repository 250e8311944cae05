// Constant, ConstantOfShape and Range: tensors made from attributes or scalar inputs.
#include <cmath>

#include "core/shape.h"
#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/misc_ops.h"
#include "runtime/onnx/kernels/saturate_cast.h"

namespace finserve::runtime::onnx {
namespace {

class ConstantKernel final : public Kernel {
 public:
  explicit ConstantKernel(OwnedTensor value) : value_(std::move(value)) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& v = value_.data();
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, v.shape));
    CopyElements(v.dtype, v.data, y->data, v.size());
    return Status::Ok();
  }

 private:
  OwnedTensor value_;
};

template <typename T, typename Values>
Result<OwnedTensor> VectorTensor(const Values& values, bool scalar) {
  FS_ASSIGN_OR_RETURN(OwnedTensor t, OwnedTensor::Allocate(DataTypeOf<T>(), scalar ? Dims{} : Dims{static_cast<int64_t>(values.size())}));
  for (size_t i = 0; i < values.size(); ++i) t.data().mutable_data_as<T>()[i] = values[i];
  return t;
}

Result<OwnedTensor> ConstantValue(const KernelInfo& info) {
  const NodeAttributes& a = info.attrs();
  if (a.Has("sparse_value")) return info.Unsupported("sparse constants are not supported");
  if (a.Has("value")) return a.RequireTensor("value");
  if (a.Has("value_float")) {
    FS_ASSIGN_OR_RETURN(float v, a.GetFloat("value_float", 0));
    return VectorTensor<float>(std::vector<float>{v}, true);
  }
  if (a.Has("value_int")) {
    FS_ASSIGN_OR_RETURN(int64_t v, a.GetInt("value_int", 0));
    return VectorTensor<int64_t>(std::vector<int64_t>{v}, true);
  }
  if (a.Has("value_floats")) {
    FS_ASSIGN_OR_RETURN(std::vector<float> v, a.GetFloats("value_floats"));
    return VectorTensor<float>(v, false);
  }
  if (a.Has("value_ints")) {
    FS_ASSIGN_OR_RETURN(std::vector<int64_t> v, a.GetInts("value_ints"));
    return VectorTensor<int64_t>(v, false);
  }
  const bool scalar = a.Has("value_string");
  if (scalar || a.Has("value_strings")) {
    std::vector<std::string> v;
    if (scalar) {
      FS_ASSIGN_OR_RETURN(std::string s, a.GetString("value_string", ""));
      v.push_back(std::move(s));
    } else {
      FS_ASSIGN_OR_RETURN(v, a.GetStrings("value_strings"));
    }
    FS_ASSIGN_OR_RETURN(OwnedTensor t, OwnedTensor::Allocate(DataType::kBytes, scalar ? Dims{} : Dims{static_cast<int64_t>(v.size())}));
    for (size_t i = 0; i < v.size(); ++i) t.data().mutable_data_as<std::string>()[i] = v[i];
    return t;
  }
  return info.Error("Constant has no value attribute");
}

class ConstantOfShapeKernel final : public Kernel {
 public:
  explicit ConstantOfShapeKernel(OwnedTensor value) : value_(std::move(value)) {}
  Status Compute(KernelContext& ctx) const override {
    FS_ASSIGN_OR_RETURN(Dims shape, ReadInts(ctx.Input(0)));
    FS_RETURN_IF_ERROR(Shape::CheckedElementCount(shape, kMaxTensorElements).status());
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, std::move(shape)));
    const TensorData& v = value_.data();
    FillElements(v.dtype, v.data, y->data, y->size());
    return Status::Ok();
  }

 private:
  OwnedTensor value_;
};

template <typename T>
Status RangeFill(KernelContext& ctx) {
  const double start = ScalarAsDouble(ctx.Input(0)), limit = ScalarAsDouble(ctx.Input(1)), delta = ScalarAsDouble(ctx.Input(2));
  if (delta == 0) return InvalidArgument("Range: delta must not be 0");
  const double count = std::ceil((limit - start) / delta);
  if (!(count < static_cast<double>(kMaxTensorElements))) return InvalidArgument("Range: too many elements");
  const int64_t n = count > 0 ? static_cast<int64_t>(count) : 0;
  FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, {n}));
  T* out = y->mutable_data_as<T>();
  const T s = ctx.Input(0).data_as<T>()[0], d = ctx.Input(2).data_as<T>()[0];
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(s + static_cast<T>(i) * d);
  return Status::Ok();
}

class RangeKernel final : public Kernel {
 public:
  explicit RangeKernel(Status (*fill)(KernelContext&)) : fill_(fill) {}
  Status Compute(KernelContext& ctx) const override {
    for (size_t i = 0; i < 3; ++i) {
      if (ctx.Input(i).size() != 1) return InvalidArgument("Range: inputs must be scalars");
    }
    return fill_(ctx);
  }

 private:
  Status (*fill_)(KernelContext&);
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreateConstant(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(OwnedTensor value, ConstantValue(info));
  if (value.data().dtype != info.output_type(0)) return info.Error("value type does not match the declared output type");
  return std::unique_ptr<Kernel>(new ConstantKernel(std::move(value)));
}

Result<std::unique_ptr<Kernel>> CreateConstantOfShape(const KernelInfo& info) {
  OwnedTensor value;
  if (info.attrs().Has("value")) {
    FS_ASSIGN_OR_RETURN(value, info.attrs().RequireTensor("value"));
    if (value.data().size() != 1) return info.Error("'value' must hold exactly one element");
  } else {
    FS_ASSIGN_OR_RETURN(value, OwnedTensor::Allocate(DataType::kFp32, {1}));
  }
  if (value.data().dtype != info.output_type(0)) return info.Error("value type does not match the declared output type");
  return std::unique_ptr<Kernel>(new ConstantOfShapeKernel(std::move(value)));
}

Result<std::unique_ptr<Kernel>> CreateRange(const KernelInfo& info) {
  Status (*fill)(KernelContext&) = nullptr;
  switch (info.input_type(0)) {
    case DataType::kFp32: fill = &RangeFill<float>; break;
    case DataType::kFp64: fill = &RangeFill<double>; break;
    case DataType::kInt16: fill = &RangeFill<int16_t>; break;
    case DataType::kInt32: fill = &RangeFill<int32_t>; break;
    case DataType::kInt64: fill = &RangeFill<int64_t>; break;
    default: return info.Unsupported("Range on " + std::string(DataTypeName(info.input_type(0))));
  }
  return std::unique_ptr<Kernel>(new RangeKernel(fill));
}

}  // namespace finserve::runtime::onnx
