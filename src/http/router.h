// Router: matches (method, path) against a table of patterns such as
//   "/v2/models/{model}[/versions/{version}]/infer"   (the [...] part is optional)
//   "/v1/models/{model}:predict"                       (a parameter with a literal suffix)
// Parameters are percent-decoded. HEAD finds the GET route of a path (the server then sends the
// answer's head only). A path that matches with another method answers 405 with the allowed
// methods. Every route declares its access in the table: open (health) or the one scope a caller
// needs; a route with a {model} parameter also checks the caller's model globs against it. Built
// once at start-up, then read-only; thread-safe for lookups.
#pragma once

#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_message.h"
#include "serving/auth/scope.h"

namespace finserve::http {

using RouteParams = std::map<std::string, std::string, std::less<>>;
using Handler = std::function<void(const HttpRequest&, const RouteParams&, Responder)>;

// The value of a path parameter ("" when the route has none of that name, e.g. an optional version).
std::string ParamOr(const RouteParams& params, std::string_view key);

// Who may call a route: anyone (health endpoints), or a caller holding `scope`.
struct RouteAccess {
  bool open = false;
  serving::auth::Scope scope = serving::auth::Scope::kAdmin;

  static RouteAccess Open() { return {true, serving::auth::Scope::kAdmin}; }
  static RouteAccess Needs(serving::auth::Scope scope) { return {false, scope}; }
};

struct RouteMatch {
  enum class Kind { kFound, kMethodNotAllowed, kNotFound };
  Kind kind = Kind::kNotFound;
  const Handler* handler = nullptr;
  RouteAccess access;
  RouteParams params;
  std::string allow;  // for kMethodNotAllowed: "GET, POST"
};

class Router {
 public:
  // `pattern` may hold one optional [...] part; both expansions are added.
  void Add(std::string_view method, std::string_view pattern, RouteAccess access, Handler handler);
  RouteMatch Find(std::string_view method, std::string_view target) const;

  // The path of a target without its query string.
  static std::string_view PathOf(std::string_view target);

 private:
  struct Segment {
    std::string literal;   // exact text, or the suffix after a parameter
    std::string param;     // parameter name; empty for a literal segment
  };
  struct Route {
    std::string method;
    std::vector<Segment> segments;
    RouteAccess access;
    Handler handler;
  };
  // Whether `path` fits `pattern`; fills `params` only on a match.
  static bool MatchSegments(const std::vector<Segment>& pattern, std::span<const std::string_view> path,
                            RouteParams* params);

  std::vector<Route> routes_;
};

// Decodes %XX escapes; false on a malformed escape.
bool PercentDecode(std::string_view in, std::string* out);

}  // namespace finserve::http
