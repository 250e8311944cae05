// ONNX conformance driver: runs every case written by generate_cases.py (ONNX's own node tests,
// plus whole models exported from PyTorch) through OnnxModel and compares with ONNX's tolerances (|got - want| <= atol + rtol * |want|,
// NaN matches NaN; integers, bools and strings exactly).
//
// A case is skipped only with a reason: its graph uses an op with no row in the kernel table
// ("no kernel yet"), or it is listed in skips.tsv with a written reason. Listed cases still run:
// one that passes fails the test, so the list cannot go stale. Every case's result goes to
// onnx_conformance_report.tsv (name, op, opset, result, reason) and the kernel table to
// onnx_kernel_table.tsv, both in the working directory, from which make_support_table.py
// writes the tables of docs/onnx-support.md.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/env.h"
#include "core/float16.h"
#include "onnx/onnx_pb.h"
#include "runtime/onnx/kernel_registry.h"
#include "runtime/onnx/onnx_model.h"
#include "runtime/onnx/tensor_proto.h"
#include "runtime/onnx/zipmap_rewrite.h"

namespace finserve::runtime::onnx {
namespace {

namespace fs = std::filesystem;

struct Case {
  std::string name, op, domain;
  int opset = 0;
  std::vector<std::string> graph_ops;
  double rtol = 1e-3, atol = 1e-7;
  std::string not_generated;  // why generate_cases.py could not write the case, if it could not
};

std::vector<std::string> SplitString(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep)) out.push_back(item);
  return out;
}

std::vector<Case> ReadManifest(const std::string& path) {
  std::vector<Case> cases;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto f = SplitString(line, '\t');
    if (f.size() < 7) continue;
    Case c{f[0], f[1], f[2], std::stoi(f[3]), SplitString(f[4], ','), std::stod(f[5]), std::stod(f[6]),
           f.size() > 7 ? f[7] : ""};
    cases.push_back(std::move(c));
  }
  return cases;
}

std::map<std::string, std::string> ReadSkips(const std::string& path) {
  std::map<std::string, std::string> skips;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    if (tab != std::string::npos) skips[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return skips;
}

// The first graph op no table row serves (any opset), or "".
std::string MissingOp(const Case& c) {
  for (const std::string& qualified : c.graph_ops) {
    const size_t colon = qualified.find(':');
    const std::string domain = colon == std::string::npos ? "" : qualified.substr(0, colon);
    const std::string op = colon == std::string::npos ? qualified : qualified.substr(colon + 1);
    bool found = ServedByRewrite(domain, op);
    for (const KernelDef& d : KernelRegistry::Cpu().defs()) {
      found = found || (d.op_type == op && d.domain == (domain == "ai.onnx" ? "" : domain));
    }
    if (!found) return qualified;
  }
  return "";
}

Result<Tensor> ReadTensor(const fs::path& path) {
  FS_ASSIGN_OR_RETURN(std::string bytes, Env::Default()->ReadFile(path.string()));
  ::onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes)) return InvalidArgument("cannot parse " + path.string());
  FS_ASSIGN_OR_RETURN(OwnedTensor t, TensorFromProto(proto, ""));
  const TensorData& d = t.data();
  if (d.dtype == DataType::kBytes) {
    return Tensor::FromStrings(Shape(d.shape), std::span<const std::string>(d.data_as<std::string>(), d.size()));
  }
  TensorView v;
  v.dtype = d.dtype;
  v.shape = d.shape;
  v.data = d.data;
  v.byte_size = static_cast<size_t>(d.size()) * DataTypeSize(d.dtype);
  return Tensor::CopyOf(v);
}

double ElementAsDouble(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DataType::kFp32: return t.data<float>()[i];
    case DataType::kFp64: return t.data<double>()[i];
    case DataType::kFp16: return HalfToFloat(t.data<uint16_t>()[i]);
    case DataType::kBf16: return Bfloat16ToFloat(t.data<uint16_t>()[i]);
    default: return 0;
  }
}

Status Compare(const Tensor& got, const Tensor& want, const Case& c, size_t index) {
  const std::string where = "output " + std::to_string(index);
  if (got.dtype() != want.dtype()) {
    return InvalidArgument(where + ": datatype " + std::string(DataTypeName(got.dtype())) + " vs expected " +
                           std::string(DataTypeName(want.dtype())));
  }
  if (got.shape() != want.shape()) {
    return InvalidArgument(where + ": shape " + got.shape().ToString() + " vs expected " + want.shape().ToString());
  }
  const int64_t n = want.num_elements();
  for (int64_t i = 0; i < n; ++i) {
    if (want.dtype() == DataType::kBytes) {
      if (got.string_at(i) != want.string_at(i)) {
        return InvalidArgument(where + "[" + std::to_string(i) + "]: '" + std::string(got.string_at(i)) + "' vs '" +
                               std::string(want.string_at(i)) + "'");
      }
    } else if (IsFloating(want.dtype())) {
      const double g = ElementAsDouble(got, i), w = ElementAsDouble(want, i);
      const bool ok = (std::isnan(g) && std::isnan(w)) || g == w || std::abs(g - w) <= c.atol + c.rtol * std::abs(w);
      if (!ok) {
        char text[96];
        std::snprintf(text, sizeof(text), "%.9g vs expected %.9g", g, w);
        return InvalidArgument(where + "[" + std::to_string(i) + "]: " + text);
      }
    } else {
      const size_t es = DataTypeSize(want.dtype());
      if (std::memcmp(static_cast<const char*>(got.raw_data()) + i * es, static_cast<const char*>(want.raw_data()) + i * es, es) != 0) {
        return InvalidArgument(where + "[" + std::to_string(i) + "] differs");
      }
    }
  }
  return Status::Ok();
}

