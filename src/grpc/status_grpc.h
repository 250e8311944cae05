// The one place that maps a finserve Status to a gRPC status (the gRPC twin of
// http/status_http.h). finserve's codes are the canonical gRPC codes, so the table is one to one;
// it is still written out so that the mapping is read and documented in one place
// (docs/errors.md) and a new code cannot slip through unmapped.
#pragma once

#include <grpcpp/support/status.h>

#include "core/status.h"

namespace finserve::grpc {

::grpc::StatusCode GrpcCodeFor(StatusCode code);
::grpc::Status ToGrpcStatus(const Status& status);

}  // namespace finserve::grpc
