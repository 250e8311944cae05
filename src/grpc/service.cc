#include "grpc/service.h"

#include <exception>
#include <utility>

#include "core/log.h"
#include "grpc/status_grpc.h"

namespace finserve::grpc {
namespace {

// Echoes the caller's x-request-id (as the HTTP front end echoes X-Request-Id).
void EchoRequestId(::grpc::CallbackServerContext* context) {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("x-request-id");
  if (it != metadata.end() && it->second.size() <= 128) {
    context->AddInitialMetadata("x-request-id", std::string(it->second.data(), it->second.size()));
  }
}

// Runs `body` (which returns a Status) for an admitted call and finishes the call with it.
template <typename Body>
::grpc::ServerUnaryReactor* Unary(::grpc::CallbackServerContext* context, const Admission& admission, Rpc rpc,
                                  std::string_view model, Body body) {
  ::grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  EchoRequestId(context);
  Status status;
  try {
    auto admitted = admission.Admit(context, rpc, model);
    status = admitted.ok() ? body(*admitted) : admitted.status();
  } catch (const std::exception& e) {
    FS_LOG(kError, "handler_exception").With("rpc", std::string(RpcName(rpc))).With("what", e.what());
    status = Internal(std::string("internal error: ") + e.what());
  }
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

Status RequireName(const std::string& name) {
  return name.empty() ? InvalidArgument("'name' is required (the model's name)") : Status::Ok();
}

}  // namespace

InferenceGrpcService::InferenceGrpcService(serving::InferenceService* service,
                                           std::shared_ptr<const LiveGrpcLimits> limits)
    : service_(service), admission_(service, std::move(limits)) {}

::grpc::ServerUnaryReactor* InferenceGrpcService::ServerLive(::grpc::CallbackServerContext* context,
                                                             const inference::ServerLiveRequest*,
                                                             inference::ServerLiveResponse* response) {
  return Unary(context, admission_, Rpc::kServerLive, "", [&](const Admitted&) {
    response->set_live(service_->live());
    return Status::Ok();
  });
}

::grpc::ServerUnaryReactor* InferenceGrpcService::ServerReady(::grpc::CallbackServerContext* context,
                                                              const inference::ServerReadyRequest*,
                                                              inference::ServerReadyResponse* response) {
  return Unary(context, admission_, Rpc::kServerReady, "", [&](const Admitted&) {
    response->set_ready(service_->ready());
    return Status::Ok();
  });
}

::grpc::ServerUnaryReactor* InferenceGrpcService::ModelReady(::grpc::CallbackServerContext* context,
                                                             const inference::ModelReadyRequest* request,
                                                             inference::ModelReadyResponse* response) {
  return Unary(context, admission_, Rpc::kModelReady, request->name(), [&](const Admitted&) -> Status {
    FS_RETURN_IF_ERROR(RequireName(request->name()));
    FS_ASSIGN_OR_RETURN(bool ready, service_->IsModelReady(request->name(), request->version()));
    response->set_ready(ready);
    return Status::Ok();
  });
}

::grpc::ServerUnaryReactor* InferenceGrpcService::ServerMetadata(::grpc::CallbackServerContext* context,
                                                                 const inference::ServerMetadataRequest*,
                                                                 inference::ServerMetadataResponse* response) {
  return Unary(context, admission_, Rpc::kServerMetadata, "", [&](const Admitted&) {
    EncodeServerMetadata(service_->GetServerMetadata(), response);
    return Status::Ok();
  });
}

::grpc::ServerUnaryReactor* InferenceGrpcService::ModelMetadata(::grpc::CallbackServerContext* context,
                                                                const inference::ModelMetadataRequest* request,
                                                                inference::ModelMetadataResponse* response) {
  return Unary(context, admission_, Rpc::kModelMetadata, request->name(), [&](const Admitted&) -> Status {
    FS_RETURN_IF_ERROR(RequireName(request->name()));
    FS_ASSIGN_OR_RETURN(serving::ModelMetadata metadata, service_->GetModelMetadata(request->name(), request->version()));
    EncodeModelMetadata(metadata, response);
    return Status::Ok();
  });
}

::grpc::ServerUnaryReactor* InferenceGrpcService::ModelInfer(::grpc::CallbackServerContext* context,
                                                             const inference::ModelInferRequest* request,
                                                             inference::ModelInferResponse* response) {
  ::grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  EchoRequestId(context);
  try {
    auto admitted = admission_.Admit(context, Rpc::kModelInfer, request->model_name());
    if (!admitted.ok()) {
      reactor->Finish(ToGrpcStatus(admitted.status()));
      return reactor;
    }
    serving::InferRequest decoded;
    decoded.principal = admitted->principal;
    Status status = DecodeInferRequest(*request, admitted->limits->decode, &decoded);
    if (!status.ok()) {
      reactor->Finish(ToGrpcStatus(status));
      return reactor;
    }
    const bool raw = WantsRawOutputs(*request);
    // The in-flight slot stays taken until the answer is encoded.
    service_->InferAsync(std::move(decoded), [reactor, response, raw, slot = admitted->slot](
                                                 Result<serving::InferResponse> result) {
      if (!result.ok()) return reactor->Finish(ToGrpcStatus(result.status()));
      ::grpc::Status status = ::grpc::Status::OK;
      try {
        EncodeInferResponse(*result, raw, response);
      } catch (const std::exception& e) {
        status = ToGrpcStatus(Internal(std::string("internal error encoding the answer: ") + e.what()));
      }
      reactor->Finish(status);
    });
  } catch (const std::exception& e) {
    FS_LOG(kError, "handler_exception").With("rpc", "ModelInfer").With("what", e.what());
    reactor->Finish(ToGrpcStatus(Internal(std::string("internal error: ") + e.what())));
  }
  return reactor;
}

}  // namespace finserve::grpc
