// The training job routes (finserve additions under /v1/training):
//   POST   /v1/training/jobs        body {"model", "target", "algorithm", "positive"?, "seed"?,
//                                         "params"?: {...}, "data_file": "name.csv" | "data_csv": "..."}
//                                   -> 202 with the job's status
//   GET    /v1/training/jobs        -> {"jobs": [status, ...]}
//   GET    /v1/training/jobs/{id}   -> status (state, progress, stage, version, metrics, error)
//   DELETE /v1/training/jobs/{id}   -> status after cancelling
// Every route needs the `train` scope; a key limited to some models only sees and trains those.
#include <algorithm>
#include <iterator>

#include <nlohmann/json.hpp>

#include "http/routes.h"
#include "http/status_http.h"

namespace finserve::http {
namespace {

using nlohmann::json;
using serving::TrainingService;

Status ReadString(const json& body, const char* key, bool required, std::string* out) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    return required ? InvalidArgument(std::string("'") + key + "' is required") : Status::Ok();
  }
  if (!it->is_string()) return InvalidArgument(std::string("'") + key + "' must be a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

Result<serving::TrainingJobRequest> DecodeJobRequest(std::string_view text) {
  json body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return InvalidArgument("the body must be a JSON object");
  static const char* kKeys[] = {"model", "target", "algorithm", "positive", "seed", "params", "data_file", "data_csv"};
  for (const auto& item : body.items()) {
    const std::string& key = item.key();
    if (std::find_if(std::begin(kKeys), std::end(kKeys), [&key](const char* k) { return key == k; }) == std::end(kKeys)) {
      return InvalidArgument("unknown field '" + key +
                             "' (known: model, target, algorithm, positive, seed, params, data_file, data_csv)");
    }
  }
  serving::TrainingJobRequest r;
  FS_RETURN_IF_ERROR(ReadString(body, "model", true, &r.model));
  FS_RETURN_IF_ERROR(ReadString(body, "target", true, &r.target));
  FS_RETURN_IF_ERROR(ReadString(body, "algorithm", true, &r.algorithm));
  FS_RETURN_IF_ERROR(ReadString(body, "positive", false, &r.positive));
  FS_RETURN_IF_ERROR(ReadString(body, "data_file", false, &r.data_file));
  FS_RETURN_IF_ERROR(ReadString(body, "data_csv", false, &r.data_csv));
  if (auto it = body.find("seed"); it != body.end() && !it->is_null()) {
    if (!it->is_number_unsigned()) return InvalidArgument("'seed' must be a non-negative integer");
    r.seed = it->get<uint64_t>();
  }
  if (auto it = body.find("params"); it != body.end() && !it->is_null()) {
    if (!it->is_object()) return InvalidArgument("'params' must be an object (the parameters file's sections)");
    r.params = *it;
  }
  return r;
}

HttpResponse StatusResponse(int code, const Result<serving::TrainingJobStatus>& status) {
  if (!status.ok()) return ErrorResponse(status.status());
  return JsonResponse(code, status->ToJson().dump());
}

}  // namespace

void AddTrainingRoutes(Router* router, TrainingService* training) {
  const RouteAccess train = RouteAccess::Needs(serving::auth::Scope::kTrain);
  router->Add("POST", "/v1/training/jobs", train, [training](const HttpRequest& req, const RouteParams&, Responder done) {
    auto request = DecodeJobRequest(req.body);
    if (!request.ok()) return done(ErrorResponse(request.status()));
    done(StatusResponse(202, training->Submit(std::move(*request), req.principal.get())));
  });
  router->Add("GET", "/v1/training/jobs", train, [training](const HttpRequest& req, const RouteParams&, Responder done) {
    json jobs = json::array();
    for (const auto& s : training->List(req.principal.get())) jobs.push_back(s.ToJson());
    done(JsonResponse(200, json{{"jobs", jobs}}.dump()));
  });
  router->Add("GET", "/v1/training/jobs/{id}", train, [training](const HttpRequest& req, const RouteParams& p, Responder done) {
    done(StatusResponse(200, training->Get(ParamOr(p, "id"), req.principal.get())));
  });
  router->Add("DELETE", "/v1/training/jobs/{id}", train,
              [training](const HttpRequest& req, const RouteParams& p, Responder done) {
                done(StatusResponse(200, training->Cancel(ParamOr(p, "id"), req.principal.get())));
              });
}

}  // namespace finserve::http
