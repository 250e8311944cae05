// Convolution (ONNX Conv, 1-D/2-D/3-D, groups, pads, strides, dilations, bias) on the CPU:
//
//   Y[n, m, o] = B[m] + sum_{c < C/group, k} W[m, c, k] * X[n, (m / (M/group)) * C/group + c, o * s + k * d - pad]
//
// (o, k, s, d, pad run over the spatial axes; X outside its extent reads 0.) Three
// implementations of that contract:
//   ConvReference   plain loops, double accumulation (kernels/reference/conv_ref.h): the twin
//   ConvIm2col      im2col per image and group, then one Gemm() per image and group (Eigen or
//                   oneDNN matmul by the Gemm crossover); 1x1 stride-1 unpadded convolutions
//                   skip the im2col copy. Any floating type.
//   OnednnConv      oneDNN's convolution primitive (fp32), primitives cached per input shape with
//                   the weights reordered once into the layout the primitive prefers when they
//                   are constant; src/dst stay in plain NC(D)HW.
// (fp32 Conv -> Relu -> pooling -> Conv chains are fused at load and run by OnednnChain instead,
// kernels/onednn_chain.h, which keeps oneDNN's layout between the stages.)
// ChooseConvPath() picks between the last two by the multiply-adds of the problem, a crossover
// measured with bench/onnx_kernels_bench.cc (docs/performance.md). All functions are
// thread-safe; OnednnConv limits oneDNN's OpenMP team to `threads` for the calling thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "runtime/onnx/kernels/window.h"

namespace finserve::runtime::onnx {

template <typename T>
struct ConvArgs {
  Window window;
  int64_t batch = 0, in_channels = 0, out_channels = 0, group = 1;
  const T* x = nullptr;     // [batch, in_channels, in...]
  const T* w = nullptr;     // [out_channels, in_channels / group, kernel...]
  const T* bias = nullptr;  // [out_channels] or nullptr
  T* y = nullptr;           // [batch, out_channels, out...]

  int64_t macs() const {
    return batch * out_channels * window.out_size() * (in_channels / group) * window.kernel_size();
  }
};

enum class ConvPath { kReference, kIm2col, kOnednn };
std::string_view ConvPathName(ConvPath path);

// The crossover (fp32, one thread): oneDNN's convolution wins from about this many multiply-adds
// per call; below, im2col + GEMM wins (no primitive dispatch, no layout reorders). Measured on
// the CNN of bench/onnx_parity (docs/performance.md): a 16->32 channel 3x3 convolution on 14x14
// (0.9M MACs) took 18 us less per image in oneDNN, and moving the 0.1M-MAC first layer there too
// changed nothing measurable.
inline constexpr int64_t kConvOnednnMinMacs = int64_t{1} << 18;

ConvPath ChooseConvPath(const ConvArgs<float>& args);

template <typename T>
Status ConvIm2col(const ConvArgs<T>& args, int threads);

// Cache of oneDNN convolution primitives for one Conv node (its attributes are fixed, so the
// key is the input and weight shapes). With `constant_weights`, W's data never changes (an
// initializer) and the reordered copy is cached with the primitive.
class OnednnConv {
 public:
  explicit OnednnConv(bool constant_weights) : constant_weights_(constant_weights) {}
  ~OnednnConv();
  Status Run(const ConvArgs<float>& args, int threads) const;

 private:
  struct Entry;
  Result<std::shared_ptr<const Entry>> Lookup(const ConvArgs<float>& args, int threads) const;

  bool constant_weights_;
  mutable std::mutex mu_;
  mutable std::map<std::vector<int64_t>, std::shared_ptr<const Entry>> cache_;
};

// Dispatches by ChooseConvPath() for fp32 (oneDNN needs `onednn`), im2col otherwise.
template <typename T>
Status Conv(const ConvArgs<T>& args, const OnednnConv* onednn, int threads);

}  // namespace finserve::runtime::onnx
