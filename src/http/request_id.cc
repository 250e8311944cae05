#include "http/request_id.h"

#include <atomic>
#include <cstdio>
#include <random>

namespace finserve::http {

std::string NewRequestId() {
  static const uint64_t prefix = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  static std::atomic<uint64_t> counter{0};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(prefix),
                static_cast<unsigned long long>(counter.fetch_add(1, std::memory_order_relaxed)));
  return buf;
}

std::string SanitizeRequestId(std::string_view client_id) {
  if (client_id.empty() || client_id.size() > 128) return NewRequestId();
  for (char c : client_id) {
    if (c < 0x21 || c > 0x7e) return NewRequestId();
  }
  return std::string(client_id);
}

}  // namespace finserve::http
