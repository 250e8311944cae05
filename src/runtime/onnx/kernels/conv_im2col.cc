// ConvIm2col (im2col + Gemm) and the Conv() dispatcher.
#include <Eigen/Core>
#include <algorithm>
#include <cstring>

#include "runtime/onnx/kernels/conv.h"
#include "runtime/onnx/kernels/gemm.h"
#include "runtime/onnx/kernels/scratch.h"

namespace finserve::runtime::onnx {
namespace {

// First output index along an axis whose input position o*s + k*d - pad is >= 0, and one past
// the last whose position is < in: the outputs in between read real input, the rest padding.
struct Valid {
  int64_t lo, hi;
};
Valid ValidRange(int64_t out, int64_t s, int64_t offset, int64_t in) {
  // position(o) = o*s + offset; need 0 <= position < in.
  int64_t lo = offset >= 0 ? 0 : (-offset + s - 1) / s;
  int64_t hi = in - offset <= 0 ? 0 : (in - offset + s - 1) / s;
  lo = std::min(lo, out);
  hi = std::clamp(hi, lo, out);
  return {lo, hi};
}

// Writes the im2col matrix of one image and group: rows (c, kd, kh, kw), columns (od, oh, ow).
template <typename T>
void Im2col(const Window& w, const T* x, int64_t channels, T* col) {
  const int64_t in_plane = w.in_size(), out_plane = w.out_size();
  const int64_t ow_n = w.out[2];
  for (int64_t c = 0; c < channels; ++c) {
    const T* xc = x + c * in_plane;
    for (int64_t kd = 0; kd < w.kernel[0]; ++kd) {
      for (int64_t kh = 0; kh < w.kernel[1]; ++kh) {
        for (int64_t kw = 0; kw < w.kernel[2]; ++kw, col += out_plane) {
          const int64_t off_d = kd * w.dilation[0] - w.pad_begin[0];
          const int64_t off_h = kh * w.dilation[1] - w.pad_begin[1];
          const int64_t off_w = kw * w.dilation[2] - w.pad_begin[2];
          const Valid vw = ValidRange(ow_n, w.stride[2], off_w, w.in[2]);
          T* dst = col;
          for (int64_t od = 0; od < w.out[0]; ++od) {
            const int64_t id = od * w.stride[0] + off_d;
            for (int64_t oh = 0; oh < w.out[1]; ++oh, dst += ow_n) {
              const int64_t ih = oh * w.stride[1] + off_h;
              if (id < 0 || id >= w.in[0] || ih < 0 || ih >= w.in[1]) {
                std::fill(dst, dst + ow_n, T(0));
                continue;
              }
              const T* row = xc + (id * w.in[1] + ih) * w.in[2] + off_w;
              std::fill(dst, dst + vw.lo, T(0));
              if (w.stride[2] == 1) {
                // Rows are short (the output width): an inline vector copy, not a memcpy call.
                Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(dst + vw.lo, vw.hi - vw.lo) =
                    Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(row + vw.lo, vw.hi - vw.lo);
              } else {
                for (int64_t ow = vw.lo; ow < vw.hi; ++ow) dst[ow] = row[ow * w.stride[2]];
              }
              std::fill(dst + vw.hi, dst + ow_n, T(0));
            }
          }
        }
      }
    }
  }
}

bool IsPointwise(const Window& w) {
  for (int d = 0; d < kMaxWindowRank; ++d) {
    if (w.kernel[d] != 1 || w.stride[d] != 1 || w.pad_begin[d] != 0 || w.pad_end[d] != 0) return false;
  }
  return true;
}

}  // namespace

std::string_view ConvPathName(ConvPath path) {
  switch (path) {
    case ConvPath::kReference: return "reference";
    case ConvPath::kIm2col: return "im2col";
    case ConvPath::kOnednn: return "onednn";
  }
  return "unknown";
}

ConvPath ChooseConvPath(const ConvArgs<float>& a) {
  if (a.batch == 0 || a.out_channels == 0 || a.window.out_size() == 0 || a.in_channels == 0) return ConvPath::kIm2col;
  return a.macs() >= kConvOnednnMinMacs ? ConvPath::kOnednn : ConvPath::kIm2col;
}

template <typename T>
Status ConvIm2col(const ConvArgs<T>& a, int threads) {
  const Window& w = a.window;
  const int64_t cg = a.in_channels / a.group, mg = a.out_channels / a.group;
  const int64_t rows = cg * w.kernel_size(), out_plane = w.out_size(), in_plane = w.in_size();
  const bool pointwise = IsPointwise(w);
  T* col = pointwise ? nullptr : static_cast<T*>(ThreadScratch(static_cast<size_t>(rows * out_plane) * sizeof(T)));
  GemmArgs<T> g;
  g.m = mg, g.n = out_plane, g.k = rows;
  g.lda = rows, g.ldb = out_plane, g.ldc = out_plane;
  g.beta = a.bias != nullptr ? T(1) : T(0);
  for (int64_t n = 0; n < a.batch; ++n) {
    T* y = a.y + n * a.out_channels * out_plane;
    if (a.bias != nullptr) {
      for (int64_t m = 0; m < a.out_channels; ++m) std::fill(y + m * out_plane, y + (m + 1) * out_plane, a.bias[m]);
    }
    for (int64_t grp = 0; grp < a.group; ++grp) {
      const T* x = a.x + (n * a.in_channels + grp * cg) * in_plane;
      if (!pointwise) Im2col(w, x, cg, col);
      g.a = a.w + grp * mg * rows;
      g.b = pointwise ? x : col;
      g.c = y + grp * mg * out_plane;
      FS_RETURN_IF_ERROR(Gemm(g, threads));
    }
  }
  return Status::Ok();
}

template <typename T>
Status Conv(const ConvArgs<T>& a, const OnednnConv* onednn, int threads) {
  if constexpr (std::is_same_v<T, float>) {
    if (onednn != nullptr && ChooseConvPath(a) == ConvPath::kOnednn) return onednn->Run(a, threads);
  }
  return ConvIm2col(a, threads);
}

template Status ConvIm2col<float>(const ConvArgs<float>&, int);
template Status ConvIm2col<double>(const ConvArgs<double>&, int);
template Status Conv<float>(const ConvArgs<float>&, const OnednnConv*, int);
template Status Conv<double>(const ConvArgs<double>&, const OnednnConv*, int);

}  // namespace finserve::runtime::onnx
