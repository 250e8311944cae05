// The project's own models (bench/onnx_parity/make_models.py: PyTorch MLP, LSTM, transformer
// encoder and CNN; ONNX-ML linear pipeline and XGBoost trees) against the outputs their makers
// (torch, scikit-learn, XGBoost) computed when the models were created. No ONNX Runtime needed:
// the benchmark compares with it; this test keeps parity with the reference in CI.
//
// Also checks what serving relies on: the metadata (names, datatypes, -1 for the batch dim) and
// batch == singles, exactly for trees, within kBatchTolerance for GEMM-based models (a batch takes
// the blocked oneDNN path where one row takes Eigen's, so the summation order differs).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/env.h"
#include "runtime/onnx/onnx_model.h"
#include "runtime/onnx/tensor_file.h"

namespace finserve::runtime::onnx {
namespace {

namespace fs = std::filesystem;

// Documented in docs/onnx-support.md ("Batched and single answers").
constexpr double kBatchTolerance = 1e-5;

fs::path ModelsDir() {
  const char* dir = std::getenv("FINSERVE_ONNX_PARITY_MODELS");
  return dir != nullptr ? fs::path(dir) : fs::path();
}

nlohmann::json Manifest() {
  Result<std::string> text = Env::Default()->ReadFile((ModelsDir() / "manifest.json").string());
  return text.ok() ? nlohmann::json::parse(*text) : nlohmann::json();
}

// Empty when equal within atol (floats; other types exactly), else where they differ.
std::string Difference(const Tensor& got, const Tensor& want, double atol) {
  if (got.dtype() != want.dtype()) return "datatype differs";
  if (got.shape() != want.shape()) return "shape " + got.shape().ToString() + " vs " + want.shape().ToString();
  for (int64_t i = 0; i < want.num_elements(); ++i) {
    if (want.dtype() == DataType::kFp32) {
      const double g = got.data<float>()[i], w = want.data<float>()[i];
      if (!(std::abs(g - w) <= atol)) return "[" + std::to_string(i) + "] " + std::to_string(g) + " vs " + std::to_string(w);
    } else if (std::memcmp(static_cast<const char*>(got.raw_data()) + i * DataTypeSize(want.dtype()),
                           static_cast<const char*>(want.raw_data()) + i * DataTypeSize(want.dtype()),
                           DataTypeSize(want.dtype())) != 0) {
      return "[" + std::to_string(i) + "] differs";
    }
  }
  return "";
}

std::unique_ptr<OnnxModel> LoadModel(const nlohmann::json& m) {
  const fs::path file = ModelsDir() / m["file"].get<std::string>();
  Result<std::string> bytes = Env::Default()->ReadFile(file.string());
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  if (!bytes.ok()) return nullptr;
  OnnxLoadOptions options;
  options.model_dir = file.parent_path().string();
  Result<std::unique_ptr<OnnxModel>> model = OnnxModel::Load(*bytes, options);
  EXPECT_TRUE(model.ok()) << m["name"] << ": " << model.status().ToString();
  return model.ok() ? std::move(*model) : nullptr;
}

std::vector<Tensor> ReadAll(const nlohmann::json& files) {
  std::vector<Tensor> out;
  for (const auto& f : files) {
    Result<Tensor> t = ReadTensorFile((ModelsDir() / f["pb"].get<std::string>()).string());
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    out.push_back(t.ok() ? *t : Tensor());
  }
  return out;
}

std::vector<Tensor> RunOnce(const OnnxModel& model, const std::vector<Tensor>& inputs) {
  std::vector<TensorView> views;
  for (const Tensor& t : inputs) views.push_back(t.view());
  std::vector<Tensor> outputs;
  const Status s = model.Run(views, OutputSelection::All(), &outputs);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return outputs;
}

// Row r of a tensor whose first dim is the batch, as a batch of one.
Tensor Row(const Tensor& t, int64_t r) {
  std::vector<int64_t> dims(t.shape().dims().begin(), t.shape().dims().end());
  const int64_t rows = dims[0];
  dims[0] = 1;
  const size_t row_bytes = t.byte_size() / static_cast<size_t>(rows);
  TensorView v = t.view();
  v.shape = dims;
  v.data = static_cast<const char*>(t.raw_data()) + row_bytes * static_cast<size_t>(r);
  v.byte_size = row_bytes;
  return Tensor::CopyOf(v);
}

TEST(OnnxParityModels, OutputsMatchTheReferenceOfTheirMaker) {
  const nlohmann::json manifest = Manifest();
  ASSERT_TRUE(manifest.contains("models")) << "no manifest in " << ModelsDir() << " (set FINSERVE_ONNX_PARITY_MODELS)";
  EXPECT_EQ(manifest["models"].size(), 6u);
  for (const auto& m : manifest["models"]) {
    std::unique_ptr<OnnxModel> model = LoadModel(m);
    if (model == nullptr) continue;
    for (const auto& s : m["scenarios"]) {
      SCOPED_TRACE(m["name"].get<std::string>() + "/" + s["name"].get<std::string>());
      const std::vector<Tensor> outputs = RunOnce(*model, ReadAll(s["inputs"]));
      const std::vector<Tensor> want = ReadAll(s["outputs"]);
      ASSERT_EQ(outputs.size(), want.size());
      for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(Difference(outputs[i], want[i], s["atol"].get<double>()), "") << "output " << i;
      }
    }
  }
}

TEST(OnnxParityModels, MetadataHasTheGraphNamesAndADynamicBatch) {
  const nlohmann::json manifest = Manifest();
  ASSERT_TRUE(manifest.contains("models"));
  for (const auto& m : manifest["models"]) {
    std::unique_ptr<OnnxModel> model = LoadModel(m);
    if (model == nullptr) continue;
    SCOPED_TRACE(m["name"].get<std::string>());
    ASSERT_EQ(model->inputs().size(), m["inputs"].size());
    for (size_t i = 0; i < model->inputs().size(); ++i) {
      EXPECT_EQ(model->inputs()[i].name, m["inputs"][i]);
      ASSERT_FALSE(model->inputs()[i].shape.empty());
      EXPECT_EQ(model->inputs()[i].shape[0], -1);
    }
    ASSERT_EQ(model->outputs().size(), m["outputs"].size());
    for (size_t i = 0; i < model->outputs().size(); ++i) {
      EXPECT_EQ(model->outputs()[i].name, m["outputs"][i]);
      EXPECT_EQ(model->outputs()[i].shape[0], -1);
    }
  }
}

TEST(OnnxParityModels, BatchedAnswersEqualSingleRowAnswers) {
  const nlohmann::json manifest = Manifest();
  ASSERT_TRUE(manifest.contains("models"));
  for (const auto& m : manifest["models"]) {
    std::unique_ptr<OnnxModel> model = LoadModel(m);
    if (model == nullptr) continue;
    const auto& s = m["scenarios"].back();  // the batched scenario
    SCOPED_TRACE(m["name"].get<std::string>() + "/" + s["name"].get<std::string>());
    const std::vector<Tensor> inputs = ReadAll(s["inputs"]);
    const std::vector<Tensor> batched = RunOnce(*model, inputs);
    const bool exact = m["name"] == "ml_trees";
    for (int64_t r = 0; r < inputs[0].shape().dims()[0]; r += 7) {
      std::vector<Tensor> row_inputs;
      for (const Tensor& t : inputs) row_inputs.push_back(Row(t, r));
      const std::vector<Tensor> single = RunOnce(*model, row_inputs);
      for (size_t i = 0; i < batched.size(); ++i) {
        EXPECT_EQ(Difference(single[i], Row(batched[i], r), exact ? 0.0 : kBatchTolerance), "")
            << "row " << r << " output " << i;
      }
    }
  }
}

}  // namespace
}  // namespace finserve::runtime::onnx
