// Test helpers: build small ONNX models in C++ (through libonnx's protobuf classes), load them
// with OnnxModel, and run them on Tensors. Test-only; not thread-safe.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"
#include "onnx/onnx_pb.h"
#include "runtime/onnx/onnx_model.h"

namespace finserve::runtime::onnx::testing {

// A dim is a number, or -1 for an unnamed dynamic dim; SymbolicDims names them.
struct Dim {
  Dim(int64_t v) : value(v) {}  // NOLINT: implicit for brevity in tests
  Dim(const char* name) : value(-1), param(name) {}  // NOLINT
  int64_t value;
  std::string param;
};

class ModelBuilder {
 public:
  explicit ModelBuilder(int opset = 17, std::string ml_domain_opset = "");

  ModelBuilder& Input(const std::string& name, int elem_type, std::vector<Dim> dims);
  ModelBuilder& Output(const std::string& name, int elem_type, std::vector<Dim> dims);
  ModelBuilder& OutputUntyped(const std::string& name);
  // Adds a node; attributes via the returned proto (helpers below).
  ::onnx::NodeProto& Node(const std::string& op, std::vector<std::string> inputs, std::vector<std::string> outputs,
                          const std::string& domain = "");
  ModelBuilder& Initializer(const std::string& name, const std::vector<float>& values, std::vector<int64_t> dims);
  ModelBuilder& InitializerInt64(const std::string& name, const std::vector<int64_t>& values, std::vector<int64_t> dims);
  ModelBuilder& Import(const std::string& domain, int version);

  ::onnx::ModelProto& proto() { return model_; }
  std::string Bytes() const { return model_.SerializeAsString(); }
  Result<std::unique_ptr<OnnxModel>> Load(const std::string& model_dir = "", int threads = 1) const;

 private:
  ::onnx::ModelProto model_;
};

void SetAttr(::onnx::NodeProto& node, const std::string& name, int64_t value);
void SetAttr(::onnx::NodeProto& node, const std::string& name, float value);
void SetAttr(::onnx::NodeProto& node, const std::string& name, std::vector<int64_t> values);
void SetAttr(::onnx::NodeProto& node, const std::string& name, const std::string& value);
void SetFloats(::onnx::NodeProto& node, const std::string& name, const std::vector<float>& values);
void SetStrings(::onnx::NodeProto& node, const std::string& name, const std::vector<std::string>& values);
// A DOUBLE tensor attribute (the *_as_tensor attributes of ai.onnx.ml opset 3).
void SetDoubleTensor(::onnx::NodeProto& node, const std::string& name, const std::vector<double>& values);

// Runs with all outputs; fails the calling test (via the returned status) on error.
Result<std::vector<Tensor>> RunModel(const OnnxModel& model, const std::vector<Tensor>& inputs);

template <typename T>
std::vector<T> Values(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.num_elements());
}

}  // namespace finserve::runtime::onnx::testing
