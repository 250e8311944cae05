// Admission's in-flight bound without a server: a context with no call behind it is enough,
// since authentication is off (every caller is the anonymous principal).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "grpc/access.h"

namespace finserve::grpc {
namespace {

using ::testing::HasSubstr;

TEST(AdmissionTest, InFlightBoundRefusesAtOnceExemptsHealthAndRecovers) {
  serving::InferenceService service(nullptr, serving::ServiceOptions{});
  GrpcLimits limits;
  limits.max_in_flight = 2;
  auto live = std::make_shared<LiveGrpcLimits>(limits);
  Admission admission(&service, live);
  ::grpc::CallbackServerContext context;

  auto first = admission.Admit(&context, Rpc::kModelInfer);
  auto second = admission.Admit(&context, Rpc::kModelMetadata);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(first->principal != nullptr);
  auto third = admission.Admit(&context, Rpc::kModelInfer);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(third.status().message(), HasSubstr("maximum of 2 gRPC calls"));
  EXPECT_TRUE(admission.Admit(&context, Rpc::kServerLive).ok());  // health is exempt
  EXPECT_TRUE(admission.Admit(&context, Rpc::kServerReady).ok());

  first = Unavailable("released");  // gives its slot back
  EXPECT_TRUE(admission.Admit(&context, Rpc::kModelInfer).ok());

  limits.max_in_flight = 3;  // SIGHUP: the next call sees the new bound
  live->Set(limits);
  auto fourth = admission.Admit(&context, Rpc::kModelInfer);
  EXPECT_TRUE(fourth.ok());
  EXPECT_TRUE(admission.Authorize(&context, Rpc::kModelInfer, *fourth, "credit_gbdt").ok());
}

TEST(AdmissionTest, EveryRpcHasAName) {
  EXPECT_EQ(RpcName(Rpc::kServerLive), "ServerLive");
  EXPECT_EQ(RpcName(Rpc::kModelInfer), "ModelInfer");
  EXPECT_EQ(RpcName(Rpc::kModelMetadata), "ModelMetadata");
}

}  // namespace
}  // namespace finserve::grpc
