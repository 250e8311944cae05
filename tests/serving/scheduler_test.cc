// The scheduler through InferenceService on a real repository: a batch answers what the same
// requests answer one by one (bit for bit for trees and linear models, within the documented
// tolerance for a GEMM-based ONNX network), a full queue refuses at once, a queue deadline
// answers DeadlineExceeded without running the model.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>

#include "runtime/linear/linear_model.h"
#include "runtime/onnx/onnx_test_util.h"
#include "serving/inference_service.h"
#include "serving/model_state.h"

namespace finserve::serving {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr int64_t kCreditColumns = 25;

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Collects asynchronous answers; Wait() blocks until `n` arrived or the deadline passes.
class Answers {
 public:
  InferCallback Slot(size_t index) {
    std::lock_guard lock(mu_);
    if (results_.size() <= index) results_.resize(index + 1);
    return [this, index](Result<InferResponse> r) {
      std::lock_guard lock(mu_);
      results_[index] = std::move(r);
      ++arrived_;
      cv_.notify_all();
    };
  }
  bool Wait(size_t n, std::chrono::seconds deadline = std::chrono::seconds(30)) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, deadline, [&] { return arrived_ >= n; });
  }
  size_t arrived() {
    std::lock_guard lock(mu_);
    return arrived_;
  }
  const Result<InferResponse>& at(size_t i) { return *results_.at(i); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::optional<Result<InferResponse>>> results_;
  size_t arrived_ = 0;
};

// Random applicant rows that pass the credit model's validation rules.
std::vector<float> CreditRows(int64_t rows, std::mt19937* rng, bool with_missing = true) {
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<float> x(static_cast<size_t>(rows * kCreditColumns), 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x.data() + r * kCreditColumns;
    row[0] = std::floor(u(*rng) * 30);             // Seniority
    row[1 + static_cast<int>(u(*rng) * 5.99f)] = 1;  // Home=
    row[7] = 12 + std::floor(u(*rng) * 48);        // Time
    row[8] = 18 + std::floor(u(*rng) * 60);        // Age
    row[9 + static_cast<int>(u(*rng) * 4.99f)] = 1;  // Marital=
    row[14] = u(*rng) < 0.2f ? 1 : 0;              // Records
    row[15 + static_cast<int>(u(*rng) * 3.99f)] = 1; // Job=
    row[19] = 35 + u(*rng) * 100;                  // Expenses
    row[20] = with_missing && u(*rng) < 0.1f ? NAN : 50 + u(*rng) * 300;  // Income (missing allowed)
    row[21] = u(*rng) * 20000;                     // Assets
    row[22] = u(*rng) * 3000;                      // Debt
    row[23] = 100 + u(*rng) * 3000;                // Amount
    row[24] = 200 + u(*rng) * 4000;                // Price
  }
  return x;
}

std::string LinearModelJson(int64_t columns) {
  std::mt19937 rng(7);
  std::normal_distribution<double> n(0, 1);
  runtime::linear::LinearSpec spec;
  spec.intercept = -0.3;
  for (int64_t i = 0; i < columns; ++i) spec.coefficients.push_back(n(rng));
  return runtime::linear::LinearToJson(spec);
}

