// The byte-exact JSON forms of requests and outputs used by decision records (decision_audit.h).
#include <cstring>
#include <exception>

#include "audit/crypto.h"
#include "core/json_writer.h"
#include "core/sha256.h"
#include "serving/decision_audit.h"

namespace finserve::serving {
namespace {

void WriteTensorExact(const std::string& name, const Tensor& t, JsonWriter* w) {
  w->BeginObject().Field("name", name).Field("datatype", DataTypeName(t.dtype()));
  w->Key("shape").BeginArray();
  for (int64_t d : t.shape().dims()) w->Int(d);
  w->EndArray();
  if (t.dtype() == DataType::kBytes) {
    w->Key("strings").BeginArray();
    for (int64_t i = 0; i < t.num_elements(); ++i) w->String(audit::Base64Encode(t.string_at(i)));
    w->EndArray();
  } else {
    w->Field("data_b64", audit::Base64Encode({static_cast<const char*>(t.raw_data()), t.byte_size()}));
  }
  w->EndObject();
}

Result<Tensor> ReadTensorExact(const nlohmann::json& j, std::string* name) {
  *name = j.at("name").get<std::string>();
  const DataType dtype = DataTypeFromName(j.at("datatype").get<std::string>());
  if (dtype == DataType::kInvalid) return InvalidArgument("stored input '" + *name + "' has an unknown datatype");
  Shape shape(j.at("shape").get<std::vector<int64_t>>());
  FS_ASSIGN_OR_RETURN(int64_t count, Shape::CheckedElementCount(shape.span(), int64_t{1} << 40));
  if (dtype == DataType::kBytes) {
    std::vector<std::string> values;
    for (const auto& s : j.at("strings")) {
      FS_ASSIGN_OR_RETURN(std::string v, audit::Base64Decode(s.get<std::string>()));
      values.push_back(std::move(v));
    }
    if (static_cast<int64_t>(values.size()) != count) return InvalidArgument("stored input '" + *name + "' is short");
    return Tensor::FromStrings(std::move(shape), std::span<const std::string>(values));
  }
  FS_ASSIGN_OR_RETURN(std::string bytes, audit::Base64Decode(j.at("data_b64").get<std::string>()));
  if (bytes.size() != static_cast<size_t>(count) * DataTypeSize(dtype)) {
    return InvalidArgument("stored input '" + *name + "' has " + std::to_string(bytes.size()) + " bytes for shape " +
                           shape.ToString());
  }
  Tensor t = Tensor::Uninitialized(dtype, std::move(shape));
  if (!bytes.empty()) std::memcpy(t.raw_data(), bytes.data(), bytes.size());
  return t;
}

void WriteParameters(const Parameters& p, JsonWriter* w) {
  w->BeginObject();
  for (const auto& [key, value] : p.items()) {
    w->Key(key);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, bool>) w->Bool(v);
          else if constexpr (std::is_same_v<T, int64_t>) w->Int(v);
          else if constexpr (std::is_same_v<T, double>) w->Double(v);
          else w->String(v);
        },
        value);
  }
  w->EndObject();
}

Parameters ReadParameters(const nlohmann::json& j) {
  Parameters p;
  for (const auto& [key, value] : j.items()) {
    if (value.is_boolean()) p.Set(key, value.get<bool>());
    else if (value.is_number_integer()) p.Set(key, value.get<int64_t>());
    else if (value.is_number()) p.Set(key, value.get<double>());
    else if (value.is_string()) p.Set(key, value.get<std::string>());
  }
  return p;
}

}  // namespace

