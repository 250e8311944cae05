#include "serving/raw_features.h"

#include <cmath>
#include <filesystem>

#include "core/env.h"

namespace finserve::serving {
namespace {

constexpr size_t kMaxStatisticsBytes = 16u << 20;

// The named features fill one FP32 [rows, columns] input whose columns are named.
Status CheckModelInput(const repository::LoadedModel& model) {
  if (model.inputs().size() != 1) {
    return InvalidArgument("config 'features' needs a model with exactly one input (it has " +
                           std::to_string(model.inputs().size()) + ")");
  }
  const auto& input = model.inputs()[0];
  const auto& shape = input.spec.shape;
  const int64_t columns = static_cast<int64_t>(input.features.size());
  if (input.spec.dtype != DataType::kFp32 || shape.size() != 2 || (shape[1] >= 0 && shape[1] != columns)) {
    return InvalidArgument("config 'features' needs input '" + input.spec.name + "' to be FP32 [-1, " +
                           std::to_string(columns) + "] with its 'features' column names");
  }
  return Status::Ok();
}

Result<nlohmann::json> ReadStatistics(const std::string& model_path) {
  const std::string path = (std::filesystem::path(model_path).parent_path() / "statistics.json").string();
  if (!Env::Default()->FileExists(path)) return nlohmann::json();
  FS_ASSIGN_OR_RETURN(std::string text, Env::Default()->ReadFile(path));
  if (text.size() > kMaxStatisticsBytes) return InvalidArgument(path + ": larger than 16 MiB");
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return InvalidArgument(path + ": not a JSON object");
  return doc;
}

Result<int64_t> RowsOf(const InferInput& input) {
  const auto dims = input.tensor.shape().span();
  if (dims.size() == 1 || (dims.size() == 2 && dims[1] == 1)) return dims[0];
  return InvalidArgument("raw feature '" + input.name + "': shape " + DimsToString(dims) +
                         " is not [N] or [N, 1] (one value per applicant)");
}

double NumberAt(const TensorView& v, int64_t i) {
  switch (v.dtype) {
    case DataType::kFp32: return v.data_as<float>()[i];
    case DataType::kFp64: return v.data_as<double>()[i];
    case DataType::kInt8: return v.data_as<int8_t>()[i];
    case DataType::kInt16: return v.data_as<int16_t>()[i];
    case DataType::kInt32: return v.data_as<int32_t>()[i];
    case DataType::kInt64: return static_cast<double>(v.data_as<int64_t>()[i]);
    case DataType::kUint8: return v.data_as<uint8_t>()[i];
    case DataType::kUint16: return v.data_as<uint16_t>()[i];
    case DataType::kUint32: return v.data_as<uint32_t>()[i];
    case DataType::kUint64: return static_cast<double>(v.data_as<uint64_t>()[i]);
    case DataType::kBool: return v.data_as<uint8_t>()[i];
    default: return std::nan("");
  }
}

bool IsNumeric(DataType t) { return t != DataType::kBytes && t != DataType::kFp16 && t != DataType::kBf16 && t != DataType::kInvalid; }

Status EncodeOne(const train::FeaturePlan& plan, size_t f, const InferInput& input, int64_t rows, float* out) {
  const train::FeatureSpec& spec = plan.features()[f];
  const TensorView v = input.tensor.view();
  const int cols = plan.num_columns();
  const bool categorical = spec.type == train::FeatureType::kCategorical;
  if (!categorical && !IsNumeric(input.dtype)) {
    return InvalidArgument("raw feature '" + spec.name + "' is numeric; got datatype " + std::string(DataTypeName(input.dtype)));
  }
  if (categorical && input.dtype != DataType::kBytes && !IsInteger(input.dtype)) {
    return InvalidArgument("raw feature '" + spec.name + "' is categorical; send BYTES (or integers), got " +
                           std::string(DataTypeName(input.dtype)));
  }
  for (int64_t r = 0; r < rows; ++r) {
    Status s;
    if (!categorical) {
      s = plan.EncodeNumber(f, NumberAt(v, r), out + r * cols);
    } else if (input.dtype == DataType::kBytes) {
      const std::string_view text = v.string_at(r);
      s = plan.EncodeCategory(f, text, text.empty(), out + r * cols);
    } else {
      s = plan.EncodeCategory(f, std::to_string(static_cast<int64_t>(NumberAt(v, r))), false, out + r * cols);
    }
    if (!s.ok()) return s.WithContext("row " + std::to_string(r));
  }
  return Status::Ok();
}

}  // namespace

Status PrepareRawFeatures(const repository::LoadedModel& model, ModelState* state) {
  const auto& doc = model.config().document;
  if (auto it = doc.find("features"); it != doc.end() && !it->is_null()) {
    FS_RETURN_IF_ERROR(CheckModelInput(model));
    FS_ASSIGN_OR_RETURN(train::FeaturePlan plan,
                        train::FeaturePlan::FromJson(*it, model.inputs()[0].features, "config.yaml"));
    state->raw_features = std::move(plan);
  }
  FS_ASSIGN_OR_RETURN(state->statistics, ReadStatistics(model.model_path()));
  return Status::Ok();
}

const train::FeaturePlan* RawFeaturesOf(const repository::LoadedModel& model) {
  const ModelState* state = StateOf(model);
  return state && state->raw_features ? &*state->raw_features : nullptr;
}

bool IsRawFeatureRequest(const repository::LoadedModel& model, const InferRequest& request) {
  if (!RawFeaturesOf(model) || request.inputs.empty()) return false;
  return model.FindInput(request.inputs[0].name) < 0;
}

Result<InferInput> EncodeRawFeatures(const repository::LoadedModel& model, const train::FeaturePlan& plan,
                                     const InferRequest& request) {
  std::vector<const InferInput*> by_feature(plan.features().size(), nullptr);
  int64_t rows = -1;
  for (const InferInput& input : request.inputs) {
    const int f = plan.FindFeature(input.name);
    if (f < 0) {
      return InvalidArgument("unknown input '" + input.name + "' for model '" + model.id().name +
                             "': send its raw features or its input '" + model.inputs()[0].spec.name + "'");
    }
    if (by_feature[static_cast<size_t>(f)]) return InvalidArgument("raw feature '" + input.name + "' appears twice");
    FS_ASSIGN_OR_RETURN(int64_t n, RowsOf(input));
    if (rows >= 0 && n != rows) {
      return InvalidArgument("raw feature '" + input.name + "' has " + std::to_string(n) + " rows, others have " + std::to_string(rows));
    }
    rows = n;
    by_feature[static_cast<size_t>(f)] = &input;
  }
  for (size_t f = 0; f < by_feature.size(); ++f) {
    if (!by_feature[f]) {
      return InvalidArgument("missing raw feature '" + plan.features()[f].name + "' (send a missing value as null or \"\")");
    }
  }
  InferInput encoded;
  encoded.name = model.inputs()[0].spec.name;
  encoded.dtype = DataType::kFp32;
  encoded.tensor = Tensor::Zeros(DataType::kFp32, Shape({rows, static_cast<int64_t>(plan.num_columns())}));
  float* out = encoded.tensor.data<float>();
  for (size_t f = 0; f < by_feature.size(); ++f) FS_RETURN_IF_ERROR(EncodeOne(plan, f, *by_feature[f], rows, out));
  return encoded;
}

}  // namespace finserve::serving
