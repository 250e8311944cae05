// PoolReference: the plain twin of PoolFast (kernels/pool.h), written for obviousness: every
// output element visits every tap of its window in (kd, kh, kw) order and checks each against
// the input and the padded extent. Sums in double. Used by the twin tests. Thread-safe.
#pragma once

#include <limits>

#include "runtime/onnx/kernels/pool.h"

namespace finserve::runtime::onnx {

template <typename T>
void PoolReference(const PoolArgs<T>& a) {
  const Window& w = a.window;
  const int64_t in_plane = w.in_size(), out_plane = w.out_size();
  for (int64_t p = 0; p < a.batch * a.channels; ++p) {
    for (int64_t o = 0; o < out_plane; ++o) {
      const int64_t out_idx[3] = {o / (w.out[1] * w.out[2]), o / w.out[2] % w.out[1], o % w.out[2]};
      double sum = 0;
      int64_t inside = 0, padded = 0, best_at = -1, first_inside = -1;
      T best = std::numeric_limits<T>::lowest();
      for (int64_t k = 0; k < w.kernel_size(); ++k) {
        const int64_t tap[3] = {k / (w.kernel[1] * w.kernel[2]), k / w.kernel[2] % w.kernel[1], k % w.kernel[2]};
        int64_t pos[3];
        bool in_x = true, in_padded = true;
        for (int d = 0; d < 3; ++d) {
          pos[d] = out_idx[d] * w.stride[d] + tap[d] * w.dilation[d] - w.pad_begin[d];
          in_x = in_x && pos[d] >= 0 && pos[d] < w.in[d];
          in_padded = in_padded && pos[d] >= -w.pad_begin[d] && pos[d] < w.in[d] + w.pad_end[d];
        }
        padded += in_padded ? 1 : 0;
        if (!in_x) continue;
        ++inside;
        const int64_t at = (pos[0] * w.in[1] + pos[1]) * w.in[2] + pos[2];
        if (first_inside < 0) first_inside = at;
        const T v = a.x[p * in_plane + at];
        sum += static_cast<double>(v);
        if (best_at < 0 && !(v != v)) best_at = at, best = v;
        if (v > best) best_at = at, best = v;
      }
      T& y = a.y[p * out_plane + o];
      if (a.kind == PoolKind::kAverage) {
        const int64_t n = a.count_include_pad ? padded : inside;
        y = static_cast<T>(n > 0 ? sum / static_cast<double>(n) : 0.0);
        continue;
      }
      y = best;
      if (a.indices == nullptr) continue;
      if (best_at < 0) best_at = first_inside;  // a window of NaNs only: its first tap
      const int64_t bd = best_at / (w.in[1] * w.in[2]), bh = best_at / w.in[2] % w.in[1], bw = best_at % w.in[2];
      a.indices[p * out_plane + o] = p * in_plane + (a.column_major_indices ? (bw * w.in[1] + bh) * w.in[0] + bd : best_at);
    }
  }
}

}  // namespace finserve::runtime::onnx
