// The route tables of the HTTP front end. Each Add*Routes function registers one API family;
// handlers decode the request, call InferenceService, and encode the answer once.
#pragma once

#include "http/json_codec.h"
#include "http/router.h"
#include "serving/inference_service.h"
#include "serving/training_jobs.h"

namespace finserve::http {

struct RouteOptions {
  DecodeLimits limits;
};

// Open Inference Protocol v2: health, metadata, infer; Triton's repository extension.
void AddV2Routes(Router* router, serving::InferenceService* service, const RouteOptions& options);

// Training jobs (routes_training.cc): submit, list, status, cancel under /v1/training/jobs.
void AddTrainingRoutes(Router* router, serving::TrainingService* training);

}  // namespace finserve::http
