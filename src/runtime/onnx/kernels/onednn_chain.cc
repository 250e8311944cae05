#include "runtime/onnx/kernels/onednn_chain.h"

#include <dnnl.hpp>
#include <unordered_map>

#include "runtime/onnx/kernels/onednn_context.h"
#include "runtime/onnx/kernels/scratch.h"

namespace finserve::runtime::onnx {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr auto kF32 = memory::data_type::f32;
constexpr size_t kMaxEntries = 64;
constexpr int kSpatial = 2;  // the chain runs 2-D problems only (rank-4 tensors)

memory::dims Axes(const Axes3& v, int64_t minus = 0) {
  return {v[kMaxWindowRank - 2] - minus, v[kMaxWindowRank - 1] - minus};
}

// oneDNN needs out = (in + pad_l + pad_r - extent) / stride + 1 exactly; ONNX's ceil_mode may
// leave a last window hanging past the declared end padding. The right padding oneDNN must be
// told, per axis, or false when it would be negative (a floor-mode remainder oneDNN rejects).
bool OnednnRightPads(const Window& w, memory::dims* pad_r) {
  pad_r->clear();
  for (int d = kMaxWindowRank - kSpatial; d < kMaxWindowRank; ++d) {
    const int64_t extent = (w.kernel[d] - 1) * w.dilation[d] + 1;
    const int64_t r = (w.out[d] - 1) * w.stride[d] + extent - w.in[d] - w.pad_begin[d];
    if (r < 0) return false;
    pad_r->push_back(r);
  }
  return true;
}

// On AVX-512 cores oneDNN's `any` picks the brgemm convolution in NHWC for these small channel
// counts; its direct nChw16c kernel with nChw16c pooling was 15% faster on the bench CNN
// (docs/performance.md). Elsewhere (no measurement) oneDNN chooses.
constexpr int64_t kBlock16 = 16;
Tag BlockedTag() {
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto avx512 = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
  return (isa & avx512) == avx512 ? Tag::nChw16c : Tag::any;
}

}  // namespace

struct OnednnChain::Prepared {
  struct Step {
    dnnl::primitive primitive;
    bool conv = false;
    dnnl::reorder reorder_in;     // from the previous step's layout, when this one wants another
    memory::desc in, out;
    size_t in_offset = 0, out_offset = 0;
    memory weights;               // conv: constant weights in the primitive's layout
    memory::desc bias_desc;
    const float* bias = nullptr;
  };
  std::vector<Step> steps;
  memory::desc user_src, user_dst;
  dnnl::reorder reorder_out;      // last step's layout -> plain NCHW, when they differ
  std::vector<int64_t> out_shape;
  size_t scratch_bytes = 0;
};

OnednnChain::OnednnChain(std::vector<ChainStage> stages) : stages_(std::move(stages)) {}
OnednnChain::~OnednnChain() = default;

const std::vector<int64_t>& OnednnChain::OutputShape(const Prepared& prepared) { return prepared.out_shape; }

std::shared_ptr<const OnednnChain::Prepared> OnednnChain::Prepare(std::span<const int64_t> x_shape, int threads) const {
  if (x_shape.size() != 4) return nullptr;
  std::vector<int64_t> key(x_shape.begin(), x_shape.end());
  key.push_back(threads);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  std::shared_ptr<Prepared> p;
  try {
    SetOnednnThreads(threads);
    p = Build(x_shape);
  } catch (const dnnl::error&) {
    p = nullptr;  // oneDNN has no implementation for this problem: the separate kernels run it
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_.size() >= kMaxEntries) cache_.clear();
  cache_.emplace(std::move(key), p);  // nullptr is cached too: the refusal does not change
  return p;
}

