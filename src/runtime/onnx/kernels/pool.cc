// MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool: PoolFast/GlobalPool and the kernels.
#include "runtime/onnx/kernels/pool.h"

#include <algorithm>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "core/shape.h"
#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/nn_ops.h"

namespace finserve::runtime::onnx {
namespace {

// The taps of one window along one axis: `count` input positions first, first + d, ...
// inside X, and `padded` taps inside the padded extent.
struct AxisTaps {
  int64_t first = 0, count = 0, padded = 0;
};

int64_t CeilDiv(int64_t a, int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

std::vector<AxisTaps> PlanAxis(const Window& w, int d) {
  std::vector<AxisTaps> taps(static_cast<size_t>(w.out[d]));
  const int64_t in = w.in[d], k = w.kernel[d], dil = w.dilation[d];
  for (int64_t o = 0; o < w.out[d]; ++o) {
    const int64_t start = o * w.stride[d] - w.pad_begin[d];
    const int64_t lo = start >= 0 ? 0 : CeilDiv(-start, dil);
    const int64_t hi = std::min(k, CeilDiv(in - start, dil));
    const int64_t padded_lo = start >= -w.pad_begin[d] ? 0 : CeilDiv(-w.pad_begin[d] - start, dil);
    const int64_t padded_hi = std::min(k, CeilDiv(in + w.pad_end[d] - start, dil));
    AxisTaps& t = taps[static_cast<size_t>(o)];
    t.first = start + lo * dil;
    t.count = std::max<int64_t>(0, hi - lo);
    t.padded = std::max<int64_t>(0, padded_hi - padded_lo);
  }
  return taps;
}

template <typename T>
struct Best {
  T value = std::numeric_limits<T>::lowest();
  int64_t offset = -1;  // spatial offset of the maximum, row-major
};

template <typename T>
void PoolPlane(const PoolArgs<T>& a, const std::vector<AxisTaps> (&taps)[3], const T* x, T* y, int64_t* idx,
               int64_t index_base) {
  const Window& w = a.window;
  const int64_t H = w.in[1], W = w.in[2], D = w.in[0];
  for (int64_t od = 0; od < w.out[0]; ++od) {
    const AxisTaps& td = taps[0][od];
    for (int64_t oh = 0; oh < w.out[1]; ++oh) {
      const AxisTaps& th = taps[1][oh];
      for (int64_t ow = 0; ow < w.out[2]; ++ow, ++y) {
        const AxisTaps& tw = taps[2][ow];
        if (a.kind == PoolKind::kAverage) {
          double sum = 0;
          for (int64_t jd = 0; jd < td.count; ++jd) {
            for (int64_t jh = 0; jh < th.count; ++jh) {
              const T* row = x + ((td.first + jd * w.dilation[0]) * H + th.first + jh * w.dilation[1]) * W + tw.first;
              for (int64_t jw = 0; jw < tw.count; ++jw) sum += static_cast<double>(row[jw * w.dilation[2]]);
            }
          }
          const int64_t n = a.count_include_pad ? td.padded * th.padded * tw.padded : td.count * th.count * tw.count;
          *y = static_cast<T>(n > 0 ? sum / static_cast<double>(n) : 0.0);
          continue;
        }
        Best<T> best;
        for (int64_t jd = 0; jd < td.count; ++jd) {
          for (int64_t jh = 0; jh < th.count; ++jh) {
            const int64_t row_offset = ((td.first + jd * w.dilation[0]) * H + th.first + jh * w.dilation[1]) * W + tw.first;
            const T* row = x + row_offset;
            for (int64_t jw = 0; jw < tw.count; ++jw) {
              const T v = row[jw * w.dilation[2]];
              if (v > best.value || (best.offset < 0 && !(v != v))) best = {v, row_offset + jw * w.dilation[2]};
            }
          }
        }
        *y = best.value;
        if (idx == nullptr) continue;
        if (best.offset < 0) best.offset = (td.first * H + th.first) * W + tw.first;  // all NaN: the first tap
        const int64_t bd = best.offset / (H * W), bh = best.offset / W % H, bw = best.offset % W;
        *idx++ = index_base + (a.column_major_indices ? (bw * H + bh) * D + bd : best.offset);
      }
    }
  }
}

Status CheckPoolInput(const TensorData& x, const char* op) {
  if (x.rank() < 3 || x.rank() > 2 + static_cast<size_t>(kMaxWindowRank)) {
    return InvalidArgument(std::string(op) + ": X must have rank 3 to 5 ([N, C, spatial...]), got " + DimsToString(x.shape));
  }
  return Status::Ok();
}

template <typename T>
class PoolKernel final : public Kernel {
 public:
  PoolKernel(WindowAttrs attrs, PoolKind kind, bool count_include_pad, bool column_major)
      : attrs_(std::move(attrs)), kind_(kind), count_include_pad_(count_include_pad), column_major_(column_major) {}

  Status Compute(KernelContext& ctx) const override {
    const char* op = kind_ == PoolKind::kMax ? "MaxPool" : "AveragePool";
    const TensorData& x = ctx.Input(0);
    FS_RETURN_IF_ERROR(CheckPoolInput(x, op));
    const std::span<const int64_t> xs = x.shape;
    Result<Window> window = PlanWindow(attrs_, xs.subspan(2), attrs_.kernel_shape);
    if (!window.ok()) return window.status().WithContext(op);
    PoolArgs<T> a;
    a.window = *window, a.kind = kind_, a.count_include_pad = count_include_pad_, a.column_major_indices = column_major_;
    a.batch = x.shape[0], a.channels = x.shape[1];
    Dims out{a.batch, a.channels};
    for (int64_t d : a.window.OutDims()) out.push_back(d);
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, out));
    if (ctx.has_output(1)) {
      FS_ASSIGN_OR_RETURN(TensorData * indices, ctx.Output(1, out));
      a.indices = indices->mutable_data_as<int64_t>();
    }
    a.x = x.data_as<T>(), a.y = y->mutable_data_as<T>();
    PoolFast(a);
    return Status::Ok();
  }

