// The process-wide oneDNN CPU engine and the calling thread's stream, shared by every oneDNN
// path (GemmOnednn, OnednnConv). The engine lives for the process; each thread gets its own
// in-order stream on first use. SetOnednnThreads() caps oneDNN's OpenMP team for the calling
// thread (the intra-op thread count of the request). Thread-safe.
#pragma once

#include <dnnl.hpp>

namespace finserve::runtime::onnx {

dnnl::engine& OnednnEngine();
dnnl::stream& OnednnThreadStream();
void SetOnednnThreads(int threads);

}  // namespace finserve::runtime::onnx
