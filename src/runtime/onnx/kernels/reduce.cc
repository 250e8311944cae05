// Reductions: ReduceSum/Mean/Max/Min/Prod/SumSquare/L1/L2/LogSum/LogSumExp over any set of axes
// (attribute before opset 13 for ReduceSum, input from 13 on), and ArgMax/ArgMin. The input is
// viewed as [outer..., reduced..., inner...] through strides, so any axis set works in one pass.
// Accumulation is in double for floating types and in (wrapping) 64-bit for integers.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <type_traits>
#include <vector>

#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/misc_ops.h"
#include "runtime/onnx/kernels/saturate_cast.h"

namespace finserve::runtime::onnx {
namespace {

enum class ReduceKind { kSum, kMean, kMax, kMin, kProd, kSumSquare, kL1, kL2, kLogSum, kLogSumExp };

struct ReduceEntry {
  std::string_view op;
  ReduceKind kind;
};
constexpr ReduceEntry kReduceOps[] = {
    {"ReduceSum", ReduceKind::kSum},   {"ReduceMean", ReduceKind::kMean},   {"ReduceMax", ReduceKind::kMax},
    {"ReduceMin", ReduceKind::kMin},   {"ReduceProd", ReduceKind::kProd},   {"ReduceSumSquare", ReduceKind::kSumSquare},
    {"ReduceL1", ReduceKind::kL1},     {"ReduceL2", ReduceKind::kL2},       {"ReduceLogSum", ReduceKind::kLogSum},
    {"ReduceLogSumExp", ReduceKind::kLogSumExp},
};

// Splits the input's dims into kept (outer) and reduced ones, with strides for both.
struct ReducePlan {
  Dims out_shape;                       // with or without the kept 1s
  Dims kept_dims, reduced_dims;
  Dims kept_strides, reduced_strides;
  int64_t reduced_count = 1;
  // When the reduced axes are one adjacent run: the input is [outer, reduced_count, inner].
  bool one_run = false;
  int64_t outer = 1, inner = 1;
};

Result<ReducePlan> PlanReduce(const Dims& in, std::vector<int64_t> axes, bool keepdims, bool noop_empty) {
  std::vector<bool> reduce(in.size(), axes.empty() && !noop_empty);
  for (int64_t a : axes) {
    FS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(a, in.size()));
    reduce[axis] = true;
  }
  ReducePlan p;
  const Dims strides = RowMajorStrides(in);
  for (size_t d = 0; d < in.size(); ++d) {
    if (reduce[d]) {
      p.reduced_dims.push_back(in[d]);
      p.reduced_strides.push_back(strides[d]);
      p.reduced_count *= in[d];
      if (keepdims) p.out_shape.push_back(1);
    } else {
      p.kept_dims.push_back(in[d]);
      p.kept_strides.push_back(strides[d]);
      p.out_shape.push_back(in[d]);
    }
  }
  size_t first = in.size(), last = 0;
  for (size_t d = 0; d < in.size(); ++d) {
    if (reduce[d]) first = std::min(first, d), last = d;
  }
  if (first < in.size()) {
    p.one_run = true;
    for (size_t d = 0; d < in.size(); ++d) {
      if (d < first) p.outer *= in[d];
      if (d > last) p.inner *= in[d];
      if (d >= first && d <= last && !reduce[d]) p.one_run = false;
    }
  }
  return p;
}

// Calls fn(offset) for every element offset of an odometer over dims/strides starting at base.
template <typename Fn>
void Walk(const Dims& dims, const Dims& strides, int64_t base, Fn&& fn) {
  int64_t total = 1;
  for (int64_t d : dims) total *= d;
  Dims index(dims.size(), 0);
  int64_t offset = base;
  for (int64_t i = 0; i < total; ++i) {
    fn(offset);
    for (size_t d = dims.size(); d-- > 0;) {
      offset += strides[d];
      if (++index[d] < dims[d]) break;
      offset -= strides[d] * dims[d];
      index[d] = 0;
    }
  }
}

// Sum and mean of floats over one run of adjacent axes: whole rows of `inner` values are added
// into double accumulators, each output's terms in ReduceLoop's order (the reduced positions
// ascending), so the results are ReduceLoop's bit for bit; only the per-element odometer is gone.
template <typename T>
void SumRuns(ReduceKind kind, const T* in, const ReducePlan& p, T* out) {
  std::vector<double> acc(static_cast<size_t>(p.inner));
  const int64_t n = p.reduced_count, inner = p.inner;
  for (int64_t o = 0; o < p.outer; ++o) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int64_t r = 0; r < n; ++r) {
      const T* row = in + (o * n + r) * inner;
      for (int64_t i = 0; i < inner; ++i) acc[i] += static_cast<double>(row[i]);
    }
    T* dst = out + o * inner;
    for (int64_t i = 0; i < inner; ++i) {
      dst[i] = kind == ReduceKind::kMean ? SaturateCast<T>(acc[i] / static_cast<double>(n)) : static_cast<T>(acc[i]);
    }
  }
}

