// RequestHandler: everything between a parsed HTTP request and a route's handler, without Beast
// (so it is unit-tested and fuzzed without sockets). In order:
//   414 target longer than max_url_bytes
//   404 / 405 no route / wrong method (with Allow)
//   415 a Content-Encoding other than identity (compressed bodies are refused, never inflated),
//       or a body with a Content-Type other than application/json
//   503 more than max_in_flight requests being handled (open routes are exempt, so health checks
//       answer under overload); Retry-After: 1
//   401 / 403 / 429 authentication and authorization through InferenceService, for every route
//       that is not open; 401 carries WWW-Authenticate: Bearer, 429 carries Retry-After
// then the route's handler, with the principal on the request. A request's in-flight slot is
// released once its response has been written (HttpResponse::hold). Thread-safe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>

#include "http/http_message.h"
#include "http/limits.h"
#include "http/router.h"
#include "serving/inference_service.h"

namespace finserve::http {

class RequestHandler {
 public:
  RequestHandler(Router router, const serving::InferenceService* service, std::shared_ptr<const LiveLimits> limits);

  // Calls `done` exactly once (possibly later, from another thread).
  void Handle(HttpRequest request, Responder done) const;

  const LiveLimits& limits() const { return *limits_; }
  int64_t in_flight() const { return in_flight_->load(std::memory_order_relaxed); }

  // Counts an answer the server sent (finserve_http_responses_total{code}), including those refused
  // before any handler ran (400, 408, 413, 414, 431) and by access control or limits (401, 403,
  // 429, 503). Lock-free after the first answer with a given code.
  void CountResponse(int status) const;

 private:
  HttpResponse Denied(const HttpRequest& request, const Status& status, int64_t retry_after_s) const;
  bool CheckAccess(HttpRequest& request, const RouteMatch& match, const Responder& done) const;

  Router router_;
  const serving::InferenceService* service_;
  std::shared_ptr<const LiveLimits> limits_;
  std::shared_ptr<std::atomic<int64_t>> in_flight_;
  CounterFamily* responses_;
  static constexpr int kMaxStatus = 600;
  mutable std::array<std::atomic<Counter*>, kMaxStatus> response_counters_{};
};

// The media type of a Content-Type value, lower-cased, without parameters ("application/json").
std::string MediaType(std::string_view content_type);

}  // namespace finserve::http
