// TensorFlow Serving's REST API (/v1/models/...), so TF Serving clients work unchanged: model
// status, metadata, and predict / classify / regress (tfs_json.h). Errors are {"error": ...} with
// TF Serving's status mapping (status_http.cc implements the same table).
#include "http/routes.h"
#include "http/status_http.h"
#include "http/tfs_json.h"

namespace finserve::http {
namespace {

using serving::InferenceService;

// TF Serving's ModelVersionStatus.State names for our version states.
std::string_view TfsState(std::string_view state) {
  if (state == "READY") return "AVAILABLE";
  if (state == "LOADING") return "LOADING";
  return "END";
}

void ModelStatus(InferenceService* service, const RouteParams& p, Responder done) {
  const std::string model = ParamOr(p, "model");
  const std::string version = ParamOr(p, "version");
  if (auto v = InferenceService::ParseVersion(version); !v.ok()) return done(ErrorResponse(v.status()));
  auto index = service->RepositoryIndex(false);
  if (!index.ok()) return done(ErrorResponse(index.status()));
  JsonWriter w;
  w.BeginObject().Key("model_version_status").BeginArray();
  int found = 0;
  for (const auto& e : *index) {
    if (e.name != model || e.version.empty() || (!version.empty() && e.version != version)) continue;
    ++found;
    const bool failed = e.state != "READY" && e.state != "LOADING" && !e.reason.empty();
    w.BeginObject().Field("version", e.version).Field("state", TfsState(e.state)).Key("status").BeginObject();
    w.Field("error_code", failed ? "UNKNOWN" : "OK").Field("error_message", failed ? e.reason : "");
    w.EndObject().EndObject();
  }
  w.EndArray().EndObject();
  if (found == 0) {
    return done(ErrorResponse(NotFound(version.empty() ? "Could not find any versions of model " + model
                                                       : "Could not find version " + version + " of model " + model)));
  }
  done(JsonResponse(200, w.Take()));
}

void Metadata(InferenceService* service, const RouteParams& p, Responder done) {
  auto md = service->GetModelMetadata(ParamOr(p, "model"), ParamOr(p, "version"));
  if (!md.ok()) return done(ErrorResponse(md.status()));
  JsonWriter w;
  EncodeTfsMetadata(*md, &w);
  done(JsonResponse(200, w.Take()));
}

void Run(InferenceService* service, const RouteOptions& options, TfsMethod method, const HttpRequest& req,
         const RouteParams& p, Responder done) {
  serving::InferRequest request;
  request.model_name = ParamOr(p, "model");
  request.model_version = ParamOr(p, "version");
  request.principal = req.principal;
  request.protocol = serving::Protocol::kHttp;
  auto md = service->GetModelMetadata(request.model_name, request.model_version);
  if (!md.ok()) {
    service->CountRejected(request.model_name, request.model_version, serving::Protocol::kHttp, md.status());
    return done(ErrorResponse(md.status()));
  }
  TfsDecoded decoded;
  Status s = DecodeTfsRequest(req.body, method, *md, options.limits->Get()->decode, &request, &decoded);
  if (!s.ok()) {
    service->CountRejected(request.model_name, request.model_version, serving::Protocol::kHttp, s);
    return done(ErrorResponse(s));
  }
  service->InferAsync(std::move(request), [method, decoded, done = std::move(done)](
                                              Result<serving::InferResponse> response) {
    if (!response.ok()) return done(ErrorResponse(response.status()));
    JsonWriter w;
    Status encoded = EncodeTfsResponse(*response, method, decoded, &w);
    if (!encoded.ok()) return done(ErrorResponse(encoded));
    done(JsonResponse(200, w.Take()));
  });
}

struct TfsRoute {
  const char* suffix;
  TfsMethod method;
};
constexpr TfsRoute kRunRoutes[] = {
    {":predict", TfsMethod::kPredict}, {":classify", TfsMethod::kClassify}, {":regress", TfsMethod::kRegress}};

}  // namespace

void AddTfServingRoutes(Router* router, InferenceService* service, const RouteOptions& options) {
  const RouteAccess infer = RouteAccess::Needs(serving::auth::Scope::kInfer);
  router->Add("GET", "/v1/models/{model}[/versions/{version}]", infer,
              [service](const HttpRequest&, const RouteParams& p, Responder done) {
                ModelStatus(service, p, std::move(done));
              });
  router->Add("GET", "/v1/models/{model}[/versions/{version}]/metadata", infer,
              [service](const HttpRequest&, const RouteParams& p, Responder done) {
                Metadata(service, p, std::move(done));
              });
  for (const TfsRoute& route : kRunRoutes) {
    router->Add("POST", std::string("/v1/models/{model}[/versions/{version}]") + route.suffix, infer,
                [service, options, method = route.method](const HttpRequest& req, const RouteParams& p,
                                                          Responder done) {
                  Run(service, options, method, req, p, std::move(done));
                });
  }
}

}  // namespace finserve::http
