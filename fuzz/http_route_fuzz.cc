// Any method + target through the router (the HTTP handling below Beast): a match or not, never
// a crash. The input is "<method> <target>".
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static finserve::http::Router* router = [] {
    auto* r = new finserve::http::Router();
    const auto open = finserve::http::RouteAccess::Open();
    auto noop = [](const finserve::http::HttpRequest&, const finserve::http::RouteParams&, finserve::http::Responder) {};
    r->Add("GET", "/v2/models/{model}[/versions/{version}]", open, noop);
    r->Add("POST", "/v2/models/{model}[/versions/{version}]/infer", open, noop);
    r->Add("POST", "/v1/models/{model}[/versions/{version}]:predict", open, noop);
    r->Add("GET", "/v2/health/live", open, noop);
    return r;
  }();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t space = input.find(' ');
  if (space == std::string_view::npos) return 0;
  auto match = router->Find(input.substr(0, space), input.substr(space + 1));
  if (match.kind == finserve::http::RouteMatch::Kind::kFound) (*match.handler)({}, match.params, nullptr);
  return 0;
}