// A two-layer network (Gemm, Relu, Gemm, Sigmoid): the GEMM-based case.
std::string MlpOnnx(int64_t columns) {
  using runtime::onnx::testing::ModelBuilder;
  std::mt19937 rng(11);
  std::normal_distribution<float> n(0, 0.5f);
  auto random = [&](size_t count) {
    std::vector<float> v(count);
    for (float& x : v) x = n(rng);
    return v;
  };
  ModelBuilder b;
  b.Input("x", 1, {"N", columns}).Output("y", 1, {"N", 1});
  b.Initializer("w1", random(static_cast<size_t>(columns) * 32), {columns, 32}).Initializer("b1", random(32), {32});
  b.Initializer("w2", random(32), {32, 1}).Initializer("b2", random(1), {1});
  b.Node("Gemm", {"x", "w1", "b1"}, {"h"});
  b.Node("Relu", {"h"}, {"r"});
  b.Node("Gemm", {"r", "w2", "b2"}, {"z"});
  b.Node("Sigmoid", {"z"}, {"y"});
  return b.Bytes();
}

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("scheduler_test_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override {
    service_.reset();
    manager_.reset();
    fs::remove_all(root_);
  }

  // Copies the bundled credit model, and adds a linear and an ONNX model, all with `batching`.
  void MakeRepository(const std::string& batching_yaml) {
    const fs::path credit = fs::path(FINSERVE_SOURCE_DIR) / "examples/model-repository/credit_gbdt";
    fs::copy(credit, root_ / "credit_gbdt", fs::copy_options::recursive);
    std::ofstream(root_ / "credit_gbdt/config.yaml", std::ios::app) << batching_yaml;
    WriteFile(root_ / "linear/1/model.linear.json", LinearModelJson(kCreditColumns));
    WriteFile(root_ / "linear/config.yaml", batching_yaml);
    WriteFile(root_ / "mlp/1/model.onnx", MlpOnnx(kCreditColumns));
    WriteFile(root_ / "mlp/config.yaml", batching_yaml);
    repository::ModelManager::Options options;
    options.repository = root_.string();
    options.load.prepare = ModelStatePrepareHook();
    manager_ = std::make_unique<repository::ModelManager>(options);
    ASSERT_TRUE(manager_->ReconcileAll().ok());
    ServiceOptions service_options;
    service_options.inference_threads = 2;
    service_ = std::make_unique<InferenceService>(manager_.get(), service_options);
  }

  InferRequest Request(const std::string& model, const std::vector<float>& x, int64_t rows) {
    InferRequest r;
    r.model_name = model;
    InferInput in;
    in.name = model == "credit_gbdt" ? "features" : service_->GetModelMetadata(model, "")->inputs[0].name;
    in.dtype = DataType::kFp32;
    in.tensor = Tensor::FromVector<float>(Shape({rows, kCreditColumns}), x);
    r.inputs.push_back(std::move(in));
    return r;
  }

  // The model run alone on one request: the slow twin of the batched path.
  Result<std::vector<Tensor>> RunAlone(const std::string& model, const std::vector<float>& x, int64_t rows) {
    FS_ASSIGN_OR_RETURN(auto loaded, manager_->Get(model, std::nullopt));
    const std::vector<int64_t> dims = {rows, kCreditColumns};
    TensorView view{DataType::kFp32, dims, x.data(), x.size() * sizeof(float), nullptr};
    std::vector<Tensor> out;
    FS_RETURN_IF_ERROR(loaded->model().Run(std::span<const TensorView>(&view, 1), runtime::OutputSelection::All(), &out));
    return out;
  }

  // Sends requests of 1, 2, 3, ... rows (summing to max_batch_size so they form one batch) and
  // compares every output with the model run alone; `tolerance` 0 means bit for bit.
  void ExpectBatchEqualsSingles(const std::string& model, double tolerance, bool with_missing = true) {
    std::mt19937 rng(42);
    std::vector<std::vector<float>> inputs;
    std::vector<int64_t> rows;
    Answers answers;
    for (int64_t n = 1, total = 0; total < 36; total += n, ++n) {
      rows.push_back(n);
      inputs.push_back(CreditRows(n, &rng, with_missing));
    }
    for (size_t i = 0; i < inputs.size(); ++i) {
      service_->InferAsync(Request(model, inputs[i], rows[i]), answers.Slot(i));
    }
    ASSERT_TRUE(answers.Wait(inputs.size()));
    size_t refused = 0;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const auto& answer = answers.at(i);
      auto alone_or = RunAlone(model, inputs[i], rows[i]);
      if (!alone_or.ok()) {
        // A request the model refuses (the linear model has no rule for a missing value) gets the
        // same refusal from the batch path, and does not fail the others.
        ASSERT_FALSE(answer.ok());
        EXPECT_THAT(answer.status().message(), HasSubstr(alone_or.status().message()));
        ++refused;
        continue;
      }
      ASSERT_TRUE(answer.ok()) << answer.status().ToString();
      const std::vector<Tensor>& alone = *alone_or;
      ASSERT_EQ(answer->outputs.size(), alone.size());
      for (size_t o = 0; o < alone.size(); ++o) {
        const Tensor& got = answer->outputs[o].tensor;
        ASSERT_EQ(got.shape(), alone[o].shape()) << got.shape().ToString() << " vs " << alone[o].shape().ToString();
        ASSERT_EQ(got.dtype(), DataType::kFp32);
        for (int64_t e = 0; e < got.num_elements(); ++e) {
          const float a = got.data<float>()[e], b = alone[o].data<float>()[e];
          if (tolerance == 0) {
            ASSERT_EQ(std::memcmp(&a, &b, sizeof(float)), 0) << model << " request " << i << " element " << e;
          } else {
            ASSERT_NEAR(a, b, tolerance * std::max(1.0f, std::fabs(b))) << model << " request " << i;
          }
        }
      }
    }
    EXPECT_LT(refused, inputs.size());
    // They ran as one execution of 36 rows (or, when one was refused, as that attempt plus one by one).
    const std::string metrics = service_->RenderMetrics();
    if (refused > 0) {
      EXPECT_THAT(metrics, HasSubstr("finserve_inference_batch_size_count{model=\"" + model + "\",version=\"1\"} " +
                                     std::to_string(inputs.size()) + "\n"));
      return;
    }
    EXPECT_THAT(metrics, HasSubstr("finserve_inference_batch_size_count{model=\"" + model + "\",version=\"1\"} 1\n"));
    EXPECT_THAT(metrics, HasSubstr("finserve_inference_batch_size_sum{model=\"" + model + "\",version=\"1\"} 36\n"));
  }

  fs::path root_;
  std::unique_ptr<repository::ModelManager> manager_;
  std::unique_ptr<InferenceService> service_;
};

