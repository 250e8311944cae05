#include "http/router.h"

namespace finserve::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  out.reserve(8);  // one allocation for the usual paths (they have at most 6 segments)
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = HexValue(in[i + 1]);
    const int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

std::string_view Router::PathOf(std::string_view target) {
  const size_t q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

void Router::Add(std::string_view method, std::string_view pattern, RouteAccess access, Handler handler) {
  const size_t open = pattern.find('[');
  if (open != std::string_view::npos) {
    const size_t close = pattern.find(']', open);
    const std::string without = std::string(pattern.substr(0, open)) + std::string(pattern.substr(close + 1));
    const std::string with = std::string(pattern.substr(0, open)) +
                             std::string(pattern.substr(open + 1, close - open - 1)) +
                             std::string(pattern.substr(close + 1));
    Add(method, without, access, handler);
    Add(method, with, access, std::move(handler));
    return;
  }
  Route route;
  route.method = std::string(method);
  route.access = access;
  route.handler = std::move(handler);
  for (std::string_view part : SplitPath(pattern)) {
    Segment segment;
    if (!part.empty() && part[0] == '{') {
      const size_t close = part.find('}');
      segment.param = std::string(part.substr(1, close - 1));
      segment.literal = std::string(part.substr(close + 1));
    } else {
      segment.literal = std::string(part);
    }
    route.segments.push_back(std::move(segment));
  }
  routes_.push_back(std::move(route));
}

bool Router::MatchSegments(const std::vector<Segment>& pattern, std::span<const std::string_view> path,
                           RouteParams* params) {
  if (pattern.size() != path.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const Segment& s = pattern[i];
    const std::string_view p = path[i];
    if (s.param.empty() ? p != s.literal : (p.size() <= s.literal.size() || !p.ends_with(s.literal))) return false;
  }
  for (size_t i = 0; i < pattern.size(); ++i) {
    const Segment& s = pattern[i];
    if (!s.param.empty()) (*params)[s.param] = std::string(path[i].substr(0, path[i].size() - s.literal.size()));
  }
  return true;
}

RouteMatch Router::Find(std::string_view method, std::string_view target) const {
  RouteMatch match;
  // Segments view the target; only those with %-escapes are decoded into `decoded` (reserved up
  // front so the views into it stay valid).
  std::vector<std::string_view> path = SplitPath(PathOf(target));
  std::vector<std::string> decoded;
  for (std::string_view& segment : path) {
    if (segment.find('%') == std::string_view::npos) continue;
    if (decoded.empty()) decoded.reserve(path.size());
    decoded.emplace_back();
    if (!PercentDecode(segment, &decoded.back())) return match;
    segment = decoded.back();
  }
  for (const Route& route : routes_) {
    RouteParams params;
    if (!MatchSegments(route.segments, path, &params)) continue;
    // HEAD is GET without the body (RFC 9110 9.3.2); the server sends only the head.
    if (route.method == method || (method == "HEAD" && route.method == "GET")) {
      match.kind = RouteMatch::Kind::kFound;
      match.handler = &route.handler;
      match.access = route.access;
      match.params = std::move(params);
      return match;
    }
    const std::string_view allowed = route.method == "GET" ? "GET, HEAD" : std::string_view(route.method);
    if (match.allow.find(route.method) == std::string::npos) {
      match.allow += (match.allow.empty() ? "" : ", ");
      match.allow += allowed;
    }
    match.kind = RouteMatch::Kind::kMethodNotAllowed;
  }
  return match;
}

std::string ParamOr(const RouteParams& params, std::string_view key) {
  auto it = params.find(key);
  return it == params.end() ? std::string() : it->second;
}

}  // namespace finserve::http