// onnx 1.12 writes BFLOAT16 test data as UINT16 tensors (numpy has no bfloat16): take the bits
// as the type the model declares, as ONNX Runtime's own test runner does.
Tensor AsDeclared(Tensor t, DataType declared) {
  if (t.dtype() != DataType::kUint16 || declared != DataType::kBf16) return t;
  TensorView v = t.view();
  v.dtype = declared;
  return Tensor::CopyOf(v);
}

Status RunCase(const fs::path& dir, const Case& c) {
  FS_ASSIGN_OR_RETURN(std::string bytes, Env::Default()->ReadFile((dir / "model.onnx").string()));
  OnnxLoadOptions options;
  options.model_dir = dir.string();
  FS_ASSIGN_OR_RETURN(std::unique_ptr<OnnxModel> model, OnnxModel::Load(bytes, options));
  for (int set = 0; fs::exists(dir / ("test_data_set_" + std::to_string(set))); ++set) {
    const fs::path data = dir / ("test_data_set_" + std::to_string(set));
    std::vector<Tensor> inputs, expected;
    for (size_t i = 0; fs::exists(data / ("input_" + std::to_string(i) + ".pb")); ++i) {
      FS_ASSIGN_OR_RETURN(Tensor t, ReadTensor(data / ("input_" + std::to_string(i) + ".pb")));
      inputs.push_back(i < model->inputs().size() ? AsDeclared(std::move(t), model->inputs()[i].dtype) : std::move(t));
    }
    for (size_t i = 0; fs::exists(data / ("output_" + std::to_string(i) + ".pb")); ++i) {
      FS_ASSIGN_OR_RETURN(Tensor t, ReadTensor(data / ("output_" + std::to_string(i) + ".pb")));
      expected.push_back(i < model->outputs().size() ? AsDeclared(std::move(t), model->outputs()[i].dtype) : std::move(t));
    }
    std::vector<TensorView> views;
    for (const Tensor& t : inputs) views.push_back(t.view());
    std::vector<Tensor> outputs;
    FS_RETURN_IF_ERROR(model->Run(views, OutputSelection::All(), &outputs));
    if (outputs.size() != expected.size()) return InvalidArgument("output count differs");
    for (size_t i = 0; i < outputs.size(); ++i) FS_RETURN_IF_ERROR(Compare(outputs[i], expected[i], c, i));
  }
  return Status::Ok();
}

std::string OneLine(std::string s) {
  for (char& ch : s) {
    if (ch == '\n' || ch == '\t') ch = ' ';
  }
  return s.size() > 300 ? s.substr(0, 300) + "..." : s;
}

void WriteKernelTable(const std::string& path) {
  std::ofstream out(path);
  out << "# op\tdomain\tsince\tuntil\ttypes\n";
  for (const KernelDef& d : KernelRegistry::Cpu().defs()) {
    std::string types;
    for (const TypeRule& r : d.types) {
      if (!types.empty()) types += "; ";
      types += (r.index >= 0 ? "in" + std::to_string(r.index) : "out" + std::to_string(-1 - r.index)) + ": " + r.allowed.ToString();
    }
    out << d.op_type << '\t' << (d.domain.empty() ? "ai.onnx" : std::string(d.domain)) << '\t' << d.since_version << '\t'
        << d.until_version << '\t' << types << '\n';
  }
}

TEST(OnnxConformance, AllNodeCases) {
  WriteKernelTable("onnx_kernel_table.tsv");
  const char* cases_dir = std::getenv("FINSERVE_ONNX_CASES");
  const char* skips_path = std::getenv("FINSERVE_ONNX_SKIPS");
  ASSERT_NE(cases_dir, nullptr) << "set FINSERVE_ONNX_CASES to generate_cases.py's output directory";
  ASSERT_NE(skips_path, nullptr) << "set FINSERVE_ONNX_SKIPS to tests/conformance/onnx/skips.tsv";
  const std::vector<Case> cases = ReadManifest(std::string(cases_dir) + "/manifest.tsv");
  ASSERT_GT(cases.size(), 900u) << "manifest missing or short: did generate_cases.py run?";
  const auto skips = ReadSkips(skips_path);
  std::ofstream report("onnx_conformance_report.tsv");
  report << "# name\top\topset\tresult\treason\n";
  int passed = 0, failed = 0, skipped = 0;
  for (const Case& c : cases) {
    std::string result, reason;
    const std::string missing = MissingOp(c);
    auto listed = skips.find(c.name);
    if (!c.not_generated.empty()) {
      result = "skipped";
      reason = c.not_generated;
    } else if (!missing.empty()) {
      result = "skipped";
      reason = "no kernel yet for " + missing;
    } else {
      Status s = RunCase(fs::path(cases_dir) / c.name, c);
      if (listed != skips.end()) {
        result = "skipped";
        reason = listed->second;
        EXPECT_FALSE(s.ok()) << c.name << " is in skips.tsv but passes: remove it from the list";
      } else if (s.ok()) {
        result = "passed";
      } else {
        result = "failed";
        reason = OneLine(s.ToString());
        ADD_FAILURE() << c.name << ": " << s.ToString();
      }
    }
    (result == "passed" ? passed : result == "failed" ? failed : skipped)++;
    report << c.name << '\t' << c.op << '\t' << c.opset << '\t' << result << '\t' << reason << '\n';
  }
  for (const auto& [name, reason] : skips) {
    bool known = false;
    for (const Case& c : cases) known = known || c.name == name;
    EXPECT_TRUE(known) << "skips.tsv names an unknown case: " << name;
  }
  std::printf("onnx conformance: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
}

}  // namespace
}  // namespace finserve::runtime::onnx
