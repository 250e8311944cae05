#include "serving/serving_metrics.h"

namespace finserve::serving {
namespace {

// 10 µs .. ~2.6 s: a tree model answers in microseconds, a queue may hold a request for ms.
std::vector<double> LatencyBuckets() { return ExponentialBuckets(1e-5, 2.0, 19); }

}  // namespace

ServingMetrics::ServingMetrics(MetricsRegistry* registry) : registry_(registry) {
  const std::vector<std::string> version_labels = {"model", "version"};
  requests_ = &registry->AddCounter("finserve_inference_requests_total",
                                    "Inference requests by model, version, front-end protocol and status code",
                                    {"model", "version", "protocol", "code"});
  request_seconds_ = &registry->AddHistogram(
      "finserve_inference_request_duration_seconds",
      "Time a request spent inside the inference service (routing, validation, queue, compute, response)",
      {"model", "version", "protocol"}, LatencyBuckets());
  queue_seconds_ = &registry->AddHistogram("finserve_inference_queue_duration_seconds",
                                           "Time from enqueue to the start of the model execution", version_labels,
                                           LatencyBuckets());
  compute_seconds_ = &registry->AddHistogram("finserve_inference_compute_duration_seconds",
                                             "Time of one model execution (a whole batch)", version_labels,
                                             LatencyBuckets());
  batch_rows_ = &registry->AddHistogram("finserve_inference_batch_size", "Rows per model execution", version_labels,
                                        ExponentialBuckets(1, 2, 11));
  queue_rejected_ = &registry->AddCounter("finserve_inference_queue_rejected_total",
                                          "Requests refused at once (503) because the model's queue was full",
                                          version_labels);
  deadline_expired_ = &registry->AddCounter("finserve_inference_deadline_expired_total",
                                            "Requests whose timeout passed while queued (504, never computed)",
                                            version_labels);
  queue_depth_ = &registry->AddGauge("finserve_inference_queue_depth", "Requests waiting in the model's queue",
                                     version_labels);
  GaugeFamily& in_flight = registry->AddGauge("finserve_inference_in_flight",
                                              "Inference requests inside the service now", {"protocol"});
  for (int p = 0; p < kProtocolCount; ++p) {
    in_flight_[p] = in_flight.WithLabels({ProtocolName(static_cast<Protocol>(p))});
  }
}

VersionMetrics ServingMetrics::ForVersion(std::string_view model, std::string_view version) {
  VersionMetrics m;
  m.queue_seconds = queue_seconds_->WithLabels({model, version});
  m.compute_seconds = compute_seconds_->WithLabels({model, version});
  m.batch_rows = batch_rows_->WithLabels({model, version});
  m.queue_rejected = queue_rejected_->WithLabels({model, version});
  m.deadline_expired = deadline_expired_->WithLabels({model, version});
  m.queue_depth = queue_depth_->WithLabels({model, version});
  return m;
}

void ServingMetrics::RecordRequest(std::string_view model, std::string_view version, Protocol protocol,
                                   StatusCode code, double seconds) {
  const std::string_view protocol_name = ProtocolName(protocol);
  requests_->WithLabels({model, version, protocol_name, StatusCodeName(code)})->Increment();
  request_seconds_->WithLabels({model, version, protocol_name})->Observe(seconds);
}

}  // namespace finserve::serving