template <typename T>
Status ReduceLoop(ReduceKind kind, const TensorData& x, const ReducePlan& p, TensorData* y) {
  if constexpr (std::is_floating_point_v<T>) {
    if ((kind == ReduceKind::kSum || kind == ReduceKind::kMean) && p.one_run && p.reduced_count > 0) {
      SumRuns(kind, x.data_as<T>(), p, y->mutable_data_as<T>());
      return Status::Ok();
    }
  }
  using Acc = std::conditional_t<std::is_floating_point_v<T>, double, std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;
  using Wide = std::make_unsigned_t<std::conditional_t<std::is_floating_point_v<T>, int64_t, Acc>>;
  const T* in = x.data_as<T>();
  T* out = y->mutable_data_as<T>();
  int64_t o = 0;
  Status status;
  Walk(p.kept_dims, p.kept_strides, 0, [&](int64_t base) {
    const bool is_extreme = kind == ReduceKind::kMax || kind == ReduceKind::kMin;
    if (is_extreme && p.reduced_count == 0 && status.ok()) status = InvalidArgument("cannot take the max/min of an empty set");
    Acc acc = kind == ReduceKind::kProd ? Acc(1) : Acc(0);
    bool first = true;
    Walk(p.reduced_dims, p.reduced_strides, base, [&](int64_t off) {
      const Acc v = static_cast<Acc>(in[off]);
      auto add = [&](Acc a, Acc b) { return std::is_floating_point_v<Acc> ? a + b : static_cast<Acc>(static_cast<Wide>(a) + static_cast<Wide>(b)); };
      auto mul = [&](Acc a, Acc b) { return std::is_floating_point_v<Acc> ? a * b : static_cast<Acc>(static_cast<Wide>(a) * static_cast<Wide>(b)); };
      switch (kind) {
        case ReduceKind::kMax: acc = first || v > acc || v != v ? v : acc; break;
        case ReduceKind::kMin: acc = first || v < acc || v != v ? v : acc; break;
        case ReduceKind::kProd: acc = mul(acc, v); break;
        case ReduceKind::kSumSquare:
        case ReduceKind::kL2: acc = add(acc, mul(v, v)); break;
        case ReduceKind::kL1: acc = add(acc, v < Acc(0) ? Acc(0) - v : v); break;
        case ReduceKind::kLogSumExp: acc = add(acc, static_cast<Acc>(std::exp(static_cast<double>(v)))); break;
        default: acc = add(acc, v); break;
      }
      first = false;
    });
    double r = static_cast<double>(acc);
    if (kind == ReduceKind::kMean) r = p.reduced_count ? r / static_cast<double>(p.reduced_count) : std::nan("");
    if (kind == ReduceKind::kL2) r = std::sqrt(r);
    if (kind == ReduceKind::kLogSum || kind == ReduceKind::kLogSumExp) r = std::log(r);
    const bool exact = kind == ReduceKind::kSum || kind == ReduceKind::kMax || kind == ReduceKind::kMin ||
                       kind == ReduceKind::kProd || kind == ReduceKind::kSumSquare || kind == ReduceKind::kL1;
    out[o++] = exact ? static_cast<T>(acc) : SaturateCast<T>(r);
  });
  return status;
}

