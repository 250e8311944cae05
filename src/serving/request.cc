#include "serving/request.h"

namespace finserve::serving {

std::string_view ProtocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kHttp: return "http";
    case Protocol::kGrpc: return "grpc";
    case Protocol::kOther: break;
  }
  return "other";
}

void Parameters::Set(std::string key, ParameterValue value) {
  for (auto& [k, v] : items_) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  items_.emplace_back(std::move(key), std::move(value));
}

const ParameterValue* Parameters::Find(std::string_view key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) return &v;
  }
  return nullptr;
}

}  // namespace finserve::serving
