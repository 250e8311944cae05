#include "grpc/service.h"

#include <grpcpp/impl/codegen/proto_utils.h>

#include <exception>
#include <utility>

#include "core/log.h"

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

// The caller's x-request-id, the key of the decision's audit record ("" when absent or too long).
std::string RequestIdOf(::grpc::CallbackServerContext* context) {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("x-request-id");
  if (it == metadata.end() || it->second.size() > 128) return "";
  return std::string(it->second.data(), it->second.size());
}

template <typename Message>
Status Parse(const ::grpc::ByteBuffer& bytes, Message* message) {
  ::grpc::ByteBuffer copy(bytes);  // shares the slices; Deserialize consumes its buffer
  const size_t size = bytes.Length();
  if (!::grpc::SerializationTraits<Message>::Deserialize(&copy, message).ok()) {
    return InvalidArgument("the request is not a valid " + message->GetTypeName() + " protobuf message (" +
                           std::to_string(size) + " bytes)");
  }
  return Status::Ok();
}

template <typename Message>
Status Serialize(const Message& message, ::grpc::ByteBuffer* out) {
  bool own_buffer = false;
  const ::grpc::Status s = ::grpc::SerializationTraits<Message>::Serialize(message, out, &own_buffer);
  return s.ok() ? Status::Ok() : Internal("cannot serialize the answer: " + s.error_message());
}

Status RequireName(const std::string& name) {
  return name.empty() ? InvalidArgument("'name' is required (the model's name)") : Status::Ok();
}

// A unary RPC answered on the calling thread: admit, parse `Request`, authorize for the model
// `model_of` names, run `body` to fill a `Response`, serialize it, finish.
template <typename Request, typename Response, typename ModelOf, typename Body>
::grpc::ServerUnaryReactor* Unary(::grpc::CallbackServerContext* context, const Admission& admission, Rpc rpc,
                                  const ::grpc::ByteBuffer* in, ::grpc::ByteBuffer* out, ModelOf model_of,
                                  Body body) {
  ::grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  EchoRequestId(context);
  Status status;
  try {
    status = [&]() -> Status {
      FS_ASSIGN_OR_RETURN(Admitted admitted, admission.Admit(context, rpc));
      Request request;
      FS_RETURN_IF_ERROR(Parse(*in, &request));
      FS_RETURN_IF_ERROR(admission.Authorize(context, rpc, admitted, model_of(request)));
      Response response;
      FS_RETURN_IF_ERROR(body(request, &response));
      return Serialize(response, out);
    }();
  } catch (const std::exception& e) {
    FS_LOG(kError, "handler_exception").With("rpc", std::string(RpcName(rpc))).With("what", e.what());
    status = Internal(std::string("internal error: ") + e.what());
  }
  admission.Finish(reactor, rpc, status);
  return reactor;
}

constexpr auto kNoModel = [](const auto&) { return std::string_view(); };

}  // namespace

InferenceGrpcService::InferenceGrpcService(serving::InferenceService* service,
                                           std::shared_ptr<const LiveGrpcLimits> limits)
    : service_(service), admission_(service, std::move(limits)) {}

InferenceGrpcService::Reactor* InferenceGrpcService::ServerLive(Context* context, const Buffer* in, Buffer* out) {
  return Unary<inference::ServerLiveRequest, inference::ServerLiveResponse>(
      context, admission_, Rpc::kServerLive, in, out, kNoModel, [&](const auto&, auto* response) {
        response->set_live(service_->live());
        return Status::Ok();
      });
}

InferenceGrpcService::Reactor* InferenceGrpcService::ServerReady(Context* context, const Buffer* in, Buffer* out) {
  return Unary<inference::ServerReadyRequest, inference::ServerReadyResponse>(
      context, admission_, Rpc::kServerReady, in, out, kNoModel, [&](const auto&, auto* response) {
        response->set_ready(service_->ready());
        return Status::Ok();
      });
}

