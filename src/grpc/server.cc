#include "grpc/server.h"

#include <grpc/grpc_security_constants.h>
#include <grpc/support/log.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>
#include <google/protobuf/stubs/logging.h>

#include <chrono>
#include <climits>
#include <mutex>

#include "core/env.h"
#include "core/log.h"
#include "grpc/service.h"

namespace finserve::grpc {

class GrpcServer::Impl {
 public:
  Impl(serving::InferenceService* service, std::shared_ptr<const LiveGrpcLimits> limits)
      : service(service, std::move(limits)) {}

  InferenceGrpcService service;
  std::unique_ptr<::grpc::Server> server;
  std::once_flag shutdown_once;
};

namespace {

Result<std::string> ReadPem(const std::string& path, std::string_view what) {
  auto text = Env::Default()->ReadFile(path);
  if (!text.ok()) return text.status().WithContext(std::string("gRPC TLS ") + std::string(what));
  return text;
}

Result<std::shared_ptr<::grpc::ServerCredentials>> MakeCredentials(const GrpcTlsOptions& tls) {
  if (!tls.enabled()) return ::grpc::InsecureServerCredentials();
  FS_ASSIGN_OR_RETURN(std::string cert, ReadPem(tls.cert_file, "certificate"));
  FS_ASSIGN_OR_RETURN(std::string key, ReadPem(tls.key_file, "private key"));
  const bool mutual = !tls.client_ca_file.empty();
  ::grpc::SslServerCredentialsOptions options(mutual ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                                     : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (mutual) {
    FS_ASSIGN_OR_RETURN(options.pem_root_certs, ReadPem(tls.client_ca_file, "client CA"));
  }
  options.pem_key_cert_pairs.push_back({key, cert});
  return ::grpc::SslServerCredentials(options);
}

// protobuf writes its own lines to stderr, e.g. for every client message with invalid UTF-8 in a
// string field; they go to our structured log at debug level instead, so that clients cannot
// flood the log (the client gets INVALID_ARGUMENT either way).
void ProtobufLogLine(google::protobuf::LogLevel level, const char* file, int line, const std::string& message) {
  const LogLevel ours = level == google::protobuf::LOGLEVEL_FATAL ? LogLevel::kError : LogLevel::kDebug;
  if (!LogLevelEnabled(ours)) return;
  LogEvent(ours, "protobuf").With("file", file).With("line", static_cast<int64_t>(line)).With("message", message);
}

// gRPC's own log lines (e.g. why a bind failed) join the structured log too.
void GrpcLogLine(gpr_log_func_args* args) {
  const LogLevel ours = args->severity == GPR_LOG_SEVERITY_ERROR ? LogLevel::kError : LogLevel::kDebug;
  if (!LogLevelEnabled(ours)) return;
  LogEvent(ours, "grpc").With("file", args->file).With("line", static_cast<int64_t>(args->line)).With("message", args->message);
}

std::string ListenAddress(const std::string& address, uint16_t port) {
  const bool ipv6 = address.find(':') != std::string::npos;
  return (ipv6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

}  // namespace

Result<std::unique_ptr<GrpcServer>> GrpcServer::Create(const GrpcServerOptions& options,
                                                       serving::InferenceService* service,
                                                       std::shared_ptr<const LiveGrpcLimits> limits) {
  FS_ASSIGN_OR_RETURN(auto credentials, MakeCredentials(options.tls));
  auto impl = std::make_unique<Impl>(service, std::move(limits));
  static std::once_flag log_once;
  std::call_once(log_once, [] {
    google::protobuf::SetLogHandler(&ProtobufLogLine);
    gpr_set_log_function(&GrpcLogLine);
  });
  ::grpc::EnableDefaultHealthCheckService(true);
  ::grpc::ServerBuilder builder;
  const std::string address = ListenAddress(options.address, options.port);
  int selected_port = 0;
  builder.AddListeningPort(address, credentials, &selected_port);
  builder.SetMaxReceiveMessageSize(static_cast<int>(std::min<int64_t>(options.max_message_bytes, INT_MAX)));
  // gRPC sets SO_REUSEPORT by default, which would let a second server share the port silently.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(&impl->service);
  impl->server = builder.BuildAndStart();
  if (!impl->server || selected_port == 0) {
    return Unavailable("cannot listen for gRPC on " + address +
                       ": the port is in use or the address is not one of this machine's");
  }
  const auto port = static_cast<uint16_t>(selected_port);
  return std::unique_ptr<GrpcServer>(new GrpcServer(std::move(impl), port, options.tls.enabled()));
}

GrpcServer::GrpcServer(std::unique_ptr<Impl> impl, uint16_t port, bool tls)
    : impl_(std::move(impl)), port_(port), tls_(tls) {}

GrpcServer::~GrpcServer() { Shutdown(0); }

void GrpcServer::Shutdown(int64_t timeout_ms) {
  std::call_once(impl_->shutdown_once, [&] {
    if (auto* health = impl_->server->GetHealthCheckService()) health->Shutdown();
    impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
    impl_->server->Wait();
  });
}

}  // namespace finserve::grpc
