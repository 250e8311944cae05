#include "runtime/onnx/model_reader.h"

#include <exception>
#include <string>

#include <google/protobuf/io/coded_stream.h>

#include "onnx/checker.h"
#include "onnx/defs/schema.h"
#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"
#include "runtime/onnx/tensor_proto.h"

namespace finserve::runtime::onnx {
namespace {

constexpr int kMaxProtoNesting = 64;

// What a failing libonnx call said, first line of it only when it is long.
std::string Brief(const char* what) {
  std::string s(what);
  constexpr size_t kMaxLen = 600;
  if (s.size() > kMaxLen) s = s.substr(0, kMaxLen) + "...";
  return s;
}

}  // namespace

std::string_view NormalizeDomain(std::string_view domain) { return domain == "ai.onnx" ? "" : domain; }

std::string_view DisplayDomain(std::string_view domain) {
  return NormalizeDomain(domain).empty() ? std::string_view("ai.onnx") : domain;
}

Status ParseModel(std::string_view bytes, ::onnx::ModelProto* model) {
  if (bytes.empty()) return InvalidArgument("model file is empty");
  if (static_cast<int64_t>(bytes.size()) > kMaxModelBytes) {
    return InvalidArgument("model file is larger than 2 GiB; store large initializers as external data");
  }
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                            static_cast<int>(bytes.size()));
  in.SetTotalBytesLimit(static_cast<int>(kMaxModelBytes));
  in.SetRecursionLimit(kMaxProtoNesting);
  if (!model->ParseFromCodedStream(&in) || !in.ConsumedEntireMessage()) {
    return InvalidArgument("model file is not a valid ONNX protobuf (truncated or corrupt)");
  }
  if (!model->has_graph()) return InvalidArgument("model has no graph");
  return Status::Ok();
}

int ImportedOpset(const ::onnx::ModelProto& model, std::string_view domain) {
  for (const auto& imp : model.opset_import()) {
    if (NormalizeDomain(imp.domain()) == NormalizeDomain(domain)) return static_cast<int>(imp.version());
  }
  return 0;
}

Status CheckOpsets(const ::onnx::ModelProto& model) {
  if (model.opset_import_size() == 0) return InvalidArgument("model imports no opset");
  for (const auto& imp : model.opset_import()) {
    const std::string_view domain = NormalizeDomain(imp.domain());
    int max_version = 0;
    if (domain == kOnnxDomain) max_version = kMaxOnnxOpset;
    if (domain == kMlDomain) max_version = kMaxMlOpset;
    if (max_version == 0) {
      return Unimplemented("opset import of domain '" + imp.domain() + "' (version " + std::to_string(imp.version()) +
                           ") is not supported: finserve serves ai.onnx and ai.onnx.ml");
    }
    if (imp.version() < 1 || imp.version() > max_version) {
      return Unimplemented("domain '" + std::string(DisplayDomain(domain)) + "' opset " +
                           std::to_string(imp.version()) + " is not supported (supported: 1-" +
                           std::to_string(max_version) + ")");
    }
  }
  return Status::Ok();
}

Status InlineExternalData(::onnx::ModelProto* model, const std::string& model_dir) {
  auto* graph = model->mutable_graph();
  for (auto& init : *graph->mutable_initializer()) FS_RETURN_IF_ERROR(InlineExternalData(&init, model_dir));
  for (auto& node : *graph->mutable_node()) {
    for (auto& attr : *node.mutable_attribute()) {
      if (attr.has_t()) FS_RETURN_IF_ERROR(InlineExternalData(attr.mutable_t(), model_dir));
    }
  }
  return Status::Ok();
}

Status CheckAndInfer(::onnx::ModelProto* model) {
  FS_RETURN_IF_ERROR(CheckModel(*model));
  return InferShapes(model, /*strict=*/true);
}

Status CheckModel(const ::onnx::ModelProto& model) {
  try {
    ::onnx::checker::check_model(model);
  } catch (const ::onnx::checker::ValidationError& e) {
    return InvalidArgument("ONNX checker: " + Brief(e.what()));
  } catch (const std::exception& e) {
    return InvalidArgument("ONNX checker failed: " + Brief(e.what()));
  } catch (...) {
    return InvalidArgument("ONNX checker failed with an unknown error");
  }
  return Status::Ok();
}

Status InferShapes(::onnx::ModelProto* model, bool strict) {
  try {
    ::onnx::ShapeInferenceOptions options(/*check_type_val=*/true, /*strict_mode_val=*/strict ? 1 : 0,
                                          /*data_prop_val=*/false);
    ::onnx::shape_inference::InferShapes(*model, ::onnx::OpSchemaRegistry::Instance(), options);
  } catch (const ::onnx::InferenceError& e) {
    return InvalidArgument("ONNX shape inference: " + Brief(e.what()));
  } catch (const std::exception& e) {
    return InvalidArgument("ONNX shape inference failed: " + Brief(e.what()));
  } catch (...) {
    return InvalidArgument("ONNX shape inference failed with an unknown error");
  }
  return Status::Ok();
}

}  // namespace finserve::runtime::onnx
