#include "grpc/access.h"

#include <grpc/grpc_security_constants.h>

#include <string>

#include "core/log.h"
#include "grpc/status_grpc.h"

namespace finserve::grpc {
namespace {

using serving::auth::Scope;

struct RpcRule {
  Rpc rpc;
  std::string_view name;
  bool open;    // health: no key, no in-flight slot (answers under overload)
  Scope scope;  // what a key needs otherwise (the HTTP routes' scopes, docs/api.md)
};

constexpr RpcRule kRpcRules[] = {
    {Rpc::kServerLive, "ServerLive", true, Scope::kInfer},
    {Rpc::kServerReady, "ServerReady", true, Scope::kInfer},
    {Rpc::kModelReady, "ModelReady", false, Scope::kInfer},
    {Rpc::kServerMetadata, "ServerMetadata", false, Scope::kInfer},
    {Rpc::kModelMetadata, "ModelMetadata", false, Scope::kInfer},
    {Rpc::kModelInfer, "ModelInfer", false, Scope::kInfer},
};

const RpcRule& RuleFor(Rpc rpc) {
  for (const RpcRule& rule : kRpcRules) {
    if (rule.rpc == rpc) return rule;
  }
  return kRpcRules[std::size(kRpcRules) - 1];  // unreachable: every Rpc is in the table
}

struct InFlightSlot {
  explicit InFlightSlot(std::shared_ptr<std::atomic<int64_t>> counter) : counter(std::move(counter)) {}
  ~InFlightSlot() { counter->fetch_sub(1, std::memory_order_relaxed); }
  std::shared_ptr<std::atomic<int64_t>> counter;
};

std::shared_ptr<void> TryTakeSlot(const std::shared_ptr<std::atomic<int64_t>>& counter, int64_t max) {
  if (counter->fetch_add(1, std::memory_order_relaxed) >= max) {
    counter->fetch_sub(1, std::memory_order_relaxed);
    return nullptr;
  }
  return std::make_shared<InFlightSlot>(counter);
}

std::string_view MetadataValue(const ::grpc::CallbackServerContext& context, std::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(::grpc::string_ref(key.data(), key.size()));
  return it == metadata.end() ? std::string_view() : std::string_view(it->second.data(), it->second.size());
}

// The subject of a verified client certificate (mutual TLS), in the RFC 2253 form HTTP uses.
std::string ClientSubject(const ::grpc::CallbackServerContext& context) {
  const auto auth = context.auth_context();
  if (!auth || !auth->IsPeerAuthenticated()) return "";
  const auto values = auth->FindPropertyValues(GRPC_X509_SUBJECT_PROPERTY_NAME);
  return values.empty() ? "" : std::string(values.front().data(), values.front().size());
}

}  // namespace

std::string_view RpcName(Rpc rpc) { return RuleFor(rpc).name; }

Admission::Admission(const serving::InferenceService* service, std::shared_ptr<const LiveGrpcLimits> limits)
    : service_(service),
      limits_(std::move(limits)),
      in_flight_(std::make_shared<std::atomic<int64_t>>(0)),
      responses_(&service->metrics_registry().AddCounter(
          "finserve_grpc_responses_total",
          "gRPC answers by RPC and status, including calls refused before reaching a model (access, limits)",
          {"rpc", "code"})) {}

void Admission::Finish(::grpc::ServerUnaryReactor* reactor, Rpc rpc, const Status& status) const {
  responses_->WithLabels({RpcName(rpc), StatusCodeName(status.code())})->Increment();
  reactor->Finish(ToGrpcStatus(status));
}

Status Admission::Refuse(::grpc::CallbackServerContext* context, Rpc rpc, const Status& status,
                         int64_t retry_after_s, const serving::auth::Principal* principal) const {
  if (status.code() == StatusCode::kResourceExhausted && retry_after_s > 0) {
    context->AddTrailingMetadata("retry-after", std::to_string(retry_after_s));
  }
  const LogLevel level = status.code() == StatusCode::kPermissionDenied || status.code() == StatusCode::kUnauthenticated
                             ? LogLevel::kWarn
                             : LogLevel::kInfo;
  if (LogLevelEnabled(level)) {
    LogEvent(level, "access_denied")
        .With("protocol", "grpc")
        .With("status", std::string(StatusCodeName(status.code())))
        .With("rpc", std::string(RpcName(rpc)))
        .With("peer", context->peer())
        .With("principal", principal ? principal->name : std::string())
        .With("reason", status.message());
  }
  return status;
}

Result<Admitted> Admission::Admit(::grpc::CallbackServerContext* context, Rpc rpc) const {
  const RpcRule& rule = RuleFor(rpc);
  Admitted admitted;
  admitted.limits = limits_->Get();
  if (rule.open) {
    admitted.principal = serving::auth::Principal::Anonymous();
    return admitted;
  }
  admitted.slot = TryTakeSlot(in_flight_, admitted.limits->max_in_flight);
  if (!admitted.slot) {
    return Unavailable("the server is handling its maximum of " + std::to_string(admitted.limits->max_in_flight) +
                       " gRPC calls; retry shortly");
  }
  const std::string subject = ClientSubject(*context);
  const serving::auth::Credentials credentials{MetadataValue(*context, "authorization"), subject};
  auto principal = service_->Authenticate(credentials);
  if (!principal.ok()) return Refuse(context, rpc, principal.status(), 0, nullptr);
  admitted.principal = std::move(principal).value();
  return admitted;
}

Status Admission::Authorize(::grpc::CallbackServerContext* context, Rpc rpc, const Admitted& admitted,
                            std::string_view model) const {
  const RpcRule& rule = RuleFor(rpc);
  if (rule.open) return Status::Ok();
  int64_t retry_after_s = 0;
  Status allowed = service_->Authorize(*admitted.principal, rule.scope, model, &retry_after_s);
  if (!allowed.ok()) return Refuse(context, rpc, allowed, retry_after_s, admitted.principal.get());
  return Status::Ok();
}

}  // namespace finserve::grpc
