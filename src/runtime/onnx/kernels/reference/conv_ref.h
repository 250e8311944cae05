// ConvReference: the plain twin of Conv (kernels/conv.h), written for obviousness, not speed.
// One output element at a time, every kernel tap bounds-checked, accumulated in double in
// (channel, kd, kh, kw) order, bias added first. Used by the twin tests. Thread-safe.
#pragma once

#include "runtime/onnx/kernels/conv.h"

namespace finserve::runtime::onnx {

template <typename T>
void ConvReference(const ConvArgs<T>& a) {
  const Window& w = a.window;
  const int64_t cg = a.in_channels / a.group, mg = a.out_channels / a.group;
  for (int64_t n = 0; n < a.batch; ++n) {
    for (int64_t m = 0; m < a.out_channels; ++m) {
      const int64_t first_channel = (m / mg) * cg;
      for (int64_t od = 0; od < w.out[0]; ++od) {
        for (int64_t oh = 0; oh < w.out[1]; ++oh) {
          for (int64_t ow = 0; ow < w.out[2]; ++ow) {
            double sum = a.bias != nullptr ? static_cast<double>(a.bias[m]) : 0.0;
            for (int64_t c = 0; c < cg; ++c) {
              for (int64_t kd = 0; kd < w.kernel[0]; ++kd) {
                for (int64_t kh = 0; kh < w.kernel[1]; ++kh) {
                  for (int64_t kw = 0; kw < w.kernel[2]; ++kw) {
                    const int64_t id = od * w.stride[0] + kd * w.dilation[0] - w.pad_begin[0];
                    const int64_t ih = oh * w.stride[1] + kh * w.dilation[1] - w.pad_begin[1];
                    const int64_t iw = ow * w.stride[2] + kw * w.dilation[2] - w.pad_begin[2];
                    if (id < 0 || id >= w.in[0] || ih < 0 || ih >= w.in[1] || iw < 0 || iw >= w.in[2]) continue;
                    const T x = a.x[(((n * a.in_channels + first_channel + c) * w.in[0] + id) * w.in[1] + ih) * w.in[2] + iw];
                    const T k = a.w[(((m * cg + c) * w.kernel[0] + kd) * w.kernel[1] + kh) * w.kernel[2] + kw];
                    sum += static_cast<double>(x) * static_cast<double>(k);
                  }
                }
              }
            }
            a.y[(((n * a.out_channels + m) * w.out[0] + od) * w.out[1] + oh) * w.out[2] + ow] = static_cast<T>(sum);
          }
        }
      }
    }
  }
}

}  // namespace finserve::runtime::onnx