 private:
  WindowAttrs attrs_;
  PoolKind kind_;
  bool count_include_pad_, column_major_;
};

template <typename T>
class GlobalPoolKernel final : public Kernel {
 public:
  explicit GlobalPoolKernel(PoolKind kind) : kind_(kind) {}
  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    if (x.rank() < 3) return InvalidArgument("global pooling: X must have rank >= 3 ([N, C, spatial...]), got " + DimsToString(x.shape));
    const int64_t plane = Product(x.shape, 2, x.rank());
    if (plane == 0 && kind_ == PoolKind::kMax) return InvalidArgument("GlobalMaxPool over an empty spatial extent " + DimsToString(x.shape));
    Dims out(x.rank(), 1);
    out[0] = x.shape[0], out[1] = x.shape[1];
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, out));
    GlobalPool(kind_, x.data_as<T>(), x.shape[0] * x.shape[1], plane, y->mutable_data_as<T>());
    return Status::Ok();
  }

 private:
  PoolKind kind_;
};

template <template <typename> class K, typename... Args>
Result<std::unique_ptr<Kernel>> MakeTyped(const KernelInfo& info, Args&&... args) {
  switch (info.input_type(0)) {
    case DataType::kFp32: return std::unique_ptr<Kernel>(new K<float>(std::forward<Args>(args)...));
    case DataType::kFp64: return std::unique_ptr<Kernel>(new K<double>(std::forward<Args>(args)...));
    case DataType::kInt8: return std::unique_ptr<Kernel>(new K<int8_t>(std::forward<Args>(args)...));
    case DataType::kUint8: return std::unique_ptr<Kernel>(new K<uint8_t>(std::forward<Args>(args)...));
    default: return info.Unsupported("no loop for element type " + std::string(DataTypeName(info.input_type(0))));
  }
}

}  // namespace

