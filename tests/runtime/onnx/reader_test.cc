// Load-time refusals: every bad model is a clear error at load, never a crash or a request-time
// surprise. Messages name what is wrong (node, op, domain, opset, value, path).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "runtime/onnx/onnx_backend.h"
#include "runtime/onnx/onnx_test_util.h"

namespace finserve::runtime::onnx {
namespace {

using ::onnx::TensorProto;
using ::testing::HasSubstr;
using testing::ModelBuilder;

ModelBuilder ReluModel(int opset = 17) {
  ModelBuilder b(opset);
  b.Input("x", TensorProto::FLOAT, {"N", 4}).Output("y", TensorProto::FLOAT, {"N", 4});
  b.Node("Relu", {"x"}, {"y"});
  return b;
}

TEST(OnnxReader, LoadsAValidModelAndDescribesItsSignature) {
  auto model = ReluModel().Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->platform(), "onnx_onnxv1");
  ASSERT_EQ((*model)->inputs().size(), 1u);
  EXPECT_EQ((*model)->inputs()[0].name, "x");
  EXPECT_EQ((*model)->inputs()[0].dtype, DataType::kFp32);
  EXPECT_EQ((*model)->inputs()[0].shape, (std::vector<int64_t>{-1, 4}));
  EXPECT_EQ((*model)->outputs()[0].shape, (std::vector<int64_t>{-1, 4}));
}

TEST(OnnxReader, RefusesEmptyTruncatedAndCorruptBytes) {
  const std::string good = ReluModel().Bytes();
  for (const std::string& bytes : {std::string(), good.substr(0, good.size() / 2), std::string("\xff\xff\xff\xff garbage", 13)}) {
    auto model = OnnxModel::Load(bytes, {});
    ASSERT_FALSE(model.ok());
    EXPECT_EQ(model.status().code(), StatusCode::kInvalidArgument) << model.status().ToString();
  }
}

TEST(OnnxReader, RefusesUnknownOpNamingNodeOpDomainAndOpset) {
  ModelBuilder b(13);
  b.Input("x", TensorProto::FLOAT, {2}).Output("y", TensorProto::FLOAT, {2});
  b.Node("NoSuchOp", {"x"}, {"y"}).set_name("mystery");
  auto model = b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(model.status().message(), HasSubstr("node 'mystery' (op 'NoSuchOp', domain 'ai.onnx', opset 13)"));
}

TEST(OnnxReader, RefusesAnOpsetRangeWithoutKernel) {
  ModelBuilder b(5);  // Add before opset 7 used legacy broadcast attributes
  b.Input("x", TensorProto::FLOAT, {2}).Output("y", TensorProto::FLOAT, {2});
  b.Node("Add", {"x", "x"}, {"y"});
  auto model = b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("op 'Add', domain 'ai.onnx', opset 5"));
  EXPECT_THAT(model.status().message(), HasSubstr("supported for opsets 7-17"));
}

TEST(OnnxReader, RefusesUnsupportedElementTypeNamingIt) {
  ModelBuilder b(13);
  b.Input("x", TensorProto::STRING, {2}).Output("y", TensorProto::STRING, {2});
  b.Node("Sqrt", {"x"}, {"y"}).set_name("root");
  auto model = b.Load();
  ASSERT_FALSE(model.ok());
  // The ONNX checker or our table refuses it; either way the node is named.
  EXPECT_THAT(model.status().message(), HasSubstr("root"));
}

TEST(OnnxReader, RefusesTypeWithoutKernelAtLoadNotAtRequest) {
  ModelBuilder b(13);
  b.Input("x", TensorProto::FLOAT16, {2}).Output("y", TensorProto::FLOAT16, {2});
  b.Node("Sqrt", {"x"}, {"y"}).set_name("half_root");
  auto model = b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(model.status().message(), HasSubstr("node 'half_root' (op 'Sqrt', domain 'ai.onnx', opset 13)"));
  EXPECT_THAT(model.status().message(), HasSubstr("FP16"));
}

TEST(OnnxReader, RefusesTypesWithoutOipEquivalent) {
  ModelBuilder b(13);
  b.Input("x", TensorProto::COMPLEX64, {2}).Output("y", TensorProto::COMPLEX64, {2});
  b.Node("Identity", {"x"}, {"y"});
  auto model = b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("COMPLEX64"));
}

