// InferenceGrpcService: inference.GRPCInferenceService on gRPC's callback API. Each RPC passes
// Admission (access.h), decodes its message (proto_codec.h), calls InferenceService and maps the
// outcome through status_grpc.h. ModelInfer finishes from InferenceService's completion callback,
// so no gRPC thread waits while a request is queued for a batch. Exceptions from a handler are
// answered INTERNAL, never propagated into gRPC. Thread-safe; private to finserve_grpc.
#pragma once

#include <memory>

#include "grpc/access.h"
#include "grpc_service.grpc.pb.h"
#include "serving/inference_service.h"

namespace finserve::grpc {

class InferenceGrpcService final : public inference::GRPCInferenceService::CallbackService {
 public:
  InferenceGrpcService(serving::InferenceService* service, std::shared_ptr<const LiveGrpcLimits> limits);

  ::grpc::ServerUnaryReactor* ServerLive(::grpc::CallbackServerContext* context, const inference::ServerLiveRequest*,
                                         inference::ServerLiveResponse* response) override;
  ::grpc::ServerUnaryReactor* ServerReady(::grpc::CallbackServerContext* context, const inference::ServerReadyRequest*,
                                          inference::ServerReadyResponse* response) override;
  ::grpc::ServerUnaryReactor* ModelReady(::grpc::CallbackServerContext* context,
                                         const inference::ModelReadyRequest* request,
                                         inference::ModelReadyResponse* response) override;
  ::grpc::ServerUnaryReactor* ServerMetadata(::grpc::CallbackServerContext* context,
                                             const inference::ServerMetadataRequest*,
                                             inference::ServerMetadataResponse* response) override;
  ::grpc::ServerUnaryReactor* ModelMetadata(::grpc::CallbackServerContext* context,
                                            const inference::ModelMetadataRequest* request,
                                            inference::ModelMetadataResponse* response) override;
  ::grpc::ServerUnaryReactor* ModelInfer(::grpc::CallbackServerContext* context,
                                         const inference::ModelInferRequest* request,
                                         inference::ModelInferResponse* response) override;

 private:
  serving::InferenceService* service_;
  Admission admission_;
};

}  // namespace finserve::grpc
