#include "testing/grpc_client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <chrono>
#include <future>

namespace finserve::testing {

std::shared_ptr<::grpc::Channel> GrpcChannel(int port, int64_t max_receive_bytes) {
  ::grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(static_cast<int>(max_receive_bytes));
  return ::grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), ::grpc::InsecureChannelCredentials(), args);
}

std::unique_ptr<::grpc::ClientContext> GrpcContext(const std::map<std::string, std::string>& metadata) {
  auto context = std::make_unique<::grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  for (const auto& [key, value] : metadata) context->AddMetadata(key, value);
  return context;
}

RawCallResult RawUnaryCall(const std::shared_ptr<::grpc::Channel>& channel, const std::string& method,
                           const std::string& request, const std::map<std::string, std::string>& metadata) {
  ::grpc::GenericStub stub(channel);
  auto context = GrpcContext(metadata);
  ::grpc::Slice slice(request);
  ::grpc::ByteBuffer request_buffer(&slice, 1);
  ::grpc::ByteBuffer response_buffer;
  std::promise<::grpc::Status> done;
  stub.UnaryCall(context.get(), method, ::grpc::StubOptions(), &request_buffer, &response_buffer,
                 [&done](::grpc::Status status) { done.set_value(std::move(status)); });
  RawCallResult result;
  result.status = done.get_future().get();
  std::vector<::grpc::Slice> slices;
  if (result.status.ok() && response_buffer.Dump(&slices).ok()) {
    for (const auto& s : slices) result.body.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  for (const auto& [key, value] : context->GetServerTrailingMetadata()) {
    result.trailers.emplace(std::string(key.data(), key.size()), std::string(value.data(), value.size()));
  }
  return result;
}

}  // namespace finserve::testing
