// Run-time behaviour: per-request shapes from dynamic dims, request validation (400s, never
// crashes), output selection, strings, and concurrent Run on one loaded model.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "runtime/onnx/onnx_test_util.h"

namespace finserve::runtime::onnx {
namespace {

using ::onnx::TensorProto;
using ::testing::HasSubstr;
using testing::ModelBuilder;
using testing::RunModel;
using testing::Values;

// y = relu(x @ W + b) with a dynamic batch, then softmax.
std::unique_ptr<OnnxModel> SmallMlp() {
  ModelBuilder b(13);
  b.Input("x", TensorProto::FLOAT, {"batch", 3}).Output("p", TensorProto::FLOAT, {"batch", 2});
  b.Initializer("w", {1, -1, 2, 0, -1, 1}, {3, 2});
  b.Initializer("bias", {0.5f, -0.5f}, {2});
  b.Node("MatMul", {"x", "w"}, {"h"});
  b.Node("Add", {"h", "bias"}, {"z"});
  b.Node("Relu", {"z"}, {"r"});
  b.Node("Softmax", {"r"}, {"p"});
  auto model = b.Load();
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return std::move(model).value();
}

std::vector<float> MlpReference(const std::vector<float>& x) {
  const float w[3][2] = {{1, -1}, {2, 0}, {-1, 1}}, bias[2] = {0.5f, -0.5f};
  std::vector<float> out;
  for (size_t r = 0; r < x.size() / 3; ++r) {
    float z[2];
    for (int j = 0; j < 2; ++j) {
      z[j] = bias[j];
      for (int k = 0; k < 3; ++k) z[j] += x[r * 3 + k] * w[k][j];
      z[j] = std::max(z[j], 0.0f);
    }
    const float m = std::max(z[0], z[1]);
    const float e0 = std::exp(z[0] - m), e1 = std::exp(z[1] - m);
    out.push_back(e0 / (e0 + e1));
    out.push_back(e1 / (e0 + e1));
  }
  return out;
}

TEST(OnnxExecutor, ResolvesShapesPerRequestFromDynamicDims) {
  auto model = SmallMlp();
  for (int64_t batch : {1, 2, 5, 0}) {
    std::vector<float> x(static_cast<size_t>(batch * 3));
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 5) - 2.0f;
    auto out = RunModel(*model, {Tensor::FromVector<float>({batch, 3}, x)});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ((*out)[0].shape(), Shape({batch, 2}));
    const auto got = Values<float>((*out)[0]);
    const auto want = MlpReference(x);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << i;
  }
}

TEST(OnnxExecutor, RejectsRequestsThatContradictTheGraph) {
  auto model = SmallMlp();
  struct BadCase {
    Tensor input;
    std::string message;
  };
  std::vector<BadCase> cases;
  cases.push_back({Tensor::FromVector<double>({1, 3}, {1, 2, 3}), "expected datatype FP32, got FP64"});
  cases.push_back({Tensor::FromVector<float>({1, 4}, {1, 2, 3, 4}), "expected shape [-1,3], got [1,4]"});
  cases.push_back({Tensor::FromVector<float>({3}, {1, 2, 3}), "expected shape [-1,3], got [3]"});
  for (const auto& c : cases) {
    auto out = RunModel(*model, {c.input});
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(out.status().message(), HasSubstr(c.message));
  }
  EXPECT_FALSE(RunModel(*model, {}).ok());
  // A view whose byte size lies about its shape.
  Tensor t = Tensor::FromVector<float>({1, 3}, {1, 2, 3});
  TensorView v = t.view();
  v.byte_size = 4;
  std::vector<Tensor> outputs;
  Status s = model->Run(std::span<const TensorView>(&v, 1), OutputSelection::All(), &outputs);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST(OnnxExecutor, SymbolicDimsMustAgreeAcrossInputs) {
  ModelBuilder b(13);
  b.Input("a", TensorProto::FLOAT, {"N", 2}).Input("b", TensorProto::FLOAT, {"N", 2}).Output("y", TensorProto::FLOAT, {"N", 2});
  b.Node("Add", {"a", "b"}, {"y"});
  auto model = b.Load();
  ASSERT_TRUE(model.ok());
  auto out = RunModel(**model, {Tensor::Zeros(DataType::kFp32, {2, 2}), Tensor::Zeros(DataType::kFp32, {3, 2})});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("'N'"));
}

TEST(OnnxExecutor, KernelErrorsAreInvalidArgumentWithTheNodeNamed) {
  ModelBuilder b(13);
  b.Input("a", TensorProto::INT32, {-1}).Input("b", TensorProto::INT32, {-1}).Output("y", TensorProto::INT32, {-1});
  b.Node("Div", {"a", "b"}, {"y"}).set_name("ratio");
  auto model = b.Load();
  ASSERT_TRUE(model.ok());
  auto out = RunModel(**model, {Tensor::FromVector<int32_t>({2}, {4, 2}), Tensor::FromVector<int32_t>({2}, {1, 0})});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(out.status().message(), HasSubstr("node 'ratio'"));
  EXPECT_THAT(out.status().message(), HasSubstr("division by zero"));
  // Broadcast mismatch between two dynamic inputs.
  out = RunModel(**model, {Tensor::FromVector<int32_t>({2}, {4, 2}), Tensor::FromVector<int32_t>({3}, {1, 1, 1})});
  ASSERT_FALSE(out.ok());
  EXPECT_THAT(out.status().message(), HasSubstr("cannot be broadcast"));
}

TEST(OnnxExecutor, RejectsBoolInputsThatAreNotZeroOrOne) {
  ModelBuilder b(13);
  b.Input("x", TensorProto::BOOL, {2}).Output("y", TensorProto::BOOL, {2});
  b.Node("Not", {"x"}, {"y"});
  auto model = b.Load();
  ASSERT_TRUE(model.ok());
  Tensor t = Tensor::Zeros(DataType::kBool, {2});
  t.data<uint8_t>()[1] = 7;
  EXPECT_EQ(RunModel(**model, {t}).status().code(), StatusCode::kInvalidArgument);
  t.data<uint8_t>()[1] = 1;
  auto out = RunModel(**model, {t});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].data<uint8_t>()[0], 1);
  EXPECT_EQ((*out)[0].data<uint8_t>()[1], 0);
}

