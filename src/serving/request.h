// The product's request and response types, independent of any wire format. Front ends decode
// HTTP/JSON or gRPC into an InferRequest and encode an InferResponse; nothing below them knows
// about the wire. Value types; a request owns its tensors.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/data_type.h"
#include "core/json_writer.h"
#include "core/tensor.h"
#include "serving/auth/principal.h"

namespace finserve::serving {

using ParameterValue = std::variant<bool, int64_t, double, std::string>;

// The front end a request came through (a metric label). kOther: in-process callers (CLI, tests).
enum class Protocol : int { kOther = 0, kHttp = 1, kGrpc = 2 };
inline constexpr int kProtocolCount = 3;
std::string_view ProtocolName(Protocol protocol);  // "other", "http", "grpc"

// OIP `parameters`: a small ordered map (requests carry a handful at most).
class Parameters {
 public:
  void Set(std::string key, ParameterValue value);
  const ParameterValue* Find(std::string_view key) const;
  bool empty() const { return items_.empty(); }
  const std::vector<std::pair<std::string, ParameterValue>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, ParameterValue>> items_;
};

struct InferInput {
  std::string name;
  DataType dtype = DataType::kInvalid;
  Tensor tensor;  // shape and data as the client sent them
  Parameters parameters;
};

struct RequestedOutput {
  std::string name;
  Parameters parameters;
};

struct InferRequest {
  std::string model_name;
  std::string model_version;  // as on the wire; empty = server picks by policy
  std::string id;             // OIP `id`, echoed
  Parameters parameters;
  std::vector<InferInput> inputs;
  std::vector<RequestedOutput> outputs;  // empty = all outputs
  // Who asked (set by the front end after authentication; the anonymous principal when
  // authentication is off). Never null on the server's request path.
  std::shared_ptr<const auth::Principal> principal;
  Protocol protocol = Protocol::kOther;  // set by the front end
};

struct InferOutput {
  std::string name;
  Tensor tensor;
};

struct InferResponse {
  std::string model_name;
  int64_t model_version = 0;
  std::string id;
  std::string model_sha256;
  std::string config_sha256;
  Parameters parameters;  // further parameters to return (besides the two hashes)
  std::vector<InferOutput> outputs;
};

struct TensorMetadata {
  std::string name;
  DataType dtype = DataType::kInvalid;
  std::vector<int64_t> shape;
  std::vector<std::string> features;
};

struct ModelMetadata {
  std::string name;
  std::vector<std::string> versions;  // READY versions
  std::string platform;
  std::vector<TensorMetadata> inputs;
  std::vector<TensorMetadata> outputs;
  // finserve's additions
  int64_t version = 0;  // the version described
  std::string model_sha256;
  std::string config_sha256;
  std::string description;
  std::string owner;
  // Raw features the version also accepts in place of `inputs` (its `features:` preprocessing):
  // numeric ones as FP64 (any numeric type works), categorical ones as BYTES; `features` lists
  // a categorical feature's categories.
  std::vector<TensorMetadata> raw_inputs;
};

struct ServerMetadata {
  std::string name;
  std::string version;
  std::vector<std::string> extensions;
};

// --- named-feature scoring (POST /v1/models/{m}:score) ---

// A raw applicant value: missing (null or absent), a number, or a category name.
using RawValue = std::variant<std::monostate, double, std::string>;
using Applicant = std::vector<std::pair<std::string, RawValue>>;

struct ScoreRequest {
  std::string model_name;
  std::string model_version;  // empty = by policy
  std::string id;             // echoed
  Applicant applicant;
  std::optional<int64_t> reason_codes;  // how many reasons; default from the model's config
  std::shared_ptr<const auth::Principal> principal;  // who asked (audit); null in offline tools
};

// One principal reason of a decision.
struct Reason {
  std::string code;
  std::string text;
  std::vector<std::string> features;                      // as the reason table names them
  std::vector<std::pair<std::string, RawValue>> values;   // per feature: the value the model saw
  double contribution = 0;  // toward the adverse outcome, in the explanation's space (log-odds)
};

// [{"code", "text", "features", "value", "contribution"}, ...]: the reasons of one decision, as
// both the `reason_codes` output and the :score answer give them. `value` is the value the model
// saw (null when missing); for a reason over several features, an object of feature -> value.
void WriteReasonsJson(const std::vector<Reason>& reasons, JsonWriter* w);

struct ScoreResponse {
  std::string id;
  double probability = 0;  // of the adverse class
  std::string decision;    // "approve" or "decline"
  double threshold = 0;
  std::string adverse_class;
  std::string method;      // how the reasons were found, e.g. "tree_shap"
  std::string space;       // what contributions are in, e.g. "log_odds"
  std::vector<Reason> reasons;
  std::string model_name;
  int64_t model_version = 0;
  std::string model_sha256;
  std::string config_sha256;
};

struct RepositoryEntry {
  std::string name;
  std::string version;  // empty for a model on disk that is not loaded
  std::string state;    // READY, LOADING, UNAVAILABLE
  std::string reason;
};

}  // namespace finserve::serving
