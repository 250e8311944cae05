#include "integration/grpc_requests.h"

#include <cstring>

#include "integration/example_repository.h"

namespace finserve::testing {
namespace {

inference::ModelInferRequest ExampleHeader(std::vector<float>* values) {
  const nlohmann::json example = ExampleRequest();
  size_t rows = 0, cols = 0;
  *values = ExampleRows(example, &rows, &cols);
  inference::ModelInferRequest m;
  m.set_model_name("credit_gbdt");
  m.set_id(example["id"].get<std::string>());
  auto* input = m.add_inputs();
  input->set_name(example["inputs"][0]["name"].get<std::string>());
  input->set_datatype("FP32");
  input->add_shape(static_cast<int64_t>(rows));
  input->add_shape(static_cast<int64_t>(cols));
  return m;
}

}  // namespace

inference::ModelInferRequest TypedExampleRequest() {
  std::vector<float> values;
  inference::ModelInferRequest m = ExampleHeader(&values);
  for (float v : values) m.mutable_inputs(0)->mutable_contents()->add_fp32_contents(v);
  return m;
}

inference::ModelInferRequest RawExampleRequest() {
  std::vector<float> values;
  inference::ModelInferRequest m = ExampleHeader(&values);
  m.add_raw_input_contents(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
  return m;
}

std::vector<float> OutputFloats(const inference::ModelInferResponse& response, int index) {
  if (response.raw_output_contents_size() > index) {
    const std::string& raw = response.raw_output_contents(index);
    std::vector<float> out(raw.size() / sizeof(float));
    std::memcpy(out.data(), raw.data(), out.size() * sizeof(float));
    return out;
  }
  const auto& contents = response.outputs(index).contents().fp32_contents();
  return {contents.begin(), contents.end()};
}

std::vector<float> HttpOutputFloats(const nlohmann::json& answer, const std::string& name) {
  std::vector<float> out;
  for (const auto& output : answer["outputs"]) {
    if (output["name"] != name) continue;
    for (const auto& v : output["data"]) out.push_back(v.get<float>());
  }
  return out;
}

}  // namespace finserve::testing
