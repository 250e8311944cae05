// The route tables of the HTTP front end. Each Add*Routes function registers one API family;
// handlers decode the request, call InferenceService, and encode the answer once.
#pragma once

#include "http/json_codec.h"
#include "http/router.h"
#include "serving/inference_service.h"

namespace finserve::http {

struct RouteOptions {
  DecodeLimits limits;
};

// Open Inference Protocol v2: health, metadata, infer; Triton's repository extension.
void AddV2Routes(Router* router, serving::InferenceService* service, const RouteOptions& options);

// Explanations: POST /v2/models/{m}[/versions/{v}]/explain and the named-feature endpoint
// POST /v1/models/{m}[/versions/{v}]:score (docs/explanations.md).
void AddExplainRoutes(Router* router, serving::InferenceService* service, const RouteOptions& options);

}  // namespace finserve::http