TEST(OnnxReader, RefusesUnsupportedDomainsAndOpsets) {
  {
    ModelBuilder b(13);
    b.Import("com.microsoft", 1);
    b.Input("x", TensorProto::FLOAT, {2}).Output("y", TensorProto::FLOAT, {2});
    b.Node("Relu", {"x"}, {"y"});
    auto model = b.Load();
    ASSERT_FALSE(model.ok());
    EXPECT_THAT(model.status().message(), HasSubstr("com.microsoft"));
  }
  {
    auto model = ReluModel(18).Load();
    ASSERT_FALSE(model.ok());
    EXPECT_THAT(model.status().message(), HasSubstr("opset 18 is not supported (supported: 1-17)"));
  }
}

TEST(OnnxReader, RefusesCyclesNamingANodeOnTheCycle) {
  ModelBuilder b(13);
  b.Input("x", TensorProto::FLOAT, {2}).Output("y", TensorProto::FLOAT, {2});
  b.Node("Add", {"x", "z"}, {"y"}).set_name("a");
  b.Node("Relu", {"y"}, {"z"}).set_name("b");
  auto model = b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("cycle"));
  EXPECT_THAT(model.status().message(), ::testing::AnyOf(HasSubstr("node 'a'"), HasSubstr("node 'b'")));
}

TEST(OnnxReader, RefusesMissingInitializer) {
  ModelBuilder b(13);
  b.Input("x", TensorProto::FLOAT, {2}).Output("y", TensorProto::FLOAT, {2});
  b.Node("Add", {"x", "bias"}, {"y"}).set_name("add_bias");
  auto model = b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("node 'add_bias'"));
  EXPECT_THAT(model.status().message(), HasSubstr("'bias'"));
}

TEST(OnnxReader, RefusesInitializerWhosePayloadContradictsItsDims) {
  ModelBuilder b(13);
  b.Input("x", TensorProto::FLOAT, {3}).Output("y", TensorProto::FLOAT, {3});
  b.Initializer("w", {1, 2}, {3});
  b.Node("Add", {"x", "w"}, {"y"});
  auto model = b.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("'w'"));
}

class ExternalDataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("fs_onnx_ext_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "model");
    const float w[3] = {1.5f, -2.0f, 4.0f};
    std::ofstream(dir_ / "model" / "weights.bin", std::ios::binary).write(reinterpret_cast<const char*>(w), sizeof w);
    std::ofstream(dir_ / "secret.bin", std::ios::binary).write(reinterpret_cast<const char*>(w), sizeof w);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  ModelBuilder WithExternal(const std::string& location) {
    ModelBuilder b(13);
    b.Input("x", TensorProto::FLOAT, {3}).Output("y", TensorProto::FLOAT, {3});
    auto* t = b.proto().mutable_graph()->add_initializer();
    t->set_name("w");
    t->set_data_type(TensorProto::FLOAT);
    t->add_dims(3);
    t->set_data_location(TensorProto::EXTERNAL);
    auto* kv = t->add_external_data();
    kv->set_key("location");
    kv->set_value(location);
    b.Node("Add", {"x", "w"}, {"y"});
    return b;
  }
  std::string model_dir() const { return (dir_ / "model").string(); }

  std::filesystem::path dir_;
};

TEST_F(ExternalDataTest, ReadsExternalInitializersRelativeToTheModel) {
  auto model = WithExternal("weights.bin").Load(model_dir());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  auto out = testing::RunModel(**model, {Tensor::FromVector<float>({3}, {1, 1, 1})});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(testing::Values<float>((*out)[0]), (std::vector<float>{2.5f, -1.0f, 5.0f}));
}

TEST_F(ExternalDataTest, RefusesPathTraversalAbsolutePathsAndMissingFiles) {
  for (const std::string& location : {std::string("../secret.bin"), (dir_ / "secret.bin").string(), std::string("nope.bin")}) {
    auto model = WithExternal(location).Load(model_dir());
    ASSERT_FALSE(model.ok()) << location;
    EXPECT_THAT(model.status().message(), HasSubstr("external data")) << model.status().ToString();
  }
  auto symlinked = std::filesystem::path(model_dir()) / "link.bin";
  std::filesystem::create_symlink(dir_ / "secret.bin", symlinked);
  auto model = WithExternal("link.bin").Load(model_dir());
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("outside the model directory"));
}