namespace {

// What CNNs use: 2-D windows without dilation and without Indices.
template <typename T>
bool IsPlain2d(const PoolArgs<T>& a) {
  const Window& w = a.window;
  return a.indices == nullptr && w.in[0] == 1 && w.kernel[0] == 1 && w.out[0] == 1 && w.dilation[1] == 1 &&
         w.dilation[2] == 1;
}

// Max: per output row, the window's input rows are first combined element-wise into `acc` (a
// loop the compiler vectorises), then each output takes the max of its columns of `acc`. NaNs
// are skipped as in PoolPlane (`v > m ? v : m` keeps m for a NaN v); an output that comes out
// -inf is redone by PoolPlane, which tells "only NaNs" (lowest()) from a real -inf.
template <typename T>
void MaxPlane2d(const PoolArgs<T>& a, const std::vector<AxisTaps> (&taps)[3], const T* x, T* y, T* acc) {
  const Window& w = a.window;
  const int64_t W = w.in[2], out_w = w.out[2];
  constexpr T kMinusInf = -std::numeric_limits<T>::infinity();
  // Kernel 2, stride 2, no padding along the row (the usual 2x2 pooling): a fixed-shape loop.
  const bool pairs = w.kernel[2] == 2 && w.stride[2] == 2 && w.pad_begin[2] == 0 && 2 * out_w <= W;
  for (int64_t oh = 0; oh < w.out[1]; ++oh, y += out_w) {
    const AxisTaps& th = taps[1][oh];
    T* __restrict row_max = acc;
    std::fill(row_max, row_max + W, kMinusInf);
    for (int64_t jh = 0; jh < th.count; ++jh) {
      const T* __restrict row = x + (th.first + jh) * W;
      for (int64_t i = 0; i < W; ++i) row_max[i] = row[i] > row_max[i] ? row[i] : row_max[i];
    }
    T* __restrict out = y;
    if (pairs) {
      for (int64_t ow = 0; ow < out_w; ++ow) {
        const T l = row_max[2 * ow], r = row_max[2 * ow + 1];
        out[ow] = r > l ? r : l;
      }
    } else {
      for (int64_t ow = 0; ow < out_w; ++ow) {
        const AxisTaps& tw = taps[2][ow];
        T m = kMinusInf;
        for (int64_t jw = 0; jw < tw.count; ++jw) m = row_max[tw.first + jw] > m ? row_max[tw.first + jw] : m;
        out[ow] = m;
      }
    }
    for (int64_t ow = 0; ow < out_w; ++ow) {
      if (y[ow] == kMinusInf) {  // only NaNs, or a real -inf: PoolPlane on this one output
        PoolArgs<T> one = a;
        one.window.out[1] = 1, one.window.out[2] = 1;
        const std::vector<AxisTaps> cell[3] = {taps[0], {th}, {taps[2][ow]}};
        PoolPlane(one, cell, x, y + ow, nullptr, 0);
      }
    }
  }
}

// Average: the taps of each output in PoolPlane's order (rows, then columns), summed in double,
// so the result is PoolPlane's bit for bit; only the loop overhead is gone.
template <typename T>
void AveragePlane2d(const PoolArgs<T>& a, const std::vector<AxisTaps> (&taps)[3], const T* x, T* y) {
  const Window& w = a.window;
  const int64_t W = w.in[2];
  for (int64_t oh = 0; oh < w.out[1]; ++oh) {
    const AxisTaps& th = taps[1][oh];
    for (int64_t ow = 0; ow < w.out[2]; ++ow, ++y) {
      const AxisTaps& tw = taps[2][ow];
      double sum = 0;
      for (int64_t jh = 0; jh < th.count; ++jh) {
        const T* row = x + (th.first + jh) * W + tw.first;
        for (int64_t jw = 0; jw < tw.count; ++jw) sum += static_cast<double>(row[jw]);
      }
      const int64_t n = a.count_include_pad ? th.padded * tw.padded : th.count * tw.count;
      *y = static_cast<T>(n > 0 ? sum / static_cast<double>(n) : 0.0);
    }
  }
}

}  // namespace

