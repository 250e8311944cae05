// InferenceGrpcService: inference.GRPCInferenceService on gRPC's callback API, with raw
// (ByteBuffer) methods so that finserve parses the messages itself: a malformed message is
// answered INVALID_ARGUMENT with a sentence (gRPC's own handler would answer UNIMPLEMENTED with no
// message). Each RPC passes Admission::Admit (access.h), parses its message, passes
// Admission::Authorize for the model it names, decodes (proto_codec.h), calls InferenceService
// and maps the outcome through status_grpc.h. ModelInfer finishes from InferenceService's
// completion callback, so no gRPC thread waits while a request is queued for a batch. Exceptions
// from a handler are answered INTERNAL, never propagated into gRPC. Thread-safe; private to
// finserve_grpc.
#pragma once

#include <memory>

#include "grpc/access.h"
#include "grpc_service.grpc.pb.h"
#include "serving/inference_service.h"

namespace finserve::grpc {

using Generated = inference::GRPCInferenceService;
using RawCallbackService = Generated::WithRawCallbackMethod_ServerLive<Generated::WithRawCallbackMethod_ServerReady<
    Generated::WithRawCallbackMethod_ModelReady<Generated::WithRawCallbackMethod_ServerMetadata<
        Generated::WithRawCallbackMethod_ModelMetadata<Generated::WithRawCallbackMethod_ModelInfer<Generated::Service>>>>>>;

class InferenceGrpcService final : public RawCallbackService {
 public:
  using Reactor = ::grpc::ServerUnaryReactor;
  using Context = ::grpc::CallbackServerContext;
  using Buffer = ::grpc::ByteBuffer;

  InferenceGrpcService(serving::InferenceService* service, std::shared_ptr<const LiveGrpcLimits> limits);

  Reactor* ServerLive(Context* context, const Buffer* request, Buffer* response) override;
  Reactor* ServerReady(Context* context, const Buffer* request, Buffer* response) override;
  Reactor* ModelReady(Context* context, const Buffer* request, Buffer* response) override;
  Reactor* ServerMetadata(Context* context, const Buffer* request, Buffer* response) override;
  Reactor* ModelMetadata(Context* context, const Buffer* request, Buffer* response) override;
  Reactor* ModelInfer(Context* context, const Buffer* request, Buffer* response) override;

 private:
  serving::InferenceService* service_;
  Admission admission_;
};

}  // namespace finserve::grpc
