// The HTTP front end's request limits, with their defaults, and LiveLimits, the holder that lets
// SIGHUP change them while connections stay open: readers take a snapshot per request, so a
// request sees one consistent set. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>

#include "http/json_codec.h"

namespace finserve::http {

struct HttpLimits {
  uint64_t max_body_bytes = 64ull << 20;  // 413 above
  uint32_t max_header_bytes = 16u << 10;  // 431 above (request line and headers together)
  uint32_t max_url_bytes = 8u << 10;      // 414 above
  int64_t idle_timeout_ms = 60'000;       // keep-alive connection without a request
  int64_t read_timeout_ms = 30'000;       // one request (or a TLS handshake) must arrive within this
  int64_t max_connections = 10'000;       // further connections get 503 and are closed
  int64_t max_in_flight = 1024;           // requests being handled at once; 503 above
  DecodeLimits decode;                    // JSON depth, tensor elements, inputs
};

class LiveLimits {
 public:
  explicit LiveLimits(HttpLimits initial) : current_(std::make_shared<const HttpLimits>(initial)) {}
  std::shared_ptr<const HttpLimits> Get() const {
    std::lock_guard lock(mu_);
    return current_;
  }
  void Set(const HttpLimits& limits) {
    auto fresh = std::make_shared<const HttpLimits>(limits);
    std::lock_guard lock(mu_);
    current_ = std::move(fresh);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const HttpLimits> current_;
};

}  // namespace finserve::http
