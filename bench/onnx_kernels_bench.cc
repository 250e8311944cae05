// Where each dense path wins: GemmEigen vs GemmOnednn (vs GemmReference on small shapes) for
// fp32 C[m,n] = A[m,k] * B[k,n], single-threaded, over the shapes finserve's models produce
// (1-row scoring, small batches, square blocks). The crossover kOnednnMinMacs in
// src/runtime/onnx/kernels/gemm.h is chosen from this table; docs/onnx-support.md records a run.
//
//   build/release/bench/onnx_kernels_bench --benchmark_filter=Gemm
//
// Also times a whole small model (MLP 64-32-2, batch 1 and 64) through OnnxModel::Run, which
// is the per-request overhead the executor adds on top of the kernels.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "onnx/onnx_pb.h"
#include "runtime/onnx/kernels/gemm.h"
#include "runtime/onnx/kernels/reference/gemm_ref.h"
#include "runtime/onnx/onnx_model.h"

namespace finserve::runtime::onnx {
namespace {

struct Operands {
  std::vector<float> a, b, c;
  GemmArgs<float> args;
  Operands(int64_t m, int64_t n, int64_t k) : a(m * k), b(k * n), c(m * n) {
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> dist(-1, 1);
    for (float& v : a) v = dist(rng);
    for (float& v : b) v = dist(rng);
    args.m = m, args.n = n, args.k = k;
    args.a = a.data(), args.lda = k, args.b = b.data(), args.ldb = n, args.c = c.data(), args.ldc = n;
  }
};

void SetCounters(benchmark::State& state, const GemmArgs<float>& g) {
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(g.m * g.n * g.k),
                                                 benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  state.counters["macs"] = static_cast<double>(g.m * g.n * g.k);
}

void BM_GemmEigen(benchmark::State& state) {
  Operands op(state.range(0), state.range(1), state.range(2));
  for (auto _ : state) {
    GemmEigen(op.args);
    benchmark::DoNotOptimize(op.c.data());
  }
  SetCounters(state, op.args);
}

void BM_GemmOnednn(benchmark::State& state) {
  Operands op(state.range(0), state.range(1), state.range(2));
  if (!GemmOnednn(op.args, 1).ok()) state.SkipWithError("oneDNN failed");  // also warms the primitive cache
  for (auto _ : state) {
    benchmark::DoNotOptimize(GemmOnednn(op.args, 1).ok());
    benchmark::DoNotOptimize(op.c.data());
  }
  SetCounters(state, op.args);
}

void BM_GemmReference(benchmark::State& state) {
  Operands op(state.range(0), state.range(1), state.range(2));
  for (auto _ : state) {
    GemmReference(op.args);
    benchmark::DoNotOptimize(op.c.data());
  }
  SetCounters(state, op.args);
}

void GemmShapes(benchmark::internal::Benchmark* b) {
  for (auto [m, n, k] : std::vector<std::array<int64_t, 3>>{
           {1, 16, 16},    {1, 64, 64},    {1, 128, 128},  {1, 256, 256},  {1, 512, 512},  {1, 1024, 1024},
           {2, 512, 512},  {4, 512, 512},  {8, 256, 256},  {8, 512, 512},  {16, 256, 256},
           {8, 64, 64},    {16, 64, 64},   {32, 64, 64},   {64, 64, 64},   {16, 128, 128}, {32, 128, 128},
           {64, 128, 128}, {128, 128, 128}, {64, 256, 256}, {256, 256, 256}, {512, 512, 512}}) {
    b->Args({m, n, k});
  }
  b->ArgNames({"m", "n", "k"});
}

BENCHMARK(BM_GemmEigen)->Apply(GemmShapes);
BENCHMARK(BM_GemmOnednn)->Apply(GemmShapes);
BENCHMARK(BM_GemmReference)->Args({1, 64, 64})->Args({64, 64, 64})->ArgNames({"m", "n", "k"});

// A 64 -> 32 -> 2 MLP with a dynamic batch: MatMul, Add, Relu, MatMul, Add, Softmax.
std::unique_ptr<OnnxModel> Mlp() {
  ::onnx::ModelProto m;
  m.set_ir_version(8);
  auto* imp = m.add_opset_import();
  imp->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("mlp");
  auto io = [](::onnx::ValueInfoProto* vi, const char* name, int64_t cols) {
    vi->set_name(name);
    auto* tt = vi->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(::onnx::TensorProto::FLOAT);
    tt->mutable_shape()->add_dim()->set_dim_param("batch");
    tt->mutable_shape()->add_dim()->set_dim_value(cols);
  };
  io(g->add_input(), "x", 64);
  io(g->add_output(), "p", 2);
  std::mt19937 rng(2);
  std::uniform_real_distribution<float> dist(-0.2f, 0.2f);
  auto init = [&](const char* name, std::vector<int64_t> dims) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(::onnx::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) t->add_dims(d), n *= d;
    for (int64_t i = 0; i < n; ++i) t->add_float_data(dist(rng));
  };
  init("w1", {64, 32});
  init("b1", {32});
  init("w2", {32, 2});
  init("b2", {2});
  auto node = [&](const char* op, std::vector<const char*> in, const char* out) {
    auto* n = g->add_node();
    n->set_op_type(op);
    for (auto* i : in) n->add_input(i);
    n->add_output(out);
  };
  node("MatMul", {"x", "w1"}, "h1");
  node("Add", {"h1", "b1"}, "z1");
  node("Relu", {"z1"}, "r1");
  node("MatMul", {"r1", "w2"}, "h2");
  node("Add", {"h2", "b2"}, "z2");
  node("Softmax", {"z2"}, "p");
  auto model = OnnxModel::Load(m.SerializeAsString(), {});
  return model.ok() ? std::move(model).value() : nullptr;
}

void BM_MlpRun(benchmark::State& state) {
  auto model = Mlp();
  if (!model) {
    state.SkipWithError("model did not load");
    return;
  }
  const int64_t batch = state.range(0);
  Tensor x = Tensor::Zeros(DataType::kFp32, {batch, 64});
  TensorView v = x.view();
  std::vector<Tensor> outputs;
  for (auto _ : state) {
    benchmark::DoNotOptimize(model->Run(std::span<const TensorView>(&v, 1), OutputSelection::All(), &outputs).ok());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}
BENCHMARK(BM_MlpRun)->Arg(1)->Arg(64)->ArgName("batch");

}  // namespace
}  // namespace finserve::runtime::onnx
