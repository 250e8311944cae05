// finserve's half of the ONNX Runtime comparison (bench/onnx_parity/run.py drives both halves).
//
//   onnx_parity_bench --models <dir from make_models.py> [--only <model>[/<scenario>]]...
//                     [--out <dir>] [--min-time-ms 1000] [--threads 1]
//
// Loads each selected model with OnnxModel (intra-op threads as given), reads the scenario's
// inputs (input_N.pb), runs once and writes the outputs as <out>/<model>.<scenario>.finserve.output_N.npy
// (run.py compares them with onnxruntime-node's and with the reference), then times Run() in a
// loop: 20 warm-up calls, then calls until --min-time-ms has passed (at least 50). Prints one JSON
// line per scenario with the median, mean and p90 latency in microseconds and the rows per second.
// Timing only; no assertion here (tests/runtime/onnx/parity_models_test.cc checks the outputs).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/env.h"
#include "runtime/onnx/onnx_model.h"
#include "runtime/onnx/tensor_file.h"

namespace finserve::runtime::onnx {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string models, out = ".";
  std::vector<std::string> only;  // "<model>/<scenario>" or "<model>"
  double min_time_ms = 1000;
  int threads = 1;
};

// The .npy header (format 1.0) for a little-endian numeric tensor.
std::string NpyHeader(const Tensor& t) {
  const char* descr = t.dtype() == DataType::kFp32 ? "<f4" : t.dtype() == DataType::kFp64 ? "<f8"
                      : t.dtype() == DataType::kInt64 ? "<i8" : t.dtype() == DataType::kInt32 ? "<i4" : nullptr;
  if (descr == nullptr) return "";
  std::string shape;
  for (int64_t d : t.shape().dims()) shape += std::to_string(d) + ", ";
  if (t.shape().dims().size() > 1) shape.resize(shape.size() - 1);  // "(2, 3)", but "(2,)"
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
  const size_t unpadded = 10 + dict.size() + 1;
  dict += std::string((64 - unpadded % 64) % 64, ' ') + "\n";
  std::string header = "\x93NUMPY";
  header += '\x01', header += '\x00';
  header += static_cast<char>(dict.size() & 0xff), header += static_cast<char>(dict.size() >> 8);
  return header + dict;
}

Status WriteNpy(const Tensor& t, const std::string& path) {
  const std::string header = NpyHeader(t);
  if (header.empty()) return InvalidArgument(path + ": only FP32/FP64/INT32/INT64 outputs are written");
  std::ofstream f(path, std::ios::binary);
  f << header;
  f.write(static_cast<const char*>(t.raw_data()), static_cast<std::streamsize>(t.byte_size()));
  return f ? Status::Ok() : InvalidArgument("cannot write " + path);
}

bool Selected(const Options& o, const std::string& model, const std::string& scenario) {
  if (o.only.empty()) return true;
  return std::any_of(o.only.begin(), o.only.end(),
                     [&](const std::string& s) { return s == model || s == model + "/" + scenario; });
}

struct Timing {
  double median_us = 0, mean_us = 0, p90_us = 0;
  size_t calls = 0;
};

