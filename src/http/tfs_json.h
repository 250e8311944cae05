// JSON of TensorFlow Serving's REST API (`/v1/models/...`), so clients written for TF Serving
// work unchanged. Its own decode path, because TF Serving's JSON is not plain JSON:
//   - floats may be the literals NaN, Infinity and -Infinity (NaN is a missing value here);
//   - binary values are objects {"b64": "<base64>"};
//   - tensors are nested lists whose shape is read from the nesting.
// Request forms: predict with `instances` (row form: a list of values, or of objects naming
// inputs) or `inputs` (columnar: one value, or an object of name -> value); classify and regress
// with `examples` (objects of feature -> value) and an optional shared `context`. Object keys may
// be the model's inputs or, for versions with a `features:` section, its raw feature columns.
// Answers: `predictions` (row form), `outputs` (columnar), `results` (classify/regress); floats
// as TF Serving writes them (NaN, Infinity); outputs whose name ends in "_bytes" as {"b64": ...}.
// Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/json_writer.h"
#include "core/status.h"
#include "http/json_codec.h"
#include "serving/request.h"

namespace finserve::http {

enum class TfsMethod { kPredict, kClassify, kRegress };

struct TfsDecoded {
  bool row_format = true;  // predict: instances (true) or inputs (false)
};

// Decodes a TF Serving request body into `request` (inputs typed by `metadata`).
Status DecodeTfsRequest(std::string_view body, TfsMethod method, const serving::ModelMetadata& metadata,
                        const DecodeLimits& limits, serving::InferRequest* request, TfsDecoded* decoded);

// Writes the TF Serving answer for `response`.
Status EncodeTfsResponse(const serving::InferResponse& response, TfsMethod method, const TfsDecoded& decoded,
                         JsonWriter* w);

// GET /v1/models/{m}[/versions/{v}]/metadata: model_spec and a `serving_default` signature_def.
void EncodeTfsMetadata(const serving::ModelMetadata& metadata, JsonWriter* w);

// Standard or URL-safe base64, padding optional; false on a character outside the alphabet.
bool Base64Decode(std::string_view in, std::string* out);
std::string Base64Encode(std::string_view in);

// Rewrites NaN / Infinity / -Infinity outside strings into JSON simdjson reads (null and marker
// strings the decoder maps back); returns `body` itself when none occur.
std::string_view RewriteTfsLiterals(std::string_view body, std::string* storage);

}  // namespace finserve::http
