// Numpy-style multidirectional broadcasting for elementwise kernels.
//
// BroadcastShape() computes the output shape of K inputs (or says which dims disagree).
// ForEachRun() walks the output in row-major order as runs along the innermost (merged)
// dimension and calls fn(out_offset, in_offsets, length, in_steps) where each in_step is 0
// (the input repeats along the run) or 1; kernels write tight loops for each run.
// Pure functions; thread-safe.
#pragma once

#include <algorithm>
#include <array>
#include <span>
#include <string>

#include "core/shape.h"
#include "core/status.h"
#include "runtime/onnx/tensor_data.h"

namespace finserve::runtime::onnx {

inline Result<Dims> BroadcastShape(std::span<const Dims* const> shapes) {
  size_t rank = 0;
  for (const Dims* s : shapes) rank = std::max(rank, s->size());
  Dims out(rank, 1);
  for (const Dims* s : shapes) {
    const size_t pad = rank - s->size();
    for (size_t d = 0; d < s->size(); ++d) {
      const int64_t dim = (*s)[d];
      int64_t& o = out[pad + d];
      if (dim == o || dim == 1) continue;
      if (o == 1) {
        o = dim;
        continue;
      }
      std::string all;
      for (const Dims* t : shapes) all += (all.empty() ? "" : " and ") + DimsToString(*t);
      return InvalidArgument("shapes " + all + " cannot be broadcast together");
    }
  }
  return out;
}

template <size_t K, typename Fn>
void ForEachRun(const Dims& out_shape, const std::array<const Dims*, K>& in, Fn&& fn) {
  int64_t total = 1;
  for (int64_t d : out_shape) total *= d;
  if (total == 0) return;
  // Per input, the stride of each output dim (0 where the input is broadcast); dims of size 1
  // are dropped since they never move an offset.
  Dims out;
  std::array<Dims, K> strides;
  std::array<Dims, K> full;
  for (size_t k = 0; k < K; ++k) {
    full[k].assign(out_shape.size(), 0);
    const size_t pad = out_shape.size() - in[k]->size();
    int64_t s = 1;
    for (size_t d = in[k]->size(); d-- > 0;) {
      full[k][pad + d] = (*in[k])[d] == 1 ? 0 : s;
      s *= (*in[k])[d];
    }
  }
  for (size_t d = 0; d < out_shape.size(); ++d) {
    if (out_shape[d] == 1) continue;
    out.push_back(out_shape[d]);
    for (size_t k = 0; k < K; ++k) strides[k].push_back(full[k][d]);
  }
  const size_t rank = out.size();
  // Merge trailing dims into one run while every input is contiguous or constant across them.
  int64_t run = rank ? out[rank - 1] : 1;
  std::array<int64_t, K> step{};
  for (size_t k = 0; k < K; ++k) step[k] = rank && strides[k][rank - 1] != 0 ? 1 : 0;
  size_t inner = rank ? rank - 1 : 0;
  while (inner > 0) {
    const size_t d = inner - 1;
    bool mergeable = true;
    for (size_t k = 0; k < K && mergeable; ++k) {
      mergeable = step[k] == 0 ? strides[k][d] == 0 : strides[k][d] == run;
    }
    if (!mergeable) break;
    run *= out[d];
    --inner;
  }
  Dims index(inner, 0);
  std::array<int64_t, K> offsets{};
  for (int64_t o = 0; o < total; o += run) {
    fn(o, offsets, run, step);
    for (size_t d = inner; d-- > 0;) {
      for (size_t k = 0; k < K; ++k) offsets[k] += strides[k][d];
      if (++index[d] < out[d]) break;
      for (size_t k = 0; k < K; ++k) offsets[k] -= strides[k][d] * out[d];
      index[d] = 0;
    }
  }
}

}  // namespace finserve::runtime::onnx