constexpr char kOneBatchOf36[] = "batching: {max_batch_size: 36, max_queue_delay_us: 60000000}\n";

TEST_F(SchedulerTest, TreeBatchEqualsSinglesBitForBit) {
  MakeRepository(kOneBatchOf36);
  ExpectBatchEqualsSingles("credit_gbdt", 0);
}

TEST_F(SchedulerTest, LinearBatchEqualsSinglesBitForBit) {
  MakeRepository(kOneBatchOf36);
  ExpectBatchEqualsSingles("linear", 0, /*with_missing=*/false);
}

// Some rows have a missing income, which the linear model refuses: the batch fails, so every
// request runs alone; those with the missing value get their own refusal, the others answers.
TEST_F(SchedulerTest, ARefusedRequestDoesNotFailItsBatch) {
  MakeRepository(kOneBatchOf36);
  ExpectBatchEqualsSingles("linear", 0, /*with_missing=*/true);
}

// GEMM blocking depends on the row count, so the summation order may differ: docs/performance.md
// states the tolerance (relative 1e-5 for FP32).
TEST_F(SchedulerTest, GemmNetworkBatchEqualsSinglesWithinTolerance) {
  MakeRepository(kOneBatchOf36);
  ExpectBatchEqualsSingles("mlp", 1e-5);
}

