#include "runtime/onnx/attributes.h"

#include "onnx/onnx_pb.h"
#include "runtime/onnx/tensor_proto.h"

namespace finserve::runtime::onnx {
namespace {

using ::onnx::AttributeProto;

std::string TypeName(int type) {
  return AttributeProto::AttributeType_IsValid(type)
             ? AttributeProto::AttributeType_Name(static_cast<AttributeProto::AttributeType>(type))
             : "UNKNOWN(" + std::to_string(type) + ")";
}

}  // namespace

NodeAttributes::NodeAttributes(const ::onnx::NodeProto& node, std::string model_dir)
    : node_(node), model_dir_(std::move(model_dir)) {}

const AttributeProto* NodeAttributes::Find(std::string_view name) const {
  for (const auto& a : node_.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

Result<const AttributeProto*> NodeAttributes::FindTyped(std::string_view name, int type, bool required) const {
  const AttributeProto* a = Find(name);
  if (a == nullptr) {
    if (required) return InvalidArgument("required attribute '" + std::string(name) + "' is missing");
    return static_cast<const AttributeProto*>(nullptr);
  }
  if (a->type() != type) {
    return InvalidArgument("attribute '" + std::string(name) + "': expected " + TypeName(type) + ", got " +
                           TypeName(a->type()));
  }
  return a;
}

Result<int64_t> NodeAttributes::GetInt(std::string_view name, int64_t default_value) const {
  FS_ASSIGN_OR_RETURN(const AttributeProto* a, FindTyped(name, AttributeProto::INT, false));
  return a ? a->i() : default_value;
}

Result<int64_t> NodeAttributes::RequireInt(std::string_view name) const {
  FS_ASSIGN_OR_RETURN(const AttributeProto* a, FindTyped(name, AttributeProto::INT, true));
  return a->i();
}

Result<float> NodeAttributes::GetFloat(std::string_view name, float default_value) const {
  FS_ASSIGN_OR_RETURN(const AttributeProto* a, FindTyped(name, AttributeProto::FLOAT, false));
  return a ? a->f() : default_value;
}

Result<std::string> NodeAttributes::GetString(std::string_view name, std::string default_value) const {
  FS_ASSIGN_OR_RETURN(const AttributeProto* a, FindTyped(name, AttributeProto::STRING, false));
  return a ? a->s() : default_value;
}

Result<std::vector<int64_t>> NodeAttributes::GetInts(std::string_view name) const {
  FS_ASSIGN_OR_RETURN(const AttributeProto* a, FindTyped(name, AttributeProto::INTS, false));
  if (!a) return std::vector<int64_t>{};
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

Result<std::vector<float>> NodeAttributes::GetFloats(std::string_view name) const {
  FS_ASSIGN_OR_RETURN(const AttributeProto* a, FindTyped(name, AttributeProto::FLOATS, false));
  if (!a) return std::vector<float>{};
  return std::vector<float>(a->floats().begin(), a->floats().end());
}

Result<std::vector<std::string>> NodeAttributes::GetStrings(std::string_view name) const {
  FS_ASSIGN_OR_RETURN(const AttributeProto* a, FindTyped(name, AttributeProto::STRINGS, false));
  if (!a) return std::vector<std::string>{};
  return std::vector<std::string>(a->strings().begin(), a->strings().end());
}

Result<OwnedTensor> NodeAttributes::RequireTensor(std::string_view name) const {
  FS_ASSIGN_OR_RETURN(const AttributeProto* a, FindTyped(name, AttributeProto::TENSOR, true));
  Result<OwnedTensor> t = TensorFromProto(a->t(), model_dir_);
  if (!t.ok()) return t.status().WithContext("attribute '" + std::string(name) + "'");
  return t;
}

std::vector<std::string> NodeAttributes::Names() const {
  std::vector<std::string> names;
  for (const auto& a : node_.attribute()) names.push_back(a.name());
  return names;
}

}  // namespace finserve::runtime::onnx
