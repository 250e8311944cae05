// Principal: who is calling, as established by authentication, and what they may do. It is
// carried on every request (serving::InferRequest::principal) so that logs and the audit log can
// say who asked. Immutable once built; shared as std::shared_ptr<const Principal>.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "serving/auth/scope.h"

namespace finserve::serving::auth {

enum class PrincipalSource : uint8_t {
  kKey,         // an API key (Authorization: Bearer)
  kClientCert,  // a verified TLS client certificate, by its subject
  kAnonymous,   // authentication is off (--insecure-no-auth)
};
std::string_view PrincipalSourceName(PrincipalSource source);  // "key", "client-cert", "anonymous"

struct RateLimit {
  double per_second = 0;  // 0 = unlimited
  int64_t burst = 0;      // bucket size (requests); >= 1 when per_second > 0
  bool limited() const { return per_second > 0; }
  bool operator==(const RateLimit& other) const = default;
};

struct Principal {
  std::string name;                      // key name, or the certificate subject (RFC 2253)
  PrincipalSource source = PrincipalSource::kAnonymous;
  ScopeSet scopes;
  std::vector<std::string> model_globs;  // empty = every model
  RateLimit rate;

  // The principal used when authentication is off: every scope, every model, no rate limit.
  static std::shared_ptr<const Principal> Anonymous();
};

}  // namespace finserve::serving::auth
