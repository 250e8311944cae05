// The ONNX reader: bytes -> a parsed, validated, shape-inferred ModelProto.
//
//   ParseModel      protobuf parse with size and nesting limits; trailing garbage is refused
//   CheckOpsets     every opset import is a domain we serve ('' / ai.onnx 1-17, ai.onnx.ml 1-3)
//   CheckAndInfer   onnx::checker::check_model, then strict onnx::shape_inference::InferShapes
//
// Library exceptions (ValidationError, InferenceError, anything from protobuf) are caught here
// and returned as InvalidArgument with what ONNX said. Stateless; thread-safe (libonnx's schema
// registry is initialised once and only read).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace onnx {
class ModelProto;
}

namespace finserve::runtime::onnx {

inline constexpr std::string_view kOnnxDomain = "";  // also spelt "ai.onnx" in models
inline constexpr std::string_view kMlDomain = "ai.onnx.ml";
inline constexpr int kMaxOnnxOpset = 17;
inline constexpr int kMaxMlOpset = 3;
inline constexpr int64_t kMaxModelBytes = (int64_t{1} << 31) - 1;  // protobuf's own hard limit

// "" for "ai.onnx" (the default domain has two spellings), otherwise `domain` unchanged.
std::string_view NormalizeDomain(std::string_view domain);
// "ai.onnx" for the default domain, for messages.
std::string_view DisplayDomain(std::string_view domain);

Status ParseModel(std::string_view bytes, ::onnx::ModelProto* model);
Status CheckOpsets(const ::onnx::ModelProto& model);
// Reads every external initializer (and Constant value) into the model, checking each path
// (see tensor_proto.h). Run before CheckAndInfer.
Status InlineExternalData(::onnx::ModelProto* model, const std::string& model_dir);
// Runs the checker, then shape inference, which adds value_info for intermediate values.
Status CheckAndInfer(::onnx::ModelProto* model);
// The two halves of CheckAndInfer. InferShapes(strict = false) types what it can and skips nodes
// whose inputs are untyped (see ml_type_rules.h); strict mode refuses any inference error.
Status CheckModel(const ::onnx::ModelProto& model);
Status InferShapes(::onnx::ModelProto* model, bool strict);

// The opset the model imports for `domain` (normalised), or 0 if it imports none.
int ImportedOpset(const ::onnx::ModelProto& model, std::string_view domain);

}  // namespace finserve::runtime::onnx