template <typename T>
void PoolFast(const PoolArgs<T>& a) {
  const Window& w = a.window;
  const std::vector<AxisTaps> taps[3] = {PlanAxis(w, 0), PlanAxis(w, 1), PlanAxis(w, 2)};
  const int64_t in_plane = w.in_size(), out_plane = w.out_size();
  if constexpr (std::is_floating_point_v<T>) {
    if (IsPlain2d(a)) {
      std::vector<T> acc(static_cast<size_t>(w.in[2]));
      for (int64_t p = 0; p < a.batch * a.channels; ++p) {
        if (a.kind == PoolKind::kMax) {
          MaxPlane2d(a, taps, a.x + p * in_plane, a.y + p * out_plane, acc.data());
        } else {
          AveragePlane2d(a, taps, a.x + p * in_plane, a.y + p * out_plane);
        }
      }
      return;
    }
  }
  for (int64_t p = 0; p < a.batch * a.channels; ++p) {
    PoolPlane(a, taps, a.x + p * in_plane, a.y + p * out_plane, a.indices ? a.indices + p * out_plane : nullptr,
              p * in_plane);
  }
}

template <typename T>
void GlobalPool(PoolKind kind, const T* x, int64_t planes, int64_t plane, T* y) {
  for (int64_t p = 0; p < planes; ++p, x += plane) {
    if (kind == PoolKind::kMax) {
      T best = x[0];
      for (int64_t i = 1; i < plane; ++i) best = x[i] > best || x[i] != x[i] ? x[i] : best;  // NaN sticks
      y[p] = best;
    } else {
      double sum = 0;
      for (int64_t i = 0; i < plane; ++i) sum += static_cast<double>(x[i]);
      y[p] = static_cast<T>(sum / static_cast<double>(plane));
    }
  }
}

#define FS_POOL_INSTANTIATE(T)                        \
  template void PoolFast<T>(const PoolArgs<T>&);      \
  template void GlobalPool<T>(PoolKind, const T*, int64_t, int64_t, T*);
FS_POOL_INSTANTIATE(float)
FS_POOL_INSTANTIATE(double)
FS_POOL_INSTANTIATE(int8_t)
FS_POOL_INSTANTIATE(uint8_t)
#undef FS_POOL_INSTANTIATE

Result<std::unique_ptr<Kernel>> CreateMaxPool(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(WindowAttrs attrs, ReadWindowAttrs(info, /*pooling=*/true));
  FS_ASSIGN_OR_RETURN(int64_t storage_order, info.attrs().GetInt("storage_order", 0));
  if (storage_order != 0 && storage_order != 1) {
    return info.Error("attribute 'storage_order' must be 0 (row major) or 1 (column major), got " + std::to_string(storage_order));
  }
  return MakeTyped<PoolKernel>(info, std::move(attrs), PoolKind::kMax, false, storage_order == 1);
}

Result<std::unique_ptr<Kernel>> CreateAveragePool(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(WindowAttrs attrs, ReadWindowAttrs(info, /*pooling=*/true));
  if (!attrs.dilations.empty()) return info.Unsupported("AveragePool 'dilations' exist from opset 19 on");
  FS_ASSIGN_OR_RETURN(int64_t count_include_pad, info.attrs().GetInt("count_include_pad", 0));
  if (info.input_type(0) != DataType::kFp32 && info.input_type(0) != DataType::kFp64) {
    return info.Unsupported("AveragePool on " + std::string(DataTypeName(info.input_type(0))));
  }
  return MakeTyped<PoolKernel>(info, std::move(attrs), PoolKind::kAverage, count_include_pad != 0, false);
}

Result<std::unique_ptr<Kernel>> CreateGlobalPool(const KernelInfo& info) {
  const PoolKind kind = info.node->op_type == "GlobalMaxPool" ? PoolKind::kMax : PoolKind::kAverage;
  if (info.input_type(0) != DataType::kFp32 && info.input_type(0) != DataType::kFp64) {
    return info.Unsupported(info.node->op_type + " on " + std::string(DataTypeName(info.input_type(0))));
  }
  return MakeTyped<GlobalPoolKernel>(info, kind);
}

}  // namespace finserve::runtime::onnx
