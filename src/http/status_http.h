// The one place that maps a Status to an HTTP status code (and builds the error answer).
#pragma once

#include "core/status.h"
#include "http/http_message.h"

namespace finserve::http {

int HttpStatusFor(StatusCode code);
HttpResponse ErrorResponse(const Status& status);

}  // namespace finserve::http
