// Admission for the gRPC front end: what every RPC passes before its handler, in the order the
// HTTP front end applies it (http/request_handler.h), with the same InferenceService calls:
//   UNAVAILABLE        more than max_in_flight calls being handled (health RPCs are exempt)
//   UNAUTHENTICATED    missing, malformed, unknown, revoked or expired `authorization: Bearer` key
//   PERMISSION_DENIED  the key lacks the RPC's scope or the model is outside its globs
//   RESOURCE_EXHAUSTED the key's rate limit is spent; trailing metadata `retry-after` (seconds)
// Two steps, because the model is named inside the message: Admit (slot and key) before the
// message is parsed, Authorize (scope, model, rate) after. Every RPC is declared once in the
// table of access.cc with the scope it needs.
//
// Limits come from LiveGrpcLimits, which SIGHUP may change; each call reads one snapshot.
// Thread-safe.
#pragma once

#include <grpcpp/server_context.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include "grpc/proto_codec.h"
#include "serving/inference_service.h"

namespace finserve::grpc {

struct GrpcLimits {
  int64_t max_in_flight = 1024;  // calls being handled at once; UNAVAILABLE above
  DecodeLimits decode;           // tensor elements and inputs per request
};

class LiveGrpcLimits {
 public:
  explicit LiveGrpcLimits(GrpcLimits initial) : current_(std::make_shared<const GrpcLimits>(initial)) {}
  std::shared_ptr<const GrpcLimits> Get() const {
    std::lock_guard lock(mu_);
    return current_;
  }
  void Set(const GrpcLimits& limits) {
    auto fresh = std::make_shared<const GrpcLimits>(limits);
    std::lock_guard lock(mu_);
    current_ = std::move(fresh);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const GrpcLimits> current_;
};

// The RPCs of inference.GRPCInferenceService, each with its access rule in access.cc.
enum class Rpc { kServerLive, kServerReady, kModelReady, kServerMetadata, kModelMetadata, kModelInfer };
std::string_view RpcName(Rpc rpc);

// What an admitted call holds: its in-flight slot (given back when the last copy goes) and the
// caller. The limits snapshot the call runs with.
struct Admitted {
  std::shared_ptr<void> slot;
  std::shared_ptr<const serving::auth::Principal> principal;
  std::shared_ptr<const GrpcLimits> limits;
};

class Admission {
 public:
  Admission(const serving::InferenceService* service, std::shared_ptr<const LiveGrpcLimits> limits);

  // The in-flight slot and the caller's identity; open RPCs always pass (anonymous, no slot).
  Result<Admitted> Admit(::grpc::CallbackServerContext* context, Rpc rpc) const;
  // May the admitted caller run `rpc` on `model` ("" = no model) now? On refusal the trailing
  // metadata (retry-after) is already on `context`.
  Status Authorize(::grpc::CallbackServerContext* context, Rpc rpc, const Admitted& admitted,
                   std::string_view model) const;
  // Answers the call with `status` and counts it (finserve_grpc_responses_total{rpc, code}), so
  // refusals of Admit/Authorize are counted with the rest. Every RPC finishes through here.
  void Finish(::grpc::ServerUnaryReactor* reactor, Rpc rpc, const Status& status) const;

 private:
  Status Refuse(::grpc::CallbackServerContext* context, Rpc rpc, const Status& status, int64_t retry_after_s,
                const serving::auth::Principal* principal) const;

  const serving::InferenceService* service_;
  std::shared_ptr<const LiveGrpcLimits> limits_;
  std::shared_ptr<std::atomic<int64_t>> in_flight_;
  CounterFamily* responses_;
};

}  // namespace finserve::grpc
