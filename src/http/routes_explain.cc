// Explanation routes: OIP-style POST .../explain (the infer body and answer, always explained)
// and the named-feature application endpoint POST /v1/models/{m}[/versions/{v}]:score.
#include "http/routes.h"
#include "http/score_codec.h"
#include "http/status_http.h"

namespace finserve::http {
namespace {

using serving::InferenceService;

void Explain(InferenceService* service, const RouteOptions& options, const HttpRequest& req, const RouteParams& p,
             Responder done) {
  serving::InferRequest request;
  request.model_name = ParamOr(p, "model");
  request.model_version = ParamOr(p, "version");
  request.principal = req.principal;
  request.request_id = req.request_id;
  Status decoded = DecodeInferRequest(req.body, options.limits->Get()->decode, &request);
  if (!decoded.ok()) return done(ErrorResponse(decoded));
  service->ExplainAsync(std::move(request), [done = std::move(done)](Result<serving::InferResponse> response) {
    if (!response.ok()) return done(ErrorResponse(response.status()));
    JsonWriter w;
    w.Reserve(1024);
    EncodeInferResponse(*response, &w);
    done(JsonResponse(200, w.Take()));
  });
}

void Score(InferenceService* service, const RouteOptions& options, const HttpRequest& req, const RouteParams& p,
           Responder done) {
  serving::ScoreRequest request;
  request.model_name = ParamOr(p, "model");
  request.model_version = ParamOr(p, "version");
  request.principal = req.principal;
  request.request_id = req.request_id;
  Status decoded = DecodeScoreRequest(req.body, options.limits->Get()->decode, &request);
  if (!decoded.ok()) return done(ErrorResponse(decoded));
  service->ScoreAsync(request, [done = std::move(done)](Result<serving::ScoreResponse> response) {
    if (!response.ok()) return done(ErrorResponse(response.status()));
    JsonWriter w;
    w.Reserve(512);
    EncodeScoreResponse(*response, &w);
    done(JsonResponse(200, w.Take()));
  });
}

}  // namespace

void AddExplainRoutes(Router* router, InferenceService* service, const RouteOptions& options) {
  const RouteAccess explain = RouteAccess::Needs(serving::auth::Scope::kExplain);
  router->Add("POST", "/v2/models/{model}[/versions/{version}]/explain", explain,
              [service, options](const HttpRequest& req, const RouteParams& p, Responder done) {
                Explain(service, options, req, p, std::move(done));
              });
  router->Add("POST", "/v1/models/{model}[/versions/{version}]:score", explain,
              [service, options](const HttpRequest& req, const RouteParams& p, Responder done) {
                Score(service, options, req, p, std::move(done));
              });
}

}  // namespace finserve::http
