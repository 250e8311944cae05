// The route tables of the HTTP front end. Each Add*Routes function registers one API family,
// each route with the access it needs (open, or one scope); handlers decode the request, call
// InferenceService, and encode the answer once.
#pragma once

#include <memory>

#include "http/json_codec.h"
#include "http/limits.h"
#include "http/router.h"
#include "serving/inference_service.h"
#include "serving/training_jobs.h"

namespace finserve::http {

struct RouteOptions {
  std::shared_ptr<const LiveLimits> limits;  // read per request (SIGHUP may change them)
};

// Open Inference Protocol v2: health, metadata, infer; Triton's repository extension.
void AddV2Routes(Router* router, serving::InferenceService* service, const RouteOptions& options);

// TensorFlow Serving's REST API (routes_tfserving.cc): /v1/models/{m}[/versions/{v}] status,
// .../metadata, and :predict, :classify, :regress.
void AddTfServingRoutes(Router* router, serving::InferenceService* service, const RouteOptions& options);

// Prometheus metrics at GET /metrics (routes_metrics.cc): scope `metrics`, or open to anyone
// when `open` (--metrics-open).
void AddMetricsRoutes(Router* router, serving::InferenceService* service, bool open);

// Training jobs (routes_training.cc): submit, list, status, cancel under /v1/training/jobs.
void AddTrainingRoutes(Router* router, serving::TrainingService* training);
// Explanations: POST /v2/models/{m}[/versions/{v}]/explain and the named-feature endpoint
// POST /v1/models/{m}[/versions/{v}]:score (docs/explanations.md).
void AddExplainRoutes(Router* router, serving::InferenceService* service, const RouteOptions& options);

}  // namespace finserve::http
