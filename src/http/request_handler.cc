#include "http/request_handler.h"

#include "core/log.h"
#include "http/status_http.h"

namespace finserve::http {
namespace {

// An in-flight slot: taken at construction, given back when the last reference goes.
struct InFlightSlot {
  explicit InFlightSlot(std::shared_ptr<std::atomic<int64_t>> counter) : counter(std::move(counter)) {}
  ~InFlightSlot() { counter->fetch_sub(1, std::memory_order_relaxed); }
  std::shared_ptr<std::atomic<int64_t>> counter;
};

std::shared_ptr<void> TryTakeSlot(const std::shared_ptr<std::atomic<int64_t>>& counter, int64_t max) {
  if (counter->fetch_add(1, std::memory_order_relaxed) >= max) {
    counter->fetch_sub(1, std::memory_order_relaxed);
    return nullptr;
  }
  return std::make_shared<InFlightSlot>(counter);
}

// Whether a Content-Type value names `lower_type` (case-insensitive, parameters ignored), without
// building a string: this runs on every request.
bool IsMediaType(std::string_view content_type, std::string_view lower_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return EqualsIgnoreCase(type, lower_type);
}

// 415 for compressed bodies or non-JSON content; "" when acceptable.
std::string ContentProblem(const HttpRequest& request) {
  const std::string_view encoding = request.Header("content-encoding");
  if (!encoding.empty() && !IsMediaType(encoding, "identity")) {
    return "compressed request bodies are not accepted (Content-Encoding: " + std::string(request.Header("content-encoding")) +
           "); send the body uncompressed";
  }
  const std::string_view type = request.Header("content-type");
  // The binary tensor extension's bodies are a JSON header plus raw bytes.
  if (request.body.empty() || type.empty() || IsMediaType(type, "application/json")) return "";
  const bool binary_ok = !request.Header("inference-header-content-length").empty() &&
                         IsMediaType(type, "application/octet-stream");
  if (!binary_ok) {
    return "request bodies must be JSON (Content-Type: application/json), got '" + std::string(type.substr(0, 100)) + "'";
  }
  return "";
}

}  // namespace

std::string MediaType(std::string_view content_type) {
  const size_t semicolon = content_type.find(';');
  std::string_view type = content_type.substr(0, semicolon);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  std::string out(type);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

RequestHandler::RequestHandler(Router router, const serving::InferenceService* service,
                               std::shared_ptr<const LiveLimits> limits)
    : router_(std::move(router)),
      service_(service),
      limits_(std::move(limits)),
      in_flight_(std::make_shared<std::atomic<int64_t>>(0)),
      responses_(&service->metrics_registry().AddCounter(
          "finserve_http_responses_total",
          "HTTP answers by status code, including requests refused before reaching a model (size, access, limits)",
          {"code"})) {}

void RequestHandler::CountResponse(int status) const {
  if (status < 0 || status >= kMaxStatus) status = 0;
  std::atomic<Counter*>& slot = response_counters_[static_cast<size_t>(status)];
  Counter* counter = slot.load(std::memory_order_acquire);
  if (!counter) {
    counter = responses_->WithLabels({std::to_string(status)});
    slot.store(counter, std::memory_order_release);
  }
  counter->Increment();
}

HttpResponse RequestHandler::Denied(const HttpRequest& request, const Status& status, int64_t retry_after_s) const {
  HttpResponse r = ErrorResponse(status);
  if (r.status == 401) {
    const bool sent_key = !request.Header("authorization").empty();
    r.headers.emplace_back("WWW-Authenticate",
                           sent_key ? R"(Bearer realm="finserve", error="invalid_token")" : R"(Bearer realm="finserve")");
  }
  if (r.status == 429 && retry_after_s > 0) r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  const LogLevel level = r.status == 429 ? LogLevel::kInfo : LogLevel::kWarn;
  if (!LogLevelEnabled(level)) return r;
  LogEvent(level, "access_denied")
      .With("request_id", request.request_id)
      .With("status", r.status)
      .With("method", request.method)
      .With("path", Router::PathOf(request.target))
      .With("peer", request.peer)
      .With("principal", request.principal ? request.principal->name : std::string())
      .With("reason", status.message());
  return r;
}

// Authenticates and authorizes; on refusal answers through `done` and returns false.
bool RequestHandler::CheckAccess(HttpRequest& request, const RouteMatch& match, const Responder& done) const {
  if (match.access.open) {
    request.principal = serving::auth::Principal::Anonymous();
    return true;
  }
  serving::auth::Credentials credentials{request.Header("authorization"), request.client_subject};
  auto principal = service_->Authenticate(credentials);
  if (!principal.ok()) {
    done(Denied(request, principal.status(), 0));
    return false;
  }
  request.principal = *principal;
  int64_t retry_after_s = 0;
  Status allowed = service_->Authorize(**principal, match.access.scope, ParamOr(match.params, "model"), &retry_after_s);
  if (!allowed.ok()) {
    done(Denied(request, allowed, retry_after_s));
    return false;
  }
  return true;
}

void RequestHandler::Handle(HttpRequest request, Responder done) const {
  const std::shared_ptr<const HttpLimits> limits = limits_->Get();
  if (request.target.size() > limits->max_url_bytes) {
    return done(ErrorResponse(414, "request target of " + std::to_string(request.target.size()) +
                                       " bytes exceeds the limit of " + std::to_string(limits->max_url_bytes)));
  }
  const RouteMatch match = router_.Find(request.method, request.target);
  if (match.kind == RouteMatch::Kind::kNotFound) {
    return done(ErrorResponse(404, "no route for " + request.method + " " + std::string(Router::PathOf(request.target))));
  }
  if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
    HttpResponse r = ErrorResponse(405, "method " + request.method + " is not allowed on " +
                                            std::string(Router::PathOf(request.target)) + " (allowed: " + match.allow + ")");
    r.headers.emplace_back("Allow", match.allow);
    return done(std::move(r));
  }
  if (std::string problem = ContentProblem(request); !problem.empty()) return done(ErrorResponse(415, problem));
  std::shared_ptr<void> slot;
  if (!match.access.open) {
    slot = TryTakeSlot(in_flight_, limits->max_in_flight);
    if (!slot) {
      HttpResponse r = ErrorResponse(503, "the server is handling its maximum of " + std::to_string(limits->max_in_flight) +
                                              " requests; retry shortly");
      r.headers.emplace_back("Retry-After", "1");
      return done(std::move(r));
    }
  }
  if (!CheckAccess(request, match, done)) return;
  Responder on_exception = done;
  Responder respond = [slot = std::move(slot), done = std::move(done)](HttpResponse response) mutable {
    response.hold = std::move(slot);
    done(std::move(response));
  };
  try {
    (*match.handler)(request, match.params, std::move(respond));
  } catch (const std::exception& e) {
    // The handler threw before answering (it answers exactly once otherwise).
    FS_LOG(kError, "handler_exception").With("request_id", request.request_id).With("what", e.what());
    on_exception(ErrorResponse(500, std::string("internal error: ") + e.what()));
  }
}

}  // namespace finserve::http