class ReduceKernel final : public Kernel {
 public:
  using Loop = Status (*)(ReduceKind, const TensorData&, const ReducePlan&, TensorData*);
  ReduceKernel(ReduceKind kind, Loop loop, std::vector<int64_t> axes, bool axes_from_input, bool keepdims, bool noop_empty)
      : kind_(kind), loop_(loop), axes_(std::move(axes)), axes_from_input_(axes_from_input), keepdims_(keepdims), noop_empty_(noop_empty) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    std::vector<int64_t> axes = axes_;
    if (axes_from_input_ && ctx.input(1) != nullptr) {
      FS_ASSIGN_OR_RETURN(axes, ReadInts(*ctx.input(1)));
    }
    FS_ASSIGN_OR_RETURN(ReducePlan p, PlanReduce(x.shape, axes, keepdims_, noop_empty_));
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, p.out_shape));
    return loop_(kind_, x, p, y);
  }

 private:
  ReduceKind kind_;
  Loop loop_;
  std::vector<int64_t> axes_;
  bool axes_from_input_, keepdims_, noop_empty_;
};

template <typename T>
void ArgLoop(bool max, bool last, const TensorData& x, const ReducePlan& p, TensorData* y) {
  const T* in = x.data_as<T>();
  int64_t* out = y->mutable_data_as<int64_t>();
  int64_t o = 0;
  Walk(p.kept_dims, p.kept_strides, 0, [&](int64_t base) {
    int64_t best = 0, i = 0;
    T best_v{};
    Walk(p.reduced_dims, p.reduced_strides, base, [&](int64_t off) {
      const T v = in[off];
      const bool better = i == 0 || (max ? (v > best_v || (last && v == best_v)) : (v < best_v || (last && v == best_v)));
      if (better) {
        best = i;
        best_v = v;
      }
      ++i;
    });
    out[o++] = best;
  });
}

class ArgKernel final : public Kernel {
 public:
  using Loop = void (*)(bool, bool, const TensorData&, const ReducePlan&, TensorData*);
  ArgKernel(Loop loop, bool max, int64_t axis, bool keepdims, bool last)
      : loop_(loop), max_(max), axis_(axis), keepdims_(keepdims), last_(last) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(int axis, NormalizeAxis(axis_, x.rank()));
    if (x.shape[axis] == 0) return InvalidArgument("ArgMax/ArgMin over an empty axis");
    FS_ASSIGN_OR_RETURN(ReducePlan p, PlanReduce(x.shape, {axis}, keepdims_, false));
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, p.out_shape));
    loop_(max_, last_, x, p, y);
    return Status::Ok();
  }

 private:
  Loop loop_;
  bool max_;
  int64_t axis_;
  bool keepdims_, last_;
};

}  // namespace

Result<std::unique_ptr<Kernel>> CreateReduce(const KernelInfo& info) {
  const ReduceEntry* entry = nullptr;
  for (const ReduceEntry& e : kReduceOps) {
    if (e.op == info.node->op_type) entry = &e;
  }
  if (entry == nullptr) return info.Unsupported("not a reduction");
  FS_ASSIGN_OR_RETURN(ReduceKernel::Loop loop, DispatchNumeric<ReduceKernel::Loop>(info.input_type(0), [](auto tag) -> ReduceKernel::Loop {
                        return &ReduceLoop<typename decltype(tag)::type>;
                      }));
  FS_ASSIGN_OR_RETURN(std::vector<int64_t> axes, info.attrs().GetInts("axes"));
  FS_ASSIGN_OR_RETURN(int64_t keepdims, info.attrs().GetInt("keepdims", 1));
  FS_ASSIGN_OR_RETURN(int64_t noop, info.attrs().GetInt("noop_with_empty_axes", 0));
  const bool from_input = entry->kind == ReduceKind::kSum && info.opset() >= 13;
  return std::unique_ptr<Kernel>(new ReduceKernel(entry->kind, loop, std::move(axes), from_input, keepdims != 0, noop != 0));
}

Result<std::unique_ptr<Kernel>> CreateArgMinMax(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(ArgKernel::Loop loop, DispatchNumeric<ArgKernel::Loop>(info.input_type(0), [](auto tag) -> ArgKernel::Loop {
                        return &ArgLoop<typename decltype(tag)::type>;
                      }));
  FS_ASSIGN_OR_RETURN(int64_t axis, info.attrs().GetInt("axis", 0));
  FS_ASSIGN_OR_RETURN(int64_t keepdims, info.attrs().GetInt("keepdims", 1));
  FS_ASSIGN_OR_RETURN(int64_t last, info.attrs().GetInt("select_last_index", 0));
  return std::unique_ptr<Kernel>(new ArgKernel(loop, info.node->op_type == "ArgMax", axis, keepdims != 0, last != 0));
}

}  // namespace finserve::runtime::onnx
