#include "grpc/status_grpc.h"

#include <utility>

namespace finserve::grpc {
namespace {

struct CodeMapping {
  StatusCode ours;
  ::grpc::StatusCode theirs;
};

// Every finserve code, with the gRPC code it travels as. The HTTP equivalents are in
// http/status_http.cc; docs/errors.md shows both side by side.
constexpr CodeMapping kCodeTable[] = {
    {StatusCode::kOk, ::grpc::StatusCode::OK},
    {StatusCode::kCancelled, ::grpc::StatusCode::CANCELLED},
    {StatusCode::kUnknown, ::grpc::StatusCode::UNKNOWN},
    {StatusCode::kInvalidArgument, ::grpc::StatusCode::INVALID_ARGUMENT},
    {StatusCode::kDeadlineExceeded, ::grpc::StatusCode::DEADLINE_EXCEEDED},
    {StatusCode::kNotFound, ::grpc::StatusCode::NOT_FOUND},
    {StatusCode::kAlreadyExists, ::grpc::StatusCode::ALREADY_EXISTS},
    {StatusCode::kPermissionDenied, ::grpc::StatusCode::PERMISSION_DENIED},
    {StatusCode::kResourceExhausted, ::grpc::StatusCode::RESOURCE_EXHAUSTED},
    {StatusCode::kFailedPrecondition, ::grpc::StatusCode::FAILED_PRECONDITION},
    {StatusCode::kAborted, ::grpc::StatusCode::ABORTED},
    {StatusCode::kOutOfRange, ::grpc::StatusCode::OUT_OF_RANGE},
    {StatusCode::kUnimplemented, ::grpc::StatusCode::UNIMPLEMENTED},
    {StatusCode::kInternal, ::grpc::StatusCode::INTERNAL},
    {StatusCode::kUnavailable, ::grpc::StatusCode::UNAVAILABLE},
    {StatusCode::kDataLoss, ::grpc::StatusCode::DATA_LOSS},
    {StatusCode::kUnauthenticated, ::grpc::StatusCode::UNAUTHENTICATED},
};

}  // namespace

::grpc::StatusCode GrpcCodeFor(StatusCode code) {
  for (const CodeMapping& m : kCodeTable) {
    if (m.ours == code) return m.theirs;
  }
  return ::grpc::StatusCode::INTERNAL;
}

::grpc::Status ToGrpcStatus(const Status& status) {
  if (status.ok()) return ::grpc::Status::OK;
  return ::grpc::Status(GrpcCodeFor(status.code()), status.message());
}

}  // namespace finserve::grpc