TEST_F(ExternalDataTest, RefusesExternalDataWithoutAModelDirectory) {
  auto model = WithExternal("weights.bin").Load("");
  ASSERT_FALSE(model.ok());
}

TEST(OnnxBackend, ClaimsModelOnnxAndLoadsThroughTheRuntimeInterface) {
  auto backend = NewOnnxBackend();
  EXPECT_EQ(backend->file_name(), "model.onnx");
  EXPECT_EQ(backend->name(), "onnx");
  const std::string bytes = ReluModel().Bytes();
  ModelSource source{"", "model.onnx", bytes};
  auto model = backend->Load(source, BackendOptions{});
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ((*model)->platform(), "onnx_onnxv1");
}

}  // namespace
}  // namespace finserve::runtime::onnx

namespace finserve::runtime::onnx {
namespace {

// Damaged copies of a valid model (every truncation, random byte flips) load or fail with a
// Status; those that load also run once. Nothing may crash (this runs under ASan/UBSan too).
TEST(OnnxReader, DamagedModelsNeverCrash) {
  ModelBuilder b(13);
  b.Input("x", ::onnx::TensorProto::FLOAT, {"N", 3}).Output("y", ::onnx::TensorProto::FLOAT, {"N", 2});
  b.Initializer("w", {1, 2, 3, 4, 5, 6}, {3, 2});
  b.InitializerInt64("axes", {1}, {1});
  b.Node("MatMul", {"x", "w"}, {"h"});
  b.Node("Softmax", {"h"}, {"y"});
  const std::string good = b.Bytes();
  auto try_bytes = [](const std::string& bytes) {
    auto model = OnnxModel::Load(bytes, {});
    if (!model.ok()) return;
    std::vector<Tensor> inputs;
    for (const auto& spec : (*model)->inputs()) {
      std::vector<int64_t> dims;
      for (int64_t d : spec.shape) dims.push_back(d < 0 ? 2 : std::min<int64_t>(d, 8));
      if (spec.dtype == DataType::kBytes) return;
      inputs.push_back(Tensor::Zeros(spec.dtype, Shape(dims)));
    }
    (void)testing::RunModel(**model, inputs);
  };
  for (size_t n = 0; n < good.size(); ++n) try_bytes(good.substr(0, n));
  std::mt19937 rng(5);
  for (int i = 0; i < 400; ++i) {
    std::string bad = good;
    for (int flips = 1 + i % 3; flips > 0; --flips) {
      bad[rng() % bad.size()] = static_cast<char>(rng());
    }
    try_bytes(bad);
  }
  SUCCEED();
}

}  // namespace
}  // namespace finserve::runtime::onnx

namespace finserve::runtime::onnx {
namespace {

TEST(OnnxReader, AcceptsTheMlDomainAndNamesMlOpsWithoutKernels) {
  ModelBuilder ok(13);
  ok.Import("ai.onnx.ml", 3);
  ok.Input("x", ::onnx::TensorProto::FLOAT, {2}).Output("y", ::onnx::TensorProto::FLOAT, {2});
  ok.Node("Relu", {"x"}, {"y"});
  auto model = ok.Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();

  ModelBuilder ml(13);
  ml.Import("ai.onnx.ml", 3);
  ml.Input("x", ::onnx::TensorProto::FLOAT, {1, 2}).Output("y", ::onnx::TensorProto::FLOAT, {1, 2});
  auto& svm = ml.Node("SVMRegressor", {"x"}, {"y"}, "ai.onnx.ml");
  svm.set_name("svm");
  model = ml.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().code(), StatusCode::kUnimplemented);
  EXPECT_THAT(model.status().message(), HasSubstr("node 'svm' (op 'SVMRegressor', domain 'ai.onnx.ml', opset 3)"));

  ModelBuilder too_new(13);
  too_new.Import("ai.onnx.ml", 4);
  too_new.Input("x", ::onnx::TensorProto::FLOAT, {2}).Output("y", ::onnx::TensorProto::FLOAT, {2});
  too_new.Node("Relu", {"x"}, {"y"});
  model = too_new.Load();
  ASSERT_FALSE(model.ok());
  EXPECT_THAT(model.status().message(), HasSubstr("'ai.onnx.ml' opset 4 is not supported (supported: 1-3)"));
}

}  // namespace
}  // namespace finserve::runtime::onnx