std::string SerializeRequestForAudit(const InferRequest& request) {
  JsonWriter w;
  size_t tensor_bytes = 0;
  for (const auto& input : request.inputs) tensor_bytes += input.tensor.byte_size();
  w.Reserve(256 + tensor_bytes * 4 / 3 + 160 * request.inputs.size());  // base64 data: one allocation
  w.BeginObject().Field("model_version", request.model_version).Field("id", request.id);
  w.Key("parameters");
  WriteParameters(request.parameters, &w);
  w.Key("inputs").BeginArray();
  for (const auto& input : request.inputs) {
    w.BeginObject().Key("tensor");
    WriteTensorExact(input.name, input.tensor, &w);
    w.Key("parameters");
    WriteParameters(input.parameters, &w);
    w.EndObject();
  }
  w.EndArray().Key("outputs").BeginArray();
  for (const auto& output : request.outputs) {
    w.BeginObject().Field("name", output.name).Key("parameters");
    WriteParameters(output.parameters, &w);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

Result<InferRequest> DeserializeAuditedRequest(std::string_view json) {
  try {
    const nlohmann::json j = nlohmann::json::parse(json);
    InferRequest r;
    r.model_version = j.at("model_version").get<std::string>();
    r.id = j.at("id").get<std::string>();
    r.parameters = ReadParameters(j.at("parameters"));
    for (const auto& in : j.at("inputs")) {
      InferInput input;
      FS_ASSIGN_OR_RETURN(input.tensor, ReadTensorExact(in.at("tensor"), &input.name));
      input.dtype = input.tensor.dtype();
      input.parameters = ReadParameters(in.at("parameters"));
      r.inputs.push_back(std::move(input));
    }
    for (const auto& out : j.at("outputs")) {
      r.outputs.push_back({out.at("name").get<std::string>(), ReadParameters(out.at("parameters"))});
    }
    return r;
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("stored inputs are not a finserve request: ") + e.what());
  }
}

std::string OutputsDigest(const InferResponse& response) {
  JsonWriter w;
  size_t tensor_bytes = 0;
  for (const auto& out : response.outputs) tensor_bytes += out.tensor.byte_size();
  w.Reserve(64 + tensor_bytes * 4 / 3 + 160 * response.outputs.size());
  w.BeginArray();
  for (const auto& out : response.outputs) WriteTensorExact(out.name, out.tensor, &w);
  w.EndArray();
  return Sha256Hex(w.str());
}

std::string SerializeScoreRequestForAudit(const ScoreRequest& request) {
  JsonWriter w;
  w.BeginObject().Field("kind", "score").Field("model_version", request.model_version).Field("id", request.id);
  if (request.reason_codes) w.Field("reason_codes", *request.reason_codes);
  w.Key("applicant").BeginArray();
  for (const auto& [name, value] : request.applicant) {
    w.BeginArray().String(name);
    if (const double* d = std::get_if<double>(&value)) w.String(audit::Base64Encode({reinterpret_cast<const char*>(d), sizeof(double)}));
    else if (const std::string* text = std::get_if<std::string>(&value)) w.BeginArray().String(*text).EndArray();
    else w.Null();
    w.EndArray();
  }
  w.EndArray().EndObject();
  return w.Take();
}

Result<ScoreRequest> DeserializeAuditedScoreRequest(std::string_view json) {
  try {
    const nlohmann::json j = nlohmann::json::parse(json);
    ScoreRequest r;
    r.model_version = j.at("model_version").get<std::string>();
    r.id = j.at("id").get<std::string>();
    if (j.contains("reason_codes")) r.reason_codes = j["reason_codes"].get<int64_t>();
    for (const auto& item : j.at("applicant")) {
      const std::string name = item.at(0).get<std::string>();
      const nlohmann::json& v = item.at(1);
      if (v.is_null()) {
        r.applicant.emplace_back(name, std::monostate());
      } else if (v.is_array()) {
        r.applicant.emplace_back(name, v.at(0).get<std::string>());
      } else {
        FS_ASSIGN_OR_RETURN(std::string bits, audit::Base64Decode(v.get<std::string>()));
        if (bits.size() != sizeof(double)) return InvalidArgument("stored applicant value is not a double");
        double d = 0;
        std::memcpy(&d, bits.data(), sizeof(d));
        r.applicant.emplace_back(name, d);
      }
    }
    return r;
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("stored applicant is not a finserve score request: ") + e.what());
  }
}

std::string ScoreDigest(const ScoreResponse& response) {
  JsonWriter w;
  w.BeginObject().Field("probability_bits", audit::Base64Encode({reinterpret_cast<const char*>(&response.probability),
                                                                  sizeof(double)}));
  w.Field("decision", response.decision).Field("threshold", response.threshold).Key("reasons");
  WriteReasonsJson(response.reasons, &w);
  w.EndObject();
  return Sha256Hex(w.str());
}

}  // namespace finserve::serving