Result<Timing> TimeRuns(const OnnxModel& model, const std::vector<TensorView>& views, double min_time_ms) {
  std::vector<Tensor> outputs;
  for (int i = 0; i < 20; ++i) FS_RETURN_IF_ERROR(model.Run(views, OutputSelection::All(), &outputs));
  std::vector<double> us;
  const auto start = Clock::now();
  while (us.size() < 50 || std::chrono::duration<double, std::milli>(Clock::now() - start).count() < min_time_ms) {
    const auto t0 = Clock::now();
    FS_RETURN_IF_ERROR(model.Run(views, OutputSelection::All(), &outputs));
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  Timing t;
  t.calls = us.size();
  for (double v : us) t.mean_us += v / static_cast<double>(us.size());
  std::sort(us.begin(), us.end());
  t.median_us = us[us.size() / 2];
  t.p90_us = us[us.size() * 9 / 10];
  return t;
}

Status RunScenario(const Options& o, const std::string& model_name, const OnnxModel& model,
                   const nlohmann::json& scenario) {
  const std::string name = scenario["name"];
  std::vector<Tensor> inputs;
  for (const auto& in : scenario["inputs"]) {
    FS_ASSIGN_OR_RETURN(Tensor t, ReadTensorFile((fs::path(o.models) / in["pb"].get<std::string>()).string()));
    inputs.push_back(std::move(t));
  }
  std::vector<TensorView> views;
  for (const Tensor& t : inputs) views.push_back(t.view());
  std::vector<Tensor> outputs;
  FS_RETURN_IF_ERROR(model.Run(views, OutputSelection::All(), &outputs));
  for (size_t i = 0; i < outputs.size(); ++i) {
    const std::string file = model_name + "." + name + ".finserve.output_" + std::to_string(i) + ".npy";
    FS_RETURN_IF_ERROR(WriteNpy(outputs[i], (fs::path(o.out) / file).string()));
  }
  FS_ASSIGN_OR_RETURN(Timing t, TimeRuns(model, views, o.min_time_ms));
  const double batch = scenario["batch"].get<double>();
  nlohmann::json line = {{"runtime", "finserve"}, {"model", model_name}, {"scenario", name},
                         {"batch", batch}, {"median_us", t.median_us}, {"mean_us", t.mean_us},
                         {"p90_us", t.p90_us}, {"calls", t.calls}, {"rows_per_s", batch * 1e6 / t.mean_us},
                         {"kernel_path", std::string(model.kernel_path())}};
  std::cout << line.dump() << std::endl;
  return Status::Ok();
}

Status RunAll(const Options& o) {
  FS_ASSIGN_OR_RETURN(std::string text, Env::Default()->ReadFile((fs::path(o.models) / "manifest.json").string()));
  const nlohmann::json manifest = nlohmann::json::parse(text);
  for (const auto& m : manifest["models"]) {
    const std::string model_name = m["name"];
    if (std::none_of(m["scenarios"].begin(), m["scenarios"].end(),
                     [&](const nlohmann::json& s) { return Selected(o, model_name, s["name"]); })) {
      continue;
    }
    const fs::path file = fs::path(o.models) / m["file"].get<std::string>();
    FS_ASSIGN_OR_RETURN(std::string bytes, Env::Default()->ReadFile(file.string()));
    OnnxLoadOptions load;
    load.model_dir = file.parent_path().string();
    load.intra_op_threads = o.threads;
    FS_ASSIGN_OR_RETURN(std::unique_ptr<OnnxModel> model, OnnxModel::Load(bytes, load));
    for (const auto& s : m["scenarios"]) {
      if (Selected(o, model_name, s["name"])) FS_RETURN_IF_ERROR(RunScenario(o, model_name, *model, s));
    }
  }
  return Status::Ok();
}

Result<Options> ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return InvalidArgument(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--models") o.models = value;
    else if (flag == "--out") o.out = value;
    else if (flag == "--only") o.only.push_back(value);
    else if (flag == "--min-time-ms") o.min_time_ms = std::stod(value);
    else if (flag == "--threads") o.threads = std::stoi(value);
    else return InvalidArgument("unknown flag " + flag);
  }
  if (o.models.empty()) return InvalidArgument("--models <dir written by make_models.py> is required");
  return o;
}

}  // namespace
}  // namespace finserve::runtime::onnx

int main(int argc, char** argv) {
  using namespace finserve::runtime::onnx;  // NOLINT
  finserve::Result<Options> options = ParseArgs(argc, argv);
  finserve::Status s = options.ok() ? RunAll(*options) : options.status();
  if (!s.ok()) {
    std::fprintf(stderr, "onnx_parity_bench: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