InferenceGrpcService::Reactor* InferenceGrpcService::ModelReady(Context* context, const Buffer* in, Buffer* out) {
  return Unary<inference::ModelReadyRequest, inference::ModelReadyResponse>(
      context, admission_, Rpc::kModelReady, in, out, [](const auto& r) { return std::string_view(r.name()); },
      [&](const auto& request, auto* response) -> Status {
        FS_RETURN_IF_ERROR(RequireName(request.name()));
        FS_ASSIGN_OR_RETURN(bool ready, service_->IsModelReady(request.name(), request.version()));
        response->set_ready(ready);
        return Status::Ok();
      });
}

InferenceGrpcService::Reactor* InferenceGrpcService::ServerMetadata(Context* context, const Buffer* in, Buffer* out) {
  return Unary<inference::ServerMetadataRequest, inference::ServerMetadataResponse>(
      context, admission_, Rpc::kServerMetadata, in, out, kNoModel, [&](const auto&, auto* response) {
        EncodeServerMetadata(service_->GetServerMetadata(), response);
        return Status::Ok();
      });
}

InferenceGrpcService::Reactor* InferenceGrpcService::ModelMetadata(Context* context, const Buffer* in, Buffer* out) {
  return Unary<inference::ModelMetadataRequest, inference::ModelMetadataResponse>(
      context, admission_, Rpc::kModelMetadata, in, out, [](const auto& r) { return std::string_view(r.name()); },
      [&](const auto& request, auto* response) -> Status {
        FS_RETURN_IF_ERROR(RequireName(request.name()));
        FS_ASSIGN_OR_RETURN(serving::ModelMetadata md, service_->GetModelMetadata(request.name(), request.version()));
        EncodeModelMetadata(md, response);
        return Status::Ok();
      });
}

InferenceGrpcService::Reactor* InferenceGrpcService::ModelInfer(Context* context, const Buffer* in, Buffer* out) {
  Reactor* reactor = context->DefaultReactor();
  EchoRequestId(context);
  try {
    Admitted admitted;
    inference::ModelInferRequest message;
    serving::InferRequest request;
    request.protocol = serving::Protocol::kGrpc;
    bool message_refused = false;  // a malformed message or request counts in the inference metrics
    Status status = [&]() -> Status {
      FS_ASSIGN_OR_RETURN(admitted, admission_.Admit(context, Rpc::kModelInfer));
      message_refused = true;
      FS_RETURN_IF_ERROR(Parse(*in, &message));
      message_refused = false;
      FS_RETURN_IF_ERROR(admission_.Authorize(context, Rpc::kModelInfer, admitted, message.model_name()));
      request.principal = admitted.principal;
      request.request_id = RequestIdOf(context);
      message_refused = true;
      return DecodeInferRequest(message, admitted.limits->decode, &request);
    }();
    if (!status.ok()) {
      if (message_refused) {
        service_->CountRejected(message.model_name(), message.model_version(), serving::Protocol::kGrpc, status);
      }
      admission_.Finish(reactor, Rpc::kModelInfer, status);
      return reactor;
    }
    const bool raw = WantsRawOutputs(message);
    // The in-flight slot stays taken until the answer is written.
    service_->InferAsync(std::move(request), [this, reactor, out, raw, slot = std::move(admitted.slot)](
                                                 Result<serving::InferResponse> result) {
      Status status = result.status();
      try {
        if (result.ok()) {
          inference::ModelInferResponse response;
          EncodeInferResponse(*result, raw, &response);
          status = Serialize(response, out);
        }
      } catch (const std::exception& e) {
        status = Internal(std::string("internal error encoding the answer: ") + e.what());
      }
      admission_.Finish(reactor, Rpc::kModelInfer, status);
    });
  } catch (const std::exception& e) {
    FS_LOG(kError, "handler_exception").With("rpc", "ModelInfer").With("what", e.what());
    admission_.Finish(reactor, Rpc::kModelInfer, Internal(std::string("internal error: ") + e.what()));
  }
  return reactor;
}

}  // namespace finserve::grpc
