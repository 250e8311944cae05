#include "http/routes.h"

namespace finserve::http {

void AddMetricsRoutes(Router* router, serving::InferenceService* service, bool open) {
  const RouteAccess access = open ? RouteAccess::Open() : RouteAccess::Needs(serving::auth::Scope::kMetrics);
  router->Add("GET", "/metrics", access, [service](const HttpRequest&, const RouteParams&, Responder done) {
    HttpResponse response;
    response.content_type = MetricsRegistry::kContentType;
    response.body = service->RenderMetrics();
    done(std::move(response));
  });
}

}  // namespace finserve::http
