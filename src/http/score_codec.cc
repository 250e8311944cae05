#include "http/score_codec.h"

#include <simdjson.h>

#include <algorithm>

namespace finserve::http {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr size_t kMaxApplicantFeatures = 10000;

Status Parse(std::string_view body, size_t max_depth, element* doc) {
  thread_local simdjson::dom::parser parser;
  thread_local size_t depth = 0;
  if (depth != max_depth) {
    auto error = parser.allocate(std::max<size_t>(parser.capacity(), 4096), max_depth);
    (void)error;  // a failed allocation resurfaces as MEMALLOC from parse()
    depth = max_depth;
  }
  auto error = parser.parse(body.data(), body.size()).get(*doc);
  if (error == simdjson::DEPTH_ERROR) {
    return InvalidArgument("request JSON is nested deeper than " + std::to_string(max_depth) + " levels");
  }
  if (error) return InvalidArgument(std::string("malformed JSON in request body: ") + simdjson::error_message(error));
  return Status::Ok();
}

Result<serving::RawValue> DecodeValue(std::string_view name, element v) {
  switch (v.type()) {
    case element_type::NULL_VALUE: return serving::RawValue();
    case element_type::INT64: return serving::RawValue(static_cast<double>(v.get_int64().value_unsafe()));
    case element_type::UINT64: return serving::RawValue(static_cast<double>(v.get_uint64().value_unsafe()));
    case element_type::DOUBLE: return serving::RawValue(v.get_double().value_unsafe());
    case element_type::STRING: return serving::RawValue(std::string(v.get_string().value_unsafe()));
    default:
      return InvalidArgument("applicant '" + std::string(name) +
                             "' must be a number, a string (a category) or null (missing)");
  }
}

Status DecodeApplicant(element value, serving::Applicant* applicant) {
  simdjson::dom::object obj;
  if (value.get(obj)) return InvalidArgument("'applicant' must be an object of feature name -> value");
  for (auto [key, v] : obj) {
    if (applicant->size() >= kMaxApplicantFeatures) return InvalidArgument("'applicant' has too many features");
    FS_ASSIGN_OR_RETURN(serving::RawValue raw, DecodeValue(key, v));
    applicant->emplace_back(std::string(key), std::move(raw));
  }
  return Status::Ok();
}

}  // namespace

Status DecodeScoreRequest(std::string_view body, const DecodeLimits& limits, serving::ScoreRequest* request) {
  element doc;
  FS_RETURN_IF_ERROR(Parse(body, limits.max_depth, &doc));
  simdjson::dom::object obj;
  if (doc.get(obj)) return InvalidArgument("request body must be a JSON object with an 'applicant'");
  bool has_applicant = false;
  for (auto [key, value] : obj) {
    if (key == "applicant") {
      FS_RETURN_IF_ERROR(DecodeApplicant(value, &request->applicant));
      has_applicant = true;
    } else if (key == "reason_codes") {
      int64_t k = 0;
      if (value.type() != element_type::INT64 || value.get(k)) return InvalidArgument("'reason_codes' must be an integer");
      request->reason_codes = k;
    } else if (key == "id") {
      std::string_view id;
      if (value.get(id)) return InvalidArgument("'id' must be a string");
      request->id = std::string(id);
    } else {
      return InvalidArgument("unknown field '" + std::string(key) + "' in score request (expected applicant, "
                             "reason_codes, id)");
    }
  }
  if (!has_applicant) return InvalidArgument("score request has no 'applicant'");
  return Status::Ok();
}

void EncodeScoreResponse(const serving::ScoreResponse& r, JsonWriter* w) {
  w->BeginObject();
  if (!r.id.empty()) w->Field("id", r.id);
  w->Key("probability").Float(static_cast<float>(r.probability));
  w->Field("decision", r.decision).Field("threshold", r.threshold).Field("adverse_class", r.adverse_class);
  w->Field("method", r.method);
  if (!r.space.empty()) w->Field("space", r.space);
  w->Key("reasons");
  serving::WriteReasonsJson(r.reasons, w);
  w->Key("model").BeginObject().Field("name", r.model_name).Field("version", std::to_string(r.model_version));
  w->Field("model_sha256", r.model_sha256).Field("config_sha256", r.config_sha256).EndObject();
  w->EndObject();
}

}  // namespace finserve::http
