#include "serving/auth/principal.h"

namespace finserve::serving::auth {

std::string_view PrincipalSourceName(PrincipalSource source) {
  switch (source) {
    case PrincipalSource::kKey: return "key";
    case PrincipalSource::kClientCert: return "client-cert";
    case PrincipalSource::kAnonymous: return "anonymous";
  }
  return "unknown";
}

std::shared_ptr<const Principal> Principal::Anonymous() {
  static const std::shared_ptr<const Principal> anonymous = [] {
    auto p = std::make_shared<Principal>();
    p->name = "anonymous";
    p->source = PrincipalSource::kAnonymous;
    p->scopes = ScopeSet::All();
    return std::shared_ptr<const Principal>(std::move(p));
  }();
  return anonymous;
}

}  // namespace finserve::serving::auth