TEST(OnnxExecutor, HonoursOutputSelection) {
  ModelBuilder b(13);
  b.Input("x", TensorProto::FLOAT, {2}).Output("a", TensorProto::FLOAT, {2}).Output("b", TensorProto::FLOAT, {2});
  b.Node("Neg", {"x"}, {"a"});
  b.Node("Abs", {"x"}, {"b"});
  auto model = b.Load();
  ASSERT_TRUE(model.ok());
  Tensor x = Tensor::FromVector<float>({2}, {-1, 2});
  TensorView v = x.view();
  OutputSelection only_b = OutputSelection::None(2);
  only_b.Select(1);
  std::vector<Tensor> outputs;
  ASSERT_TRUE((*model)->Run(std::span<const TensorView>(&v, 1), only_b, &outputs).ok());
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_FALSE(outputs[0].valid());
  EXPECT_EQ(Values<float>(outputs[1]), (std::vector<float>{1, 2}));
}

TEST(OnnxExecutor, CarriesStringsThroughDataMovementKernels) {
  ModelBuilder b(13);
  b.Input("s", TensorProto::STRING, {2, 2}).Output("t", TensorProto::STRING, {2, 2});
  b.Node("Transpose", {"s"}, {"t"});
  auto model = b.Load();
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  std::vector<std::string> in = {"a", "bb", "ccc", ""};
  auto out = RunModel(**model, {Tensor::FromStrings({2, 2}, std::span<const std::string>(in))});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)[0].dtype(), DataType::kBytes);
  EXPECT_EQ((*out)[0].string_at(0), "a");
  EXPECT_EQ((*out)[0].string_at(1), "ccc");
  EXPECT_EQ((*out)[0].string_at(2), "bb");
  EXPECT_EQ((*out)[0].string_at(3), "");
}

TEST(OnnxExecutor, ConcurrentRunsOnOneModelAgreeWithSerialRuns) {
  auto model = SmallMlp();
  constexpr int kThreads = 4, kIterations = 200;
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIterations; ++i) {
        const int64_t batch = 1 + (i + t) % 7;
        std::vector<float> x(static_cast<size_t>(batch * 3));
        for (size_t k = 0; k < x.size(); ++k) x[k] = static_cast<float>((k * 7 + t + i) % 11) - 5.0f;
        auto out = RunModel(*model, {Tensor::FromVector<float>({batch, 3}, x)});
        const auto want = MlpReference(x);
        if (!out.ok() || Values<float>((*out)[0]).size() != want.size()) {
          ++mismatches;
          continue;
        }
        const auto got = Values<float>((*out)[0]);
        for (size_t k = 0; k < got.size(); ++k) {
          if (std::abs(got[k] - want[k]) > 1e-6f) ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace finserve::runtime::onnx

namespace finserve::runtime::onnx {
namespace {

// Large enough for the oneDNN path, with two intra-op threads; compared with a plain loop.
TEST(OnnxExecutor, LargeMatMulWithIntraOpThreadsMatchesAPlainProduct) {
  constexpr int64_t kM = 64, kK = 256, kN = 128;
  std::vector<float> w(kK * kN);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>((i * 37) % 17) / 17.0f - 0.5f;
  ModelBuilder b(13);
  b.Input("x", TensorProto::FLOAT, {"batch", kK}).Output("y", TensorProto::FLOAT, {"batch", kN});
  b.Initializer("w", w, {kK, kN});
  b.Node("MatMul", {"x", "w"}, {"y"});
  auto model = b.Load("", /*threads=*/2);
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  std::vector<float> x(kM * kK);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 11) % 13) / 13.0f - 0.5f;
  auto out = RunModel(**model, {Tensor::FromVector<float>({kM, kK}, x)});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  const auto got = Values<float>((*out)[0]);
  for (int64_t i = 0; i < kM; ++i) {
    for (int64_t j = 0; j < kN; ++j) {
      double want = 0, scale = 0;
      for (int64_t k = 0; k < kK; ++k) {
        want += static_cast<double>(x[i * kK + k]) * w[k * kN + j];
        scale += std::abs(static_cast<double>(x[i * kK + k]) * w[k * kN + j]);
      }
      ASSERT_NEAR(got[i * kN + j], want, 1e-5 * scale + 1e-6) << i << "," << j;
    }
  }
}

}  // namespace
}  // namespace finserve::runtime::onnx
