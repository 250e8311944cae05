#include "runtime/onnx/kernels/onednn_context.h"

#include <omp.h>

namespace finserve::runtime::onnx {

dnnl::engine& OnednnEngine() {
  static dnnl::engine* engine = new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *engine;
}

dnnl::stream& OnednnThreadStream() {
  thread_local dnnl::stream stream(OnednnEngine());
  return stream;
}

void SetOnednnThreads(int threads) { omp_set_num_threads(threads < 1 ? 1 : threads); }

}  // namespace finserve::runtime::onnx
