#include "runtime/onnx/tensor_file.h"

#include <span>

#include "core/env.h"
#include "onnx/onnx_pb.h"
#include "runtime/onnx/tensor_proto.h"

namespace finserve::runtime::onnx {

Result<Tensor> ReadTensorFile(const std::string& path) {
  FS_ASSIGN_OR_RETURN(std::string bytes, Env::Default()->ReadFile(path));
  ::onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes)) return InvalidArgument(path + ": not a serialized ONNX TensorProto");
  Result<OwnedTensor> owned = TensorFromProto(proto, "");
  if (!owned.ok()) return InvalidArgument(path + ": " + owned.status().message());
  const TensorData& d = owned->data();
  if (d.dtype == DataType::kBytes) {
    return Tensor::FromStrings(Shape(d.shape), std::span<const std::string>(d.data_as<std::string>(), d.size()));
  }
  TensorView v;
  v.dtype = d.dtype;
  v.shape = d.shape;
  v.data = d.data;
  v.byte_size = static_cast<size_t>(d.size()) * DataTypeSize(d.dtype);
  return Tensor::CopyOf(v);
}

}  // namespace finserve::runtime::onnx
