// HttpServer: the HTTP/1.1 front end on Boost.Beast/Asio, plain or TLS (OpenSSL through
// asio::ssl): asynchronous, keep-alive, a fixed set of I/O threads with one io_context each (a
// connection is served by one thread for its whole life, so its handlers need no strand).
// Requests are parsed by Beast with a body limit (413) and header limit (431), then handed to the
// RequestHandler (routes, access, limits); every answer carries X-Request-Id (the client's,
// or a generated one). Limits come from the handler's LiveLimits per request or connection, so
// SIGHUP can change them without dropping connections.
//
// Connections: at most max_connections at once; one more is answered 503 (plain) or closed (TLS)
// at once. A connection may sit idle idle_timeout_ms between requests; once a request (or a TLS
// handshake) starts it must arrive completely within read_timeout_ms (slow-loris bound).
//
// Lifecycle: Create() binds (port 0 picks a free port, see port()); Start() runs the I/O threads;
// Drain() stops accepting, closes idle connections, lets in-flight requests finish (up to a
// deadline), then stops. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "http/request_handler.h"

namespace finserve::http {

struct TlsOptions {
  std::string cert_file;       // PEM certificate chain; TLS is on when set
  std::string key_file;        // PEM private key of the certificate
  std::string client_ca_file;  // PEM CA certificates: clients must present one they signed (mutual TLS)
  bool enabled() const { return !cert_file.empty(); }
};

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8000;
  int threads = 0;  // 0 = one per hardware thread
  TlsOptions tls;
};

class HttpServer {
 public:
  static Result<std::unique_ptr<HttpServer>> Create(const ServerOptions& options,
                                                    std::shared_ptr<const RequestHandler> handler);
  ~HttpServer();

  uint16_t port() const;
  bool tls() const;
  void Start();
  // Returns once every connection is closed or `timeout_ms` has passed.
  void Drain(int64_t timeout_ms);
  // Loads new certificate files for the connections accepted from now on (SIGHUP: certificate
  // rotation). On error the old ones stay in use. FailedPrecondition if the server runs without TLS.
  Status ReloadTls(const TlsOptions& tls);
  int64_t connections() const;

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace finserve::http
