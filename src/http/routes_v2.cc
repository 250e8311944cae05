#include <memory>

#include "http/binary_tensors.h"
#include "http/routes.h"
#include "http/status_http.h"

namespace finserve::http {
namespace {

using serving::InferenceService;
using serving::auth::Scope;

HttpResponse HealthResponse(std::string_view key, bool value) {
  JsonWriter w;
  w.BeginObject().Field(key, value).EndObject();
  return JsonResponse(value ? 200 : 503, w.Take());
}

void ServerMetadata(InferenceService* service, Responder done) {
  JsonWriter w;
  EncodeServerMetadata(service->GetServerMetadata(), &w);
  done(JsonResponse(200, w.Take()));
}

void ModelMetadata(InferenceService* service, const RouteParams& p, Responder done) {
  auto md = service->GetModelMetadata(ParamOr(p, "model"), ParamOr(p, "version"));
  if (!md.ok()) return done(ErrorResponse(md.status()));
  JsonWriter w;
  EncodeModelMetadata(*md, &w);
  done(JsonResponse(200, w.Take()));
}

void ModelReady(InferenceService* service, const RouteParams& p, Responder done) {
  const std::string model = ParamOr(p, "model");
  auto ready = service->IsModelReady(model, ParamOr(p, "version"));
  if (!ready.ok()) return done(ErrorResponse(ready.status()));
  JsonWriter w;
  w.BeginObject().Field("name", model).Field("ready", *ready).EndObject();
  done(JsonResponse(*ready ? 200 : 503, w.Take()));
}

// The answer body: JSON, or with binary outputs the JSON header followed by their bytes.
HttpResponse InferAnswer(const serving::InferResponse& response, const BinaryOutputChoice& binary) {
  JsonWriter w;
  w.Reserve(512);  // a one-applicant answer with both hashes is ~330 bytes: one allocation
  if (!binary.any()) {
    EncodeInferResponse(response, &w);
    return JsonResponse(200, w.Take());
  }
  const std::vector<bool> flags = binary.For(response);
  std::string blobs;
  EncodeInferResponse(response, &flags, &w, &blobs);
  HttpResponse r = JsonResponse(200, w.Take());
  r.headers.emplace_back("Inference-Header-Content-Length", std::to_string(r.body.size()));
  if (!blobs.empty()) r.content_type = "application/octet-stream";
  r.body += blobs;
  return r;
}

void Infer(InferenceService* service, const RouteOptions& options, const HttpRequest& req, const RouteParams& p,
           Responder done) {
  serving::InferRequest request;
  request.model_name = ParamOr(p, "model");
  request.model_version = ParamOr(p, "version");
  request.principal = req.principal;
  request.protocol = serving::Protocol::kHttp;
  request.request_id = req.request_id;
  std::string_view json, binary;
  Status decoded = SplitInferBody(req, &json, &binary);
  if (decoded.ok()) decoded = DecodeInferRequest(json, binary, options.limits->Get()->decode, &request);
  if (!decoded.ok()) {
    service->CountRejected(request.model_name, request.model_version, serving::Protocol::kHttp, decoded);
    return done(ErrorResponse(decoded));
  }
  BinaryOutputChoice choice(request);
  service->InferAsync(std::move(request), [choice = std::move(choice), done = std::move(done)](
                                              Result<serving::InferResponse> response) {
    if (!response.ok()) return done(ErrorResponse(response.status()));
    done(InferAnswer(*response, choice));
  });
}

void RepositoryIndex(InferenceService* service, const HttpRequest& req, Responder done) {
  bool ready_only = false;
  Status decoded = DecodeRepositoryIndexRequest(req.body, &ready_only);
  if (!decoded.ok()) return done(ErrorResponse(decoded));
  auto index = service->RepositoryIndex(ready_only);
  if (!index.ok()) return done(ErrorResponse(index.status()));
  JsonWriter w;
  EncodeRepositoryIndex(*index, &w);
  done(JsonResponse(200, w.Take()));
}

void RepositoryControl(InferenceService* service, bool load, const HttpRequest& req, const RouteParams& p,
                       Responder done) {
  Status body = DecodeRepositoryControlRequest(req.body);
  if (!body.ok()) return done(ErrorResponse(body));
  const std::string model = ParamOr(p, "model");
  Status s = load ? service->LoadModel(model) : service->UnloadModel(model);
  if (!s.ok()) return done(ErrorResponse(s));
  done(JsonResponse(200, "{}"));
}

}  // namespace

void AddV2Routes(Router* router, InferenceService* service, const RouteOptions& options) {
  const RouteAccess open = RouteAccess::Open();
  const RouteAccess infer = RouteAccess::Needs(Scope::kInfer);
  const RouteAccess admin = RouteAccess::Needs(Scope::kAdmin);
  router->Add("GET", "/v2/health/live", open, [service](const HttpRequest&, const RouteParams&, Responder done) {
    done(HealthResponse("live", service->live()));
  });
  router->Add("GET", "/v2/health/ready", open, [service](const HttpRequest&, const RouteParams&, Responder done) {
    done(HealthResponse("ready", service->ready()));
  });
  router->Add("GET", "/v2", infer, [service](const HttpRequest&, const RouteParams&, Responder done) {
    ServerMetadata(service, std::move(done));
  });
  router->Add("GET", "/v2/models/{model}[/versions/{version}]", infer,
              [service](const HttpRequest&, const RouteParams& p, Responder done) {
                ModelMetadata(service, p, std::move(done));
              });
  router->Add("GET", "/v2/models/{model}[/versions/{version}]/ready", infer,
              [service](const HttpRequest&, const RouteParams& p, Responder done) {
                ModelReady(service, p, std::move(done));
              });
  router->Add("POST", "/v2/models/{model}[/versions/{version}]/infer", infer,
              [service, options](const HttpRequest& req, const RouteParams& p, Responder done) {
                Infer(service, options, req, p, std::move(done));
              });
  router->Add("POST", "/v2/repository/index", admin,
              [service](const HttpRequest& req, const RouteParams&, Responder done) {
                RepositoryIndex(service, req, std::move(done));
              });
  router->Add("POST", "/v2/repository/models/{model}/load", admin,
              [service](const HttpRequest& req, const RouteParams& p, Responder done) {
                RepositoryControl(service, true, req, p, std::move(done));
              });
  router->Add("POST", "/v2/repository/models/{model}/unload", admin,
              [service](const HttpRequest& req, const RouteParams& p, Responder done) {
                RepositoryControl(service, false, req, p, std::move(done));
              });
}

}  // namespace finserve::http
