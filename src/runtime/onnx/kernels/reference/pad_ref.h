// PadReference: the plain twin of PadFast (kernels/pad.h): every output element found on its own
// through PadSourceIndex, in row-major order. Used by the twin tests. Thread-safe.
#pragma once

#include "runtime/onnx/kernels/kernel_util.h"
#include "runtime/onnx/kernels/pad.h"

namespace finserve::runtime::onnx {

inline void PadReference(const PadArgs& a) {
  const TensorData& x = *a.x;
  const size_t rank = x.rank(), es = ElementSize(x.dtype);
  const Dims in_strides = RowMajorStrides(x.shape);
  Dims index(rank, 0);
  const int64_t total = a.y->size();
  for (int64_t o = 0; o < total; ++o) {
    int64_t offset = 0;
    bool use_constant = false;
    for (size_t d = 0; d < rank && !use_constant; ++d) {
      const int64_t i = PadSourceIndex(a.mode, index[d], a.pads[d], x.shape[d]);
      use_constant = i < 0;
      offset += i * in_strides[d];
    }
    CopyElements(x.dtype, use_constant ? a.constant : static_cast<const char*>(x.data) + offset * es,
                 static_cast<char*>(a.y->data) + o * es, 1);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < a.y->shape[d]) break;
      index[d] = 0;
    }
  }
}

}  // namespace finserve::runtime::onnx
