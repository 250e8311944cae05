// gRPC helpers for integration tests: a plain channel to the server under test, a client context
// with a deadline (so a hung call fails the test instead of blocking it), and a generic unary call
// that sends bytes as they are (grpc::GenericStub), for hand-encoded and malformed messages.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <map>
#include <memory>
#include <string>

namespace finserve::testing {

std::shared_ptr<::grpc::Channel> GrpcChannel(int port, int64_t max_receive_bytes = 64ll << 20);
// A context with a 20 s deadline and the given metadata (e.g. {"authorization", "Bearer ..."}).
std::unique_ptr<::grpc::ClientContext> GrpcContext(const std::map<std::string, std::string>& metadata = {});

struct RawCallResult {
  ::grpc::Status status;
  std::string body;                                // the response message's bytes
  std::multimap<std::string, std::string> trailers;  // trailing metadata
};

// Calls `method` ("/inference.GRPCInferenceService/ModelInfer") with `request` as the message bytes.
RawCallResult RawUnaryCall(const std::shared_ptr<::grpc::Channel>& channel, const std::string& method,
                           const std::string& request, const std::map<std::string, std::string>& metadata = {});

}  // namespace finserve::testing
