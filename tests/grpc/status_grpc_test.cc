#include <gtest/gtest.h>

#include "grpc/status_grpc.h"

namespace finserve::grpc {
namespace {

TEST(StatusGrpcTest, EveryCodeKeepsItsCanonicalNumber) {
  for (int code = 0; code <= 16; ++code) {
    const auto ours = static_cast<StatusCode>(code);
    EXPECT_EQ(static_cast<int>(GrpcCodeFor(ours)), code) << StatusCodeName(ours);
  }
}

TEST(StatusGrpcTest, MessageTravelsUnchanged) {
  const ::grpc::Status s = ToGrpcStatus(NotFound("model 'x' is not in the repository"));
  EXPECT_EQ(s.error_code(), ::grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "model 'x' is not in the repository");
  EXPECT_TRUE(ToGrpcStatus(Status::Ok()).ok());
}

}  // namespace
}  // namespace finserve::grpc
