// TreeSHAP: finserve's exact TreeSHAP against XGBoost's own pred_contribs (C API
// XGBoosterPredictFromDMatrix with "type": 2), in one binary, on ONE model: the shared 500-tree
// depth-6 binary:logistic benchmark model (bench_model.h). Both sides explain the same rows and
// produce the same numbers (checked at setup: max |ours - XGBoost| is reported as a counter).
//
//   single row:  XGBoost = XGDMatrixCreateFromMat (one row) + XGBoosterPredictFromDMatrix, as a
//                server would call it per request; ours = TreeShap::Explain for one row, per
//                kernel (avx512, scalar, and the recursive reference twin). Rows cycle through 256.
//   batch:       1,000 rows, one thread each side.
//   precompute:  TreeShap::Create (done once per model at load) with its memory as a counter.
//
// XGBoost runs first and records its time per row; ours report `speedup_vs_xgboost` = XGBoost's
// median time per row / ours, measured in the same run on the same machine. Times are the calling
// thread's CPU time (both sides run on it: XGBoost with nthread=1), which a machine shared with
// other work does not inflate; `wall_us_per_row` is reported as well.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <time.h>
#include <unistd.h>
#include <xgboost/c_api.h>

#include "bench_model.h"
#include "explain/tree_shap.h"
#include "runtime/tree/xgboost_json_import.h"

