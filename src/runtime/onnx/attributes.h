// NodeAttributes: typed, checked access to one NodeProto's attributes while its kernel is created.
//
// Every getter reports a wrong attribute type or a missing required attribute as InvalidArgument
// naming the attribute; the caller adds the node context. Borrows the NodeProto (load time only);
// not thread-safe beyond const use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "runtime/onnx/tensor_data.h"

namespace onnx {
class NodeProto;
class AttributeProto;
}  // namespace onnx

namespace finserve::runtime::onnx {

class NodeAttributes {
 public:
  // `model_dir` resolves external data of tensor attributes.
  NodeAttributes(const ::onnx::NodeProto& node, std::string model_dir);

  bool Has(std::string_view name) const { return Find(name) != nullptr; }

  Result<int64_t> GetInt(std::string_view name, int64_t default_value) const;
  Result<int64_t> RequireInt(std::string_view name) const;
  Result<float> GetFloat(std::string_view name, float default_value) const;
  Result<std::string> GetString(std::string_view name, std::string default_value) const;
  // Empty when absent.
  Result<std::vector<int64_t>> GetInts(std::string_view name) const;
  Result<std::vector<float>> GetFloats(std::string_view name) const;
  Result<std::vector<std::string>> GetStrings(std::string_view name) const;
  Result<OwnedTensor> RequireTensor(std::string_view name) const;

  // Names of the attributes present, for "unknown attribute" checks and messages.
  std::vector<std::string> Names() const;

 private:
  const ::onnx::AttributeProto* Find(std::string_view name) const;
  Result<const ::onnx::AttributeProto*> FindTyped(std::string_view name, int type, bool required) const;

  const ::onnx::NodeProto& node_;
  std::string model_dir_;
};

}  // namespace finserve::runtime::onnx
