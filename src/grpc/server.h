// GrpcServer: the gRPC front end (inference.GRPCInferenceService, OIP v2) on gRPC's own HTTP/2
// transport, plain or TLS (grpc::SslServerCredentials from the same PEM files as HTTPS; with a
// client CA file, clients must present a certificate it signed). Messages larger than
// max_message_bytes are refused by gRPC itself with RESOURCE_EXHAUSTED before they are parsed.
// The standard grpc.health.v1 service answers too (SERVING until Shutdown starts).
//
// Lifecycle: Create() binds and starts serving (port 0 picks a free port, see port());
// Shutdown() stops accepting, lets calls in flight finish up to a deadline, cancels the rest and
// returns once every call is done. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "grpc/access.h"
#include "serving/inference_service.h"

namespace finserve::grpc {

struct GrpcTlsOptions {
  std::string cert_file;       // PEM certificate chain; TLS is on when set
  std::string key_file;        // PEM private key of the certificate
  std::string client_ca_file;  // PEM CA certificates: require client certificates they signed
  bool enabled() const { return !cert_file.empty(); }
};

struct GrpcServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8001;
  int64_t max_message_bytes = 64ll << 20;
  GrpcTlsOptions tls;
};

class GrpcServer {
 public:
  // `service` is not owned and must outlive the server.
  static Result<std::unique_ptr<GrpcServer>> Create(const GrpcServerOptions& options,
                                                    serving::InferenceService* service,
                                                    std::shared_ptr<const LiveGrpcLimits> limits);
  ~GrpcServer();

  uint16_t port() const { return port_; }
  bool tls() const { return tls_; }
  void Shutdown(int64_t timeout_ms);

  class Impl;

 private:
  GrpcServer(std::unique_ptr<Impl> impl, uint16_t port, bool tls);
  std::unique_ptr<Impl> impl_;
  uint16_t port_;
  bool tls_;
};

}  // namespace finserve::grpc