TEST_F(SchedulerTest, FullQueueRefusesAtOnce) {
  MakeRepository("batching: {max_batch_size: 64, max_queue_delay_us: 60000000, max_queue_size: 2}\n");
  std::mt19937 rng(1);
  Answers answers;
  for (size_t i = 0; i < 3; ++i) service_->InferAsync(Request("credit_gbdt", CreditRows(1, &rng), 1), answers.Slot(i));
  ASSERT_TRUE(answers.Wait(1));
  EXPECT_EQ(answers.arrived(), 1u);  // the two queued ones wait for their batch
  EXPECT_EQ(answers.at(2).status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(answers.at(2).status().message(), HasSubstr("queue of model 'credit_gbdt@1' is full"));
  EXPECT_THAT(service_->RenderMetrics(),
              HasSubstr("finserve_inference_queue_rejected_total{model=\"credit_gbdt\",version=\"1\"} 1\n"));
  service_.reset();  // shutting down answers what is still queued
  ASSERT_TRUE(answers.Wait(3));
  EXPECT_EQ(answers.at(0).status().code(), StatusCode::kUnavailable);
}

TEST_F(SchedulerTest, DeadlineExpiresInQueueWithoutRunning) {
  MakeRepository("batching: {max_batch_size: 64, max_queue_delay_us: 60000000}\n");
  std::mt19937 rng(1);
  Answers answers;
  InferRequest r = Request("credit_gbdt", CreditRows(1, &rng), 1);
  r.parameters.Set("timeout", int64_t{2000});
  service_->InferAsync(std::move(r), answers.Slot(0));
  ASSERT_TRUE(answers.Wait(1));
  EXPECT_EQ(answers.at(0).status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_THAT(answers.at(0).status().message(), HasSubstr("it was not run"));
  const std::string metrics = service_->RenderMetrics();
  EXPECT_THAT(metrics, HasSubstr("finserve_inference_deadline_expired_total{model=\"credit_gbdt\",version=\"1\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("finserve_inference_batch_size_count{model=\"credit_gbdt\",version=\"1\"} 0\n"));
  EXPECT_THAT(metrics, HasSubstr("code=\"DEADLINE_EXCEEDED\"} 1\n"));
}

TEST_F(SchedulerTest, BadTimeoutIsRefused) {
  MakeRepository("");
  std::mt19937 rng(1);
  InferRequest r = Request("credit_gbdt", CreditRows(1, &rng), 1);
  r.parameters.Set("timeout", std::string("soon"));
  auto answer = service_->Infer(r);
  EXPECT_EQ(answer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(answer.status().message(), HasSubstr("'timeout'"));
}

TEST_F(SchedulerTest, UnbatchedRequestsRunInlineAndAreCounted) {
  MakeRepository("");
  std::mt19937 rng(3);
  const std::vector<float> x = CreditRows(4, &rng);
  auto answer = service_->Infer(Request("credit_gbdt", x, 4));
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  const auto alone = RunAlone("credit_gbdt", x, 4);
  ASSERT_TRUE(alone.ok());
  EXPECT_EQ(std::memcmp(answer->outputs[0].tensor.raw_data(), (*alone)[0].raw_data(), (*alone)[0].byte_size()), 0);
  EXPECT_THAT(service_->RenderMetrics(),
              HasSubstr("finserve_inference_requests_total{model=\"credit_gbdt\",version=\"1\",protocol=\"other\","
                        "code=\"OK\"} 1\n"));
}

TEST(BatchingConfigTest, RefusesBadSections) {
  EXPECT_THAT(ParseBatchingConfig(nlohmann::json::parse(R"({"max_batch_size": -1})"), "c.yaml").status().message(),
              HasSubstr("c.yaml: batching.max_batch_size must be an integer >= 0"));
  EXPECT_THAT(ParseBatchingConfig(nlohmann::json::parse(R"({"max_batch": 8})"), "c.yaml").status().message(),
              HasSubstr("unknown key 'batching.max_batch'"));
  EXPECT_THAT(ParseBatchingConfig(nlohmann::json::parse(R"({"max_batch_size": 8, "preferred_batch_sizes": [16]})"),
                                  "c.yaml")
                  .status()
                  .message(),
              HasSubstr("more than max_batch_size 8"));
  auto ok = ParseBatchingConfig(nlohmann::json::parse(R"({"max_batch_size": 8, "preferred_batch_sizes": [8, 4]})"), "c");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->preferred_batch_sizes, (std::vector<int64_t>{4, 8}));
}

}  // namespace
}  // namespace finserve::serving