namespace finserve::explain {
namespace {

using bench::kBenchFeatures;

constexpr int kPoolRows = 256;
constexpr int kBatchRows = 1000;
constexpr const char* kContribConfig =
    R"({"type": 2, "training": false, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";

#define XGB_CHECK(call)                                                 \
  do {                                                                  \
    if ((call) != 0) {                                                  \
      std::fprintf(stderr, "%s failed: %s\n", #call, XGBGetLastError()); \
      std::abort();                                                     \
    }                                                                   \
  } while (0)

struct Setup {
  std::vector<float> pool = bench::SyntheticRows(kPoolRows, 2);
  std::vector<float> batch = bench::SyntheticRows(kBatchRows, 3);
  std::string json;
  runtime::tree::TreeEnsemble ensemble;
  BoosterHandle xgb = nullptr;
  std::map<ShapKernel, std::unique_ptr<TreeShap>> ours;
  double max_abs_diff = 0;

  Setup() {
    const std::string path = "/tmp/finserve-shap-bench-" + std::to_string(getpid()) + ".json";
    bench::TrainBenchModel(path);
    json = bench::ReadWholeFile(path);
    XGB_CHECK(XGBoosterCreate(nullptr, 0, &xgb));
    XGB_CHECK(XGBoosterLoadModel(xgb, path.c_str()));
    XGB_CHECK(XGBoosterSetParam(xgb, "nthread", "1"));
    std::remove(path.c_str());
    auto imported = runtime::tree::ImportXgboostJson(json);
    if (!imported.ok()) std::abort();
    ensemble = std::move(imported->ensemble);
    for (ShapKernel k : {ShapKernel::kAvx512, ShapKernel::kScalar, ShapKernel::kReference}) {
      auto shap = TreeShap::Create(ensemble, k);
      if (shap.ok()) ours[k] = std::move(shap).value();
    }
    CheckAgreement();
  }

  const float* XgbContributions(const float* rows, int n) const {
    DMatrixHandle m = nullptr;
    XGB_CHECK(XGDMatrixCreateFromMat(rows, n, kBenchFeatures, std::nanf(""), &m));
    const bst_ulong* shape = nullptr;
    bst_ulong dims = 0;
    const float* result = nullptr;
    XGB_CHECK(XGBoosterPredictFromDMatrix(xgb, m, kContribConfig, &shape, &dims, &result));
    XGDMatrixFree(m);
    return result;  // owned by the booster until its next prediction
  }

  void CheckAgreement() {
    const int n = 64;
    const float* want = XgbContributions(pool.data(), n);
    std::vector<float> got(static_cast<size_t>(n) * (kBenchFeatures + 1));
    for (const auto& [kernel, shap] : ours) {
      shap->Explain(pool.data(), n, got.data());
      for (size_t i = 0; i < got.size(); ++i) max_abs_diff = std::max(max_abs_diff, std::fabs(double(got[i]) - want[i]));
    }
  }
};

Setup& Get() {
  static Setup* setup = new Setup();
  return *setup;
}

std::map<std::string, std::vector<double>>& XgbNsPerRow() {
  static auto* times = new std::map<std::string, std::vector<double>>();
  return *times;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

double ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// Runs `body(i)` for every iteration; returns CPU ns per row and reports it with wall time.
template <typename Body>
double TimeRows(benchmark::State& state, int64_t rows_per_call, Body body) {
  int64_t i = 0;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = ThreadCpuNs();
  for (auto _ : state) body(i++);
  const double cpu = ThreadCpuNs() - cpu_start;
  const double wall = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  const double rows = static_cast<double>(state.iterations() * rows_per_call);
  state.SetItemsProcessed(state.iterations() * rows_per_call);
  state.counters["cpu_us_per_row"] = cpu / rows / 1000.0;
  state.counters["wall_us_per_row"] = wall / rows / 1000.0;
  return cpu / rows;
}

void ReportSpeedup(benchmark::State& state, double ours_ns_per_row, const char* xgb_case) {
  const double xgb = Median(XgbNsPerRow()[xgb_case]);
  if (xgb > 0) state.counters["speedup_vs_xgboost"] = xgb / ours_ns_per_row;
}

// ---- XGBoost ---------------------------------------------------------------------------------

void BM_Xgboost_Contribs_SingleRow(benchmark::State& state) {
  Setup& s = Get();
  const double ns = TimeRows(state, 1, [&](int64_t i) {
    benchmark::DoNotOptimize(s.XgbContributions(&s.pool[(i % kPoolRows) * kBenchFeatures], 1)[0]);
  });
  XgbNsPerRow()["single"].push_back(ns);
  state.counters["max_abs_diff_vs_ours"] = s.max_abs_diff;
}

void BM_Xgboost_Contribs_Batch1000(benchmark::State& state) {
  Setup& s = Get();
  const double ns = TimeRows(state, kBatchRows, [&](int64_t) {
    benchmark::DoNotOptimize(s.XgbContributions(s.batch.data(), kBatchRows)[0]);
  });
  XgbNsPerRow()["batch"].push_back(ns);
}

// ---- ours ------------------------------------------------------------------------------------

const TreeShap* Ours(benchmark::State& state) {
  auto it = Get().ours.find(static_cast<ShapKernel>(state.range(0)));
  if (it == Get().ours.end()) {
    state.SkipWithError("kernel not available on this CPU");
    return nullptr;
  }
  state.SetLabel(std::string(ShapKernelName(it->first)));
  return it->second.get();
}

void BM_Ours_SingleRow(benchmark::State& state) {
  const TreeShap* shap = Ours(state);
  if (shap == nullptr) return;
  Setup& s = Get();
  std::vector<float> out(kBenchFeatures + 1);
  const double ns = TimeRows(state, 1, [&](int64_t i) {
    shap->Explain(&s.pool[(i % kPoolRows) * kBenchFeatures], 1, out.data());
    benchmark::DoNotOptimize(out[0]);
  });
  ReportSpeedup(state, ns, "single");
}

void BM_Ours_Batch1000(benchmark::State& state) {
  const TreeShap* shap = Ours(state);
  if (shap == nullptr) return;
  Setup& s = Get();
  std::vector<float> out(static_cast<size_t>(kBatchRows) * (kBenchFeatures + 1));
  const double ns = TimeRows(state, kBatchRows, [&](int64_t) {
    shap->Explain(s.batch.data(), kBatchRows, out.data());
    benchmark::DoNotOptimize(out[0]);
  });
  ReportSpeedup(state, ns, "batch");
}

void BM_Ours_Precompute(benchmark::State& state) {
  Setup& s = Get();
  size_t bytes = 0;
  for (auto _ : state) {
    auto shap = TreeShap::Create(s.ensemble, ShapKernel::kAuto);
    if (!shap.ok()) std::abort();
    bytes = (*shap)->memory_bytes();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["memory_MiB"] = static_cast<double>(bytes) / (1 << 20);
  state.counters["model_json_MiB"] = static_cast<double>(s.json.size()) / (1 << 20);
}

constexpr int64_t kAvx512 = static_cast<int64_t>(ShapKernel::kAvx512);
constexpr int64_t kScalar = static_cast<int64_t>(ShapKernel::kScalar);
constexpr int64_t kReference = static_cast<int64_t>(ShapKernel::kReference);

BENCHMARK(BM_Xgboost_Contribs_SingleRow)->Unit(benchmark::kMicrosecond)->MinTime(2.0);
BENCHMARK(BM_Xgboost_Contribs_Batch1000)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_Ours_SingleRow)->Arg(kAvx512)->Arg(kScalar)->Arg(kReference)->Unit(benchmark::kMicrosecond)->MinTime(1.0);
BENCHMARK(BM_Ours_Batch1000)->Arg(kAvx512)->Arg(kScalar)->Unit(benchmark::kMillisecond)->MinTime(1.0);
BENCHMARK(BM_Ours_Precompute)->Unit(benchmark::kMillisecond)->MinTime(1.0);

}  // namespace
}  // namespace finserve::explain

BENCHMARK_MAIN();
