// JSON <-> the serving types of the named-feature endpoint POST /v1/models/{m}[/versions/{v}]:score.
//
// Request:  {"applicant": {"Age": 30, "Home": "rent", "Income": null, ...},
//            "reason_codes": 4 (optional), "id": "..." (optional)}
// Answer:   {"id", "probability", "decision", "threshold", "adverse_class", "method", "space",
//            "reasons": [{"code", "text", "features", "value", "contribution"}],
//            "model": {"name", "version", "model_sha256", "config_sha256"}}
// Applicant values are numbers, strings (categories) or null (missing); anything else, unknown
// top-level fields and malformed JSON are refused saying where. Thread-safe (thread-local parser).
#pragma once

#include <string_view>

#include "core/json_writer.h"
#include "http/json_codec.h"
#include "serving/request.h"

namespace finserve::http {

Status DecodeScoreRequest(std::string_view body, const DecodeLimits& limits, serving::ScoreRequest* request);
void EncodeScoreResponse(const serving::ScoreResponse& response, JsonWriter* w);

}  // namespace finserve::http
