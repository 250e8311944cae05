// HttpServer: the HTTP/1.1 front end on Boost.Beast/Asio: asynchronous, keep-alive, a fixed
// set of I/O threads, each connection on its own strand. Requests are parsed by Beast with a
// body limit (413) and header limit (431), routed through a Router, and answered with an
// X-Request-Id header (the client's, or a generated one).
//
// Lifecycle: Create() binds (port 0 picks a free port, see port()); Start() runs the I/O threads;
// Drain() stops accepting, closes idle connections, lets in-flight requests finish (up to a
// deadline), then stops. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/router.h"

namespace finserve::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8000;
  int threads = 0;                              // 0 = one per hardware thread
  uint64_t max_body_bytes = 64ull << 20;        // 413 above
  uint32_t max_header_bytes = 16u << 10;        // 431 above
  int64_t idle_timeout_ms = 60'000;             // keep-alive connection without a request
  int64_t read_timeout_ms = 30'000;             // one request must arrive within this
};

class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> Create(const ServerOptions& options, Router router);
  ~HttpServer();

  uint16_t port() const;
  void Start();
  // Returns once every connection is closed or `timeout_ms` has passed.
  void Drain(int64_t timeout_ms);

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace finserve::http
