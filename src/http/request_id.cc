#include "http/request_id.h"

#include <atomic>
#include <random>

namespace finserve::http {

namespace {

void PutHex(uint64_t value, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i, value >>= 4) out[i] = kHex[value & 15];
}

}  // namespace

// 32 hex digits: a random per-process prefix and a counter (every request without an id of its
// own gets one, so no snprintf).
std::string NewRequestId() {
  static const uint64_t prefix = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  static std::atomic<uint64_t> counter{0};
  std::string id(32, '0');
  PutHex(prefix, id.data());
  PutHex(counter.fetch_add(1, std::memory_order_relaxed), id.data() + 16);
  return id;
}

std::string SanitizeRequestId(std::string_view client_id) {
  if (client_id.empty() || client_id.size() > 128) return NewRequestId();
  for (char c : client_id) {
    if (c < 0x21 || c > 0x7e) return NewRequestId();
  }
  return std::string(client_id);
}

}  // namespace finserve::http
