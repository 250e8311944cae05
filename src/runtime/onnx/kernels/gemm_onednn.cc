// GemmOnednn: fp32 matmul through oneDNN, with one primitive per shape/transpose/alpha/beta kept
// in a bounded process-wide cache (creating one costs 0.2-0.4 ms; executing a cached one is what
// pays off for large shapes). Engine and per-thread streams: onednn_context.h. oneDNN fixes a
// primitive's thread count when it is created, so the key holds the intra-op thread count and
// the count is set before the primitive is made.
#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>
#include <unordered_map>

#include <dnnl.hpp>

#include "runtime/onnx/kernels/gemm.h"
#include "runtime/onnx/kernels/onednn_context.h"

namespace finserve::runtime::onnx {
namespace {

// Shape, strides, alpha, beta, threads, then the epilogue: bias or not, clip, activation.
using Key = std::tuple<bool, bool, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, float, float, int, bool, float, int>;
constexpr size_t kMaxCachedPrimitives = 256;

struct Cached {
  dnnl::matmul primitive;
  dnnl::memory::desc a, b, c, bias;
};

dnnl::memory::desc Desc(int64_t rows, int64_t cols, int64_t ld, bool transposed) {
  using dims = dnnl::memory::dims;
  return dnnl::memory::desc(dims{rows, cols}, dnnl::memory::data_type::f32,
                            transposed ? dims{1, ld} : dims{ld, 1});
}

std::shared_ptr<const Cached> Lookup(const GemmArgs<float>& g, int threads, const GemmEpilogue& e) {
  static std::mutex mu;
  static std::map<Key, std::shared_ptr<const Cached>> cache;
  const Key key{g.trans_a, g.trans_b, g.m, g.n, g.k, g.lda, g.ldb, g.ldc, g.alpha, g.beta, threads,
                e.bias != nullptr, e.clip, static_cast<int>(e.act)};
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  auto entry = std::make_shared<Cached>();
  entry->a = Desc(g.m, g.k, g.lda, g.trans_a);
  entry->b = Desc(g.k, g.n, g.ldb, g.trans_b);
  entry->c = Desc(g.m, g.n, g.ldc, false);
  dnnl::primitive_attr attr;
  if (g.alpha != 1.0f) attr.set_output_scales(0, {g.alpha});
  dnnl::post_ops ops;
  if (g.beta != 0.0f) ops.append_sum(g.beta);
  if (e.clip > 0) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, -e.clip, e.clip);
  if (e.act == GemmEpilogue::Act::kSigmoid) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_logistic, 0.0f, 0.0f);
  if (e.act == GemmEpilogue::Act::kTanh) ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_tanh, 0.0f, 0.0f);
  if (ops.len() > 0) attr.set_post_ops(ops);
  entry->bias = dnnl::memory::desc({1, g.n}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::ab);
  dnnl::matmul::desc desc = e.bias != nullptr ? dnnl::matmul::desc(entry->a, entry->b, entry->bias, entry->c)
                                              : dnnl::matmul::desc(entry->a, entry->b, entry->c);
  entry->primitive = dnnl::matmul(dnnl::matmul::primitive_desc(desc, attr, OnednnEngine()));
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() >= kMaxCachedPrimitives) cache.clear();
  cache.emplace(key, entry);
  return entry;
}

struct Batched {
  dnnl::matmul primitive;
  dnnl::memory::desc a, b, c;
};

std::shared_ptr<const Batched> LookupBatched(int64_t batch, int64_t m, int64_t n, int64_t k, int threads) {
  static std::mutex mu;
  static std::map<std::tuple<int64_t, int64_t, int64_t, int64_t, int>, std::shared_ptr<const Batched>> cache;
  const auto key = std::make_tuple(batch, m, n, k, threads);
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  auto entry = std::make_shared<Batched>();
  using Tag = dnnl::memory::format_tag;
  const auto f32 = dnnl::memory::data_type::f32;
  entry->a = dnnl::memory::desc({batch, m, k}, f32, Tag::abc);
  entry->b = dnnl::memory::desc({batch, k, n}, f32, Tag::abc);
  entry->c = dnnl::memory::desc({batch, m, n}, f32, Tag::abc);
  dnnl::matmul::desc desc(entry->a, entry->b, entry->c);
  entry->primitive = dnnl::matmul(dnnl::matmul::primitive_desc(desc, OnednnEngine()));
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() >= kMaxCachedPrimitives) cache.clear();
  cache.emplace(key, entry);
  return entry;
}

}  // namespace

Status GemmBatchedOnednn(int64_t batch, int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c,
                         int threads) {
  if (batch == 0 || m == 0 || n == 0) return Status::Ok();
  if (k == 0) {
    std::fill(c, c + batch * m * n, 0.0f);
    return Status::Ok();
  }
  try {
    SetOnednnThreads(threads);
    std::shared_ptr<const Batched> p = LookupBatched(batch, m, n, k, threads);
    dnnl::stream& stream = OnednnThreadStream();
    dnnl::memory ma(p->a, OnednnEngine(), const_cast<float*>(a));
    dnnl::memory mb(p->b, OnednnEngine(), const_cast<float*>(b));
    dnnl::memory mc(p->c, OnednnEngine(), c);
    p->primitive.execute(stream, {{DNNL_ARG_SRC, ma}, {DNNL_ARG_WEIGHTS, mb}, {DNNL_ARG_DST, mc}});
    stream.wait();
  } catch (const dnnl::error& e) {
    return Internal(std::string("oneDNN batched matmul failed: ") + e.what());
  }
  return Status::Ok();
}

Status GemmOnednn(const GemmArgs<float>& g, int threads) { return GemmOnednnEpilogue(g, GemmEpilogue{}, threads); }

Status GemmOnednnEpilogue(const GemmArgs<float>& g, const GemmEpilogue& e, int threads) {
  const bool plain = e.bias == nullptr && e.clip <= 0 && e.act == GemmEpilogue::Act::kNone;
  if (g.m == 0 || g.n == 0) return Status::Ok();
  if (g.k == 0 && plain) {
    for (int64_t i = 0; i < g.m; ++i) {
      for (int64_t j = 0; j < g.n; ++j) g.c[i * g.ldc + j] = g.beta == 0.0f ? 0.0f : g.beta * g.c[i * g.ldc + j];
    }
    return Status::Ok();
  }
  if (g.k == 0) return InvalidArgument("GemmOnednnEpilogue needs k > 0");
  try {
    SetOnednnThreads(threads);
    std::shared_ptr<const Cached> p = Lookup(g, threads, e);
    dnnl::stream& stream = OnednnThreadStream();
    dnnl::memory a(p->a, OnednnEngine(), const_cast<float*>(g.a));
    dnnl::memory b(p->b, OnednnEngine(), const_cast<float*>(g.b));
    dnnl::memory c(p->c, OnednnEngine(), g.c);
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}};
    if (e.bias != nullptr) args.emplace(DNNL_ARG_BIAS, dnnl::memory(p->bias, OnednnEngine(), const_cast<float*>(e.bias)));
    p->primitive.execute(stream, args);
    stream.wait();
  } catch (const dnnl::error& err) {
    return Internal(std::string("oneDNN matmul failed: ") + err.what());
  }
  return Status::Ok();
}

}  // namespace finserve::runtime::onnx
