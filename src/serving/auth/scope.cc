#include "serving/auth/scope.h"

namespace finserve::serving::auth {
namespace {

struct ScopeEntry {
  Scope scope;
  std::string_view name;
};

constexpr ScopeEntry kScopes[] = {
    {Scope::kInfer, "infer"}, {Scope::kExplain, "explain"}, {Scope::kAdmin, "admin"},
    {Scope::kTrain, "train"}, {Scope::kMetrics, "metrics"},
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

const std::vector<Scope>& AllScopes() {
  static const std::vector<Scope> all = [] {
    std::vector<Scope> out;
    for (const auto& e : kScopes) out.push_back(e.scope);
    return out;
  }();
  return all;
}

std::string_view ScopeName(Scope scope) {
  for (const auto& e : kScopes) {
    if (e.scope == scope) return e.name;
  }
  return "unknown";
}

std::optional<Scope> ScopeFromName(std::string_view name) {
  for (const auto& e : kScopes) {
    if (e.name == name) return e.scope;
  }
  return std::nullopt;
}

ScopeSet ScopeSet::All() {
  ScopeSet set;
  for (Scope s : AllScopes()) set.Add(s);
  return set;
}

Result<ScopeSet> ScopeSet::Parse(std::string_view list) {
  ScopeSet set;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item.empty()) continue;
    const auto scope = ScopeFromName(item);
    if (!scope) {
      std::string known;
      for (const auto& e : kScopes) known += (known.empty() ? "" : ", ") + std::string(e.name);
      return InvalidArgument("unknown scope '" + std::string(item) + "' (known: " + known + ")");
    }
    set.Add(*scope);
  }
  if (set.empty()) return InvalidArgument("no scope given (known: infer, explain, admin, train, metrics)");
  return set;
}

std::string ScopeSet::ToString() const {
  std::string out;
  for (const auto& e : kScopes) {
    if (Has(e.scope)) out += (out.empty() ? "" : ",") + std::string(e.name);
  }
  return out;
}

}  // namespace finserve::serving::auth
