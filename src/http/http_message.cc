#include "http/http_message.h"

#include "core/json_writer.h"

namespace finserve::http {

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

HttpResponse ErrorResponse(int status, std::string_view message) {
  JsonWriter w;
  w.BeginObject().Field("error", message).EndObject();
  return JsonResponse(status, w.Take());
}

HttpResponse JsonResponse(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace finserve::http
