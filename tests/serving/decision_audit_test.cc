// The serving side of the audit trail: exact request codecs (what replay feeds back), the model
// audit config, and model-file signatures (the bad-input cases name the file and the key).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "audit/crypto.h"
#include "serving/decision_audit.h"
#include "serving/version_archive.h"

namespace finserve::serving {
namespace {

using ::testing::HasSubstr;

TEST(AuditCodec, RequestsRoundTripBitForBit) {
  InferRequest r;
  r.model_version = "3";
  r.id = "app-1";
  r.parameters.Set("explain", true);
  r.parameters.Set("reason_codes", int64_t{4});
  const std::vector<float> values = {0.1f, -0.0f, std::numeric_limits<float>::quiet_NaN(), 1e-45f};
  r.inputs.push_back({"features", DataType::kFp32, Tensor::FromVector(Shape{1, 4}, values), {}});
  const std::vector<std::string> text = {"rent", ""};
  r.inputs.push_back({"home", DataType::kBytes, Tensor::FromStrings(Shape{2}, std::span<const std::string>(text)), {}});
  r.outputs.push_back({"probabilities", {}});
  auto back = DeserializeAuditedRequest(SerializeRequestForAudit(r));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(SerializeRequestForAudit(*back), SerializeRequestForAudit(r));
  ASSERT_EQ(back->inputs.size(), 2u);
  EXPECT_EQ(std::memcmp(back->inputs[0].tensor.raw_data(), values.data(), 16), 0);
  EXPECT_EQ(back->inputs[1].tensor.string_at(0), "rent");
  EXPECT_EQ(back->outputs[0].name, "probabilities");
  EXPECT_FALSE(DeserializeAuditedRequest("{\"inputs\": 3}").ok());
}

TEST(AuditCodec, ScoreRequestsKeepTheDoubleBits) {
  ScoreRequest r;
  r.model_version = "";
  r.id = "x";
  r.reason_codes = 2;
  r.applicant = {{"income", 52000.000000000007}, {"home", std::string("rent")}, {"age", std::monostate()}};
  auto back = DeserializeAuditedScoreRequest(SerializeScoreRequestForAudit(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(std::get<double>(back->applicant[0].second), 52000.000000000007);
  EXPECT_EQ(std::get<std::string>(back->applicant[1].second), "rent");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(back->applicant[2].second));
  EXPECT_EQ(*back->reason_codes, 2);
}

TEST(ModelAuditConfig, OnlyKnownKeys) {
  EXPECT_FALSE(ParseModelAuditConfig(nlohmann::json::object(), "c").value().store_inputs);
  EXPECT_TRUE(ParseModelAuditConfig({{"audit", {{"store_inputs", true}}}}, "c").value().store_inputs);
  auto typo = ParseModelAuditConfig({{"audit", {{"store_input", true}}}}, "m/config.yaml");
  EXPECT_THAT(typo.status().message(), HasSubstr("m/config.yaml: unknown key 'audit.store_input'"));
  EXPECT_FALSE(ParseModelAuditConfig({{"audit", {{"store_inputs", "yes"}}}}, "c").ok());
}

class SignatureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("finserve-sig-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    auto pair = audit::GenerateEd25519();
    key_ = std::make_unique<audit::SigningKey>(*audit::SigningKey::FromPem(pair->private_pem, "k"));
    policy_.trusted.push_back(*audit::VerifyKey::FromPem(pair->public_pem, "trusted.pub"));
    policy_.require = true;
    path_ = dir_ + "/model.json";
    std::ofstream(path_) << "{\"learner\":{}}";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Sign(const std::string& bytes) { std::ofstream(path_ + ".sig") << *SignModelFile(*key_, "model.json", bytes); }

  std::string dir_, path_;
  std::unique_ptr<audit::SigningKey> key_;
  ModelSignaturePolicy policy_;
};

TEST_F(SignatureTest, SignedFileLoadsAndEveryMismatchIsNamed) {
  const std::string bytes = "{\"learner\":{}}";
  EXPECT_THAT(policy_.Check(path_, bytes).message(), HasSubstr("model.json is not signed"));
  Sign(bytes);
  EXPECT_TRUE(policy_.Check(path_, bytes).ok());
  const Status other = policy_.Check(path_, "{\"learner\":{\"x\":1}}");
  EXPECT_EQ(other.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(other.message(), HasSubstr("belongs to another model file"));
  ModelSignaturePolicy stranger;
  stranger.require = true;
  stranger.trusted.push_back(*audit::VerifyKey::FromPem(audit::GenerateEd25519()->public_pem, "other.pub"));
  EXPECT_THAT(stranger.Check(path_, bytes).message(), HasSubstr("which is not trusted"));
  std::ofstream(path_ + ".sig") << "garbage";
  EXPECT_THAT(policy_.Check(path_, bytes).message(), HasSubstr("model.json.sig is not a finserve signature file"));
  ModelSignaturePolicy off;  // no trusted keys, not required: signatures are not checked
  EXPECT_TRUE(off.Check(path_, bytes).ok());
}

}  // namespace
}  // namespace finserve::serving
