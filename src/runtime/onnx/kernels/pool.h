// Pooling on the CPU: MaxPool (with dilations and the optional Indices output) and AveragePool
// (count_include_pad) over 1-3 spatial axes, and the global variants.
//
//   max      Y[n, c, o] = max over the window's taps inside X (NaNs are skipped, as in ONNX's
//            reference and ONNX Runtime; a window of only NaNs gives the type's lowest value);
//            Indices = flat index of the first maximum into X, the spatial part row-major
//            (storage_order 0) or column-major (storage_order 1).
//   average  Y = sum of the taps inside X / count, count = taps inside X, or with
//            count_include_pad the taps inside the padded extent [-pad_begin, in + pad_end)
//            (so a ceil_mode window hanging past the end padding is not charged for it).
//
// PoolFast clips every window once per axis and runs tight loops over the valid taps;
// PoolReference (kernels/reference/pool_ref.h) bounds-checks each tap: the twins.
// GlobalPool reduces each [n, c] plane; its max propagates NaN (numpy's max, which ONNX's
// reference for GlobalMaxPool uses). Pure functions; thread-safe.
#pragma once

#include <cstdint>

#include "runtime/onnx/kernels/window.h"

namespace finserve::runtime::onnx {

enum class PoolKind { kMax, kAverage };

template <typename T>
struct PoolArgs {
  Window window;
  PoolKind kind = PoolKind::kMax;
  bool count_include_pad = false;
  bool column_major_indices = false;  // storage_order 1
  int64_t batch = 0, channels = 0;
  const T* x = nullptr;           // [batch, channels, in...]
  T* y = nullptr;                 // [batch, channels, out...]
  int64_t* indices = nullptr;     // same shape as y, or nullptr
};

template <typename T>
void PoolFast(const PoolArgs<T>& args);

// planes = N * C, plane = product of the spatial dims (> 0 for kMax).
template <typename T>
void GlobalPool(PoolKind kind, const T* x, int64_t planes, int64_t plane, T* y);

}  // namespace finserve::runtime::onnx
