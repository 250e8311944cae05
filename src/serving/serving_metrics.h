// ServingMetrics: the serving layer's Prometheus metrics, recorded inside InferenceService and
// the scheduler so every front end (HTTP, gRPC) gets the same numbers by calling the service;
// the front end's protocol is a label. Families (all under finserve_):
//
//   inference_requests_total{model,version,protocol,code}        counter; code = status name (OK, INVALID_ARGUMENT, ...)
//   inference_request_duration_seconds{model,version,protocol}   histogram; inside the service: route, validate, queue, run
//   inference_queue_duration_seconds{model,version}              histogram; enqueue to start of compute
//   inference_compute_duration_seconds{model,version}            histogram; one model execution (a batch)
//   inference_batch_size{model,version}                          histogram; rows per model execution
//   inference_queue_rejected_total{model,version}                counter; refused with 503, queue full
//   inference_deadline_expired_total{model,version}              counter; answered 504, timeout passed in the queue
//   inference_queue_depth{model,version}                         gauge; requests waiting
//   inference_in_flight{protocol}                                gauge; requests inside the service
//
// Model states (finserve_model_version_state, finserve_models_ready) are read at scrape time by
// InferenceService. Thread-safe; pointers returned stay valid for the registry's lifetime.
#pragma once

#include <string_view>

#include "core/metrics.h"
#include "core/status.h"
#include "serving/request.h"

namespace finserve::serving {

// One version's metric children, looked up once and cached by its queue.
struct VersionMetrics {
  Histogram* queue_seconds = nullptr;
  Histogram* compute_seconds = nullptr;
  Histogram* batch_rows = nullptr;
  Counter* queue_rejected = nullptr;
  Counter* deadline_expired = nullptr;
  Gauge* queue_depth = nullptr;
};

class ServingMetrics {
 public:
  explicit ServingMetrics(MetricsRegistry* registry);

  VersionMetrics ForVersion(std::string_view model, std::string_view version);
  // One finished request: its outcome and its time inside the service.
  void RecordRequest(std::string_view model, std::string_view version, Protocol protocol, StatusCode code,
                     double seconds);
  Gauge* in_flight(Protocol protocol) { return in_flight_[static_cast<int>(protocol)]; }
  MetricsRegistry* registry() { return registry_; }

 private:
  MetricsRegistry* registry_;
  CounterFamily* requests_;
  HistogramFamily* request_seconds_;
  HistogramFamily* queue_seconds_;
  HistogramFamily* compute_seconds_;
  HistogramFamily* batch_rows_;
  CounterFamily* queue_rejected_;
  CounterFamily* deadline_expired_;
  GaugeFamily* queue_depth_;
  Gauge* in_flight_[kProtocolCount];
};

}  // namespace finserve::serving
