// Scope: what an API key (or client certificate grant) may do. Every HTTP/gRPC route declares
// the one scope it needs in its route table; health routes are open. ScopeSet is a small bit set.
// Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace finserve::serving::auth {

enum class Scope : uint8_t {
  kInfer = 0,    // inference, model metadata and status
  kExplain = 1,  // explanations and scores with reason codes
  kAdmin = 2,    // repository load/unload/index, key administration
  kTrain = 3,    // training jobs
  kMetrics = 4,  // /metrics (unless the server runs with --metrics-open)
};

// Every scope, in declaration order (the table the names below are read from).
const std::vector<Scope>& AllScopes();
std::string_view ScopeName(Scope scope);  // "infer", "explain", ...
std::optional<Scope> ScopeFromName(std::string_view name);

class ScopeSet {
 public:
  ScopeSet() = default;
  static ScopeSet All();

  // "infer,explain" (order and spaces free); InvalidArgument names an unknown scope.
  static Result<ScopeSet> Parse(std::string_view list);

  void Add(Scope scope) { bits_ |= Bit(scope); }
  bool Has(Scope scope) const { return (bits_ & Bit(scope)) != 0; }
  bool empty() const { return bits_ == 0; }
  // Canonical "infer,explain" in declaration order.
  std::string ToString() const;
  bool operator==(const ScopeSet& other) const = default;

 private:
  static uint32_t Bit(Scope scope) { return 1u << static_cast<uint32_t>(scope); }
  uint32_t bits_ = 0;
};

}  // namespace finserve::serving::auth
