// OnednnConv: fp32 convolution through oneDNN's convolution primitive.
//
// The primitive is created with `any` layouts so oneDNN picks its fastest kernel (blocked
// layouts such as nChw16c); the request's plain NC(D)HW tensors are reordered in and out around
// it (a linear pass, cheap next to the convolution above the crossover), constant weights once
// per cached entry. Creating a primitive costs 0.1-1 ms, so entries are kept per input shape, up
// to kMaxEntries per node. Temporaries live in the thread's scratch block.
#include <cstring>
#include <unordered_map>

#include "runtime/onnx/kernels/conv.h"
#include "runtime/onnx/kernels/onednn_context.h"
#include "runtime/onnx/kernels/scratch.h"

namespace finserve::runtime::onnx {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr size_t kMaxEntries = 64;

// oneDNN fixes a primitive's thread count when it is created: the count is part of the key.
std::vector<int64_t> Key(const ConvArgs<float>& a, int threads) {
  const Window& w = a.window;
  std::vector<int64_t> key{a.batch, a.in_channels, a.out_channels, a.group, w.rank, threads};
  for (const Axes3* v : {&w.in, &w.kernel, &w.stride, &w.dilation, &w.pad_begin, &w.pad_end}) {
    key.insert(key.end(), v->begin(), v->end());
  }
  return key;
}

// 1-D and 2-D problems run as 2-D (a leading axis of size 1), 3-D as 3-D.
int OnednnSpatial(const Window& w) { return w.rank == 3 ? 3 : 2; }

memory::dims Spatial(const Axes3& v, int spatial, int64_t minus = 0) {
  memory::dims d;
  for (int i = kMaxWindowRank - spatial; i < kMaxWindowRank; ++i) d.push_back(v[i] - minus);
  return d;
}

memory::dims Concat(memory::dims head, const memory::dims& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

}  // namespace

struct OnednnConv::Entry {
  dnnl::convolution_forward primitive;
  memory::desc user_src, src, user_weights, weights, bias, user_dst, dst;
  dnnl::reorder src_in, weights_in, dst_out;  // set only where the layouts differ
  memory reordered_weights;                   // constant weights in the primitive's layout
  bool has_bias = false;
};

OnednnConv::~OnednnConv() = default;

Result<std::shared_ptr<const OnednnConv::Entry>> OnednnConv::Lookup(const ConvArgs<float>& a, int threads) const {
  std::vector<int64_t> key = Key(a, threads);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  const Window& w = a.window;
  const int sp = OnednnSpatial(w);
  const auto f32 = memory::data_type::f32;
  const bool grouped = a.group > 1;
  auto e = std::make_shared<Entry>();
  const memory::dims src_dims = Concat({a.batch, a.in_channels}, Spatial(w.in, sp));
  const memory::dims dst_dims = Concat({a.batch, a.out_channels}, Spatial(w.out, sp));
  const memory::dims kernel = Spatial(w.kernel, sp);
  const memory::dims wdims = grouped ? Concat({a.group, a.out_channels / a.group, a.in_channels / a.group}, kernel)
                                     : Concat({a.out_channels, a.in_channels}, kernel);
  e->user_src = memory::desc(src_dims, f32, sp == 3 ? Tag::ncdhw : Tag::nchw);
  e->user_dst = memory::desc(dst_dims, f32, sp == 3 ? Tag::ncdhw : Tag::nchw);
  e->user_weights = memory::desc(wdims, f32, grouped ? (sp == 3 ? Tag::goidhw : Tag::goihw) : (sp == 3 ? Tag::oidhw : Tag::oihw));
  e->has_bias = a.bias != nullptr;
  e->bias = memory::desc({a.out_channels}, f32, Tag::a);
  const memory::desc any_src(src_dims, f32, Tag::any), any_dst(dst_dims, f32, Tag::any), any_w(wdims, f32, Tag::any);
  const memory::dims strides = Spatial(w.stride, sp), dilates = Spatial(w.dilation, sp, 1);
  const memory::dims pad_l = Spatial(w.pad_begin, sp), pad_r = Spatial(w.pad_end, sp);
  using Desc = dnnl::convolution_forward::desc;
  const auto kind = dnnl::prop_kind::forward_inference;
  const auto algo = dnnl::algorithm::convolution_direct;
  Desc desc = e->has_bias ? Desc(kind, algo, any_src, any_w, e->bias, any_dst, strides, dilates, pad_l, pad_r)
                          : Desc(kind, algo, any_src, any_w, any_dst, strides, dilates, pad_l, pad_r);
  dnnl::engine& engine = OnednnEngine();
  dnnl::convolution_forward::primitive_desc pd(desc, engine);
  e->primitive = dnnl::convolution_forward(pd);
  e->src = pd.src_desc();
  e->weights = pd.weights_desc();
  e->dst = pd.dst_desc();
  if (e->src != e->user_src) e->src_in = dnnl::reorder(dnnl::reorder::primitive_desc(engine, e->user_src, engine, e->src));
  if (e->dst != e->user_dst) e->dst_out = dnnl::reorder(dnnl::reorder::primitive_desc(engine, e->dst, engine, e->user_dst));
  if (e->weights != e->user_weights) {
    e->weights_in = dnnl::reorder(dnnl::reorder::primitive_desc(engine, e->user_weights, engine, e->weights));
    if (constant_weights_) {
      e->reordered_weights = memory(e->weights, engine);
      memory user(e->user_weights, engine, const_cast<float*>(a.w));
      dnnl::stream& stream = OnednnThreadStream();
      e->weights_in.execute(stream, user, e->reordered_weights);
      stream.wait();
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= kMaxEntries) cache_.clear();
  cache_.emplace(std::move(key), e);
  return std::shared_ptr<const Entry>(e);
}

Status OnednnConv::Run(const ConvArgs<float>& a, int threads) const {
  if (a.batch == 0 || a.out_channels == 0 || a.window.out_size() == 0) return Status::Ok();
  try {
    SetOnednnThreads(threads);
    FS_ASSIGN_OR_RETURN(std::shared_ptr<const Entry> e, Lookup(a, threads));
    dnnl::engine& engine = OnednnEngine();
    dnnl::stream& stream = OnednnThreadStream();
    const bool src_re = static_cast<bool>(e->src_in), dst_re = static_cast<bool>(e->dst_out);
    const bool w_re = static_cast<bool>(e->weights_in) && !e->reordered_weights;
    const size_t bytes = (src_re ? ScratchCarver::Round(e->src.get_size()) : 0) +
                         (dst_re ? ScratchCarver::Round(e->dst.get_size()) : 0) +
                         (w_re ? ScratchCarver::Round(e->weights.get_size()) : 0);
    ScratchCarver scratch(ThreadScratch(bytes));
    memory user_src(e->user_src, engine, const_cast<float*>(a.x));
    memory user_dst(e->user_dst, engine, a.y);
    memory user_w(e->user_weights, engine, const_cast<float*>(a.w));
    memory src = src_re ? memory(e->src, engine, scratch.Take<std::byte>(static_cast<int64_t>(e->src.get_size()))) : user_src;
    memory dst = dst_re ? memory(e->dst, engine, scratch.Take<std::byte>(static_cast<int64_t>(e->dst.get_size()))) : user_dst;
    memory weights = e->reordered_weights ? e->reordered_weights : user_w;
    if (w_re) {
      weights = memory(e->weights, engine, scratch.Take<std::byte>(static_cast<int64_t>(e->weights.get_size())));
      e->weights_in.execute(stream, user_w, weights);
    }
    if (src_re) e->src_in.execute(stream, user_src, src);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
    if (e->has_bias) args.emplace(DNNL_ARG_BIAS, memory(e->bias, engine, const_cast<float*>(a.bias)));
    e->primitive.execute(stream, args);
    if (dst_re) e->dst_out.execute(stream, dst, user_dst);
    stream.wait();
  } catch (const dnnl::error& err) {
    return Internal(std::string("oneDNN convolution failed: ") + err.what());
  }
  return Status::Ok();
}

}  // namespace finserve::runtime::onnx