std::shared_ptr<OnednnChain::Prepared> OnednnChain::Build(std::span<const int64_t> x_shape) const {
  for (int64_t d : x_shape) {
    if (d <= 0) return nullptr;
  }
  auto p = std::make_shared<Prepared>();
  dnnl::engine& engine = OnednnEngine();
  dnnl::stream& stream = OnednnThreadStream();
  const auto kind = dnnl::prop_kind::forward_inference;
  int64_t n = x_shape[0], c = x_shape[1];
  std::vector<int64_t> spatial{x_shape[2], x_shape[3]};
  p->user_src = memory::desc({n, c, spatial[0], spatial[1]}, kF32, Tag::nchw);
  memory::desc prev = p->user_src;
  size_t bytes = 0;
  auto take = [&bytes](size_t size) {
    const size_t at = bytes;
    bytes += ScratchCarver::Round(size);
    return at;
  };
  for (const ChainStage& s : stages_) {
    Prepared::Step step;
    step.conv = s.kind == ChainStage::Kind::kConv;
    WindowAttrs attrs = s.attrs;
    std::vector<int64_t> kernel = attrs.kernel_shape;
    int64_t out_c = c;
    if (step.conv) {
      if (s.w_shape.size() != 4 || s.w_shape[1] * s.group != c || s.w_shape[0] % s.group != 0) return nullptr;
      kernel = {s.w_shape[2], s.w_shape[3]};
      out_c = s.w_shape[0];
    } else if (s.kind == ChainStage::Kind::kGlobalAveragePool) {
      attrs = WindowAttrs{};
      kernel = spatial;
    }
    Result<Window> window = PlanWindow(attrs, spatial, kernel);
    if (!window.ok() || window->rank != kSpatial) return nullptr;
    const Window& w = *window;
    memory::dims pad_r;
    if (!OnednnRightPads(w, &pad_r)) return nullptr;
    if (s.kind == ChainStage::Kind::kAveragePool && s.count_include_pad && pad_r != Axes(w.pad_end)) return nullptr;
    const memory::dims out_dims{n, out_c, w.out[1], w.out[2]};
    const memory::dims strides = Axes(w.stride), dilates = Axes(w.dilation, 1), pad_l = Axes(w.pad_begin);
    if (step.conv) {
      const bool grouped = s.group > 1;
      const memory::dims wdims = grouped ? memory::dims{s.group, out_c / s.group, c / s.group, kernel[0], kernel[1]}
                                         : memory::dims{out_c, c, kernel[0], kernel[1]};
      const memory::desc user_w(wdims, kF32, grouped ? Tag::goihw : Tag::oihw);
      step.bias_desc = memory::desc({out_c}, kF32, Tag::a);
      step.bias = s.bias;
      const Tag blocked = BlockedTag();
      const bool fixed = blocked != Tag::any && out_c % kBlock16 == 0 && (c == 1 || c % kBlock16 == 0);
      const memory::desc any_src({n, c, spatial[0], spatial[1]}, kF32, !fixed ? Tag::any : c == 1 ? Tag::nchw : blocked);
      const memory::desc any_dst(out_dims, kF32, fixed ? blocked : Tag::any), any_w(wdims, kF32, Tag::any);
      using Desc = dnnl::convolution_forward::desc;
      const auto algo = dnnl::algorithm::convolution_direct;
      const Desc desc = s.bias != nullptr
                            ? Desc(kind, algo, any_src, any_w, step.bias_desc, any_dst, strides, dilates, pad_l, pad_r)
                            : Desc(kind, algo, any_src, any_w, any_dst, strides, dilates, pad_l, pad_r);
      dnnl::primitive_attr attr;
      if (s.relu) {
        dnnl::post_ops ops;
        ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
        attr.set_post_ops(ops);
      }
      const dnnl::convolution_forward::primitive_desc pd(desc, attr, engine);
      step.primitive = dnnl::convolution_forward(pd);
      step.in = pd.src_desc();
      step.out = pd.dst_desc();
      memory user(user_w, engine, const_cast<float*>(s.w));
      if (pd.weights_desc() != user_w) {
        step.weights = memory(pd.weights_desc(), engine);
        dnnl::reorder(user, step.weights).execute(stream, user, step.weights);
        stream.wait();
      } else {
        step.weights = user;
      }
    } else {
      // Without padding both averages divide by the window size; oneDNN's include-padding
      // kernel is the faster one (no per-window divisor).
      const bool no_padding = pad_l == memory::dims{0, 0} && pad_r == memory::dims{0, 0};
      const auto algo = s.kind == ChainStage::Kind::kMaxPool ? dnnl::algorithm::pooling_max
                        : s.count_include_pad || no_padding  ? dnnl::algorithm::pooling_avg_include_padding
                                                             : dnnl::algorithm::pooling_avg_exclude_padding;
      const memory::desc any_dst(out_dims, kF32, Tag::any);
      const dnnl::pooling_v2_forward::desc desc(kind, algo, prev, any_dst, strides, Axes(w.kernel), dilates, pad_l,
                                                pad_r);
      const dnnl::pooling_v2_forward::primitive_desc pd(desc, engine);
      step.primitive = dnnl::pooling_v2_forward(pd);
      step.in = pd.src_desc();
      step.out = pd.dst_desc();
    }
    if (step.in != prev) {
      step.reorder_in = dnnl::reorder(dnnl::reorder::primitive_desc(engine, prev, engine, step.in));
      step.in_offset = take(step.in.get_size());
    }
    step.out_offset = take(step.out.get_size());
    prev = step.out;
    c = out_c;
    spatial = {w.out[1], w.out[2]};
    p->steps.push_back(std::move(step));
  }
  p->out_shape = {n, c, spatial[0], spatial[1]};
  p->user_dst = memory::desc({n, c, spatial[0], spatial[1]}, kF32, Tag::nchw);
  if (prev != p->user_dst) p->reorder_out = dnnl::reorder(dnnl::reorder::primitive_desc(engine, prev, engine, p->user_dst));
  p->scratch_bytes = bytes;
  return p;
}

Status OnednnChain::Run(const Prepared& p, const float* x, float* y, int threads) const {
  try {
    SetOnednnThreads(threads);
    dnnl::engine& engine = OnednnEngine();
    dnnl::stream& stream = OnednnThreadStream();
    std::byte* block = static_cast<std::byte*>(ThreadScratch(p.scratch_bytes));
    memory cur(p.user_src, engine, const_cast<float*>(x));
    const bool direct_out = !p.reorder_out;
    for (size_t i = 0; i < p.steps.size(); ++i) {
      const Prepared::Step& s = p.steps[i];
      if (s.reorder_in) {
        memory in(s.in, engine, block + s.in_offset);
        s.reorder_in.execute(stream, cur, in);
        cur = in;
      }
      const bool last = i + 1 == p.steps.size();
      memory out(s.out, engine, last && direct_out ? static_cast<void*>(y) : block + s.out_offset);
      std::unordered_map<int, memory> args{{DNNL_ARG_SRC, cur}, {DNNL_ARG_DST, out}};
      if (s.conv) {
        args.emplace(DNNL_ARG_WEIGHTS, s.weights);
        if (s.bias != nullptr) args.emplace(DNNL_ARG_BIAS, memory(s.bias_desc, engine, const_cast<float*>(s.bias)));
      }
      s.primitive.execute(stream, args);
      cur = out;
    }
    if (!direct_out) {
      memory user(p.user_dst, engine, y);
      p.reorder_out.execute(stream, cur, user);
    }
    stream.wait();
  } catch (const dnnl::error& err) {
    return Internal(std::string("oneDNN convolution chain failed: ") + err.what());
  }
  return Status::Ok();
}

}  // namespace finserve::runtime::onnx
