#include "http/http_message.h"

#include <charconv>

#include "core/json_writer.h"

namespace finserve::http {
namespace {

// RFC 9110 tchar: the characters a header name may use.
bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// A value that cannot end its line early: CR, LF and NUL become spaces.
void AppendValue(std::string_view value, std::string* out) {
  constexpr std::string_view kLineBreaking("\r\n\0", 3);
  if (value.find_first_of(kLineBreaking) == std::string_view::npos) {
    out->append(value);
    return;
  }
  for (char c : value) out->push_back(kLineBreaking.find(c) == std::string_view::npos ? c : ' ');
}

void AppendNumber(uint64_t n, std::string* out) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out->append(digits, static_cast<size_t>(end - digits));
}

void AppendHeader(std::string_view name, std::string_view value, std::string* out) {
  out->append(name);
  out->append(": ");
  AppendValue(value, out);
  out->append("\r\n");
}

// Headers whose value the server sets itself (an extra header replaces it) or which frame the
// message (an extra header is dropped).
enum class Owned { kNo, kServer, kContentType, kRequestId, kFraming };

Owned OwnedHeader(std::string_view name) {
  if (EqualsIgnoreCase(name, "server")) return Owned::kServer;
  if (EqualsIgnoreCase(name, "content-type")) return Owned::kContentType;
  if (EqualsIgnoreCase(name, "x-request-id")) return Owned::kRequestId;
  if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding") ||
      EqualsIgnoreCase(name, "connection")) {
    return Owned::kFraming;
  }
  return Owned::kNo;
}

}  // namespace

void SerializeResponseHead(const HttpResponse& response, std::string_view reason, std::string_view request_id,
                           std::string_view connection, std::string* out) {
  int status = response.status;
  if (status < 100 || status > 999) {
    status = 500;
    reason = "Internal Server Error";
  }
  std::string_view server = "finserve", content_type = response.content_type;
  for (const auto& [name, value] : response.headers) {
    switch (OwnedHeader(name)) {
      case Owned::kServer: server = value; break;
      case Owned::kContentType: content_type = value; break;
      case Owned::kRequestId: request_id = value; break;
      case Owned::kFraming:
      case Owned::kNo: break;
    }
  }
  out->append("HTTP/1.1 ");
  AppendNumber(static_cast<uint64_t>(status), out);
  out->push_back(' ');
  AppendValue(reason, out);
  out->append("\r\n");
  AppendHeader("Server", server, out);
  AppendHeader("Content-Type", content_type, out);
  AppendHeader("X-Request-Id", request_id, out);
  for (const auto& [name, value] : response.headers) {
    if (OwnedHeader(name) == Owned::kNo && IsToken(name)) AppendHeader(name, value, out);
  }
  if (!connection.empty()) AppendHeader("Connection", connection, out);
  if (!StatusForbidsBody(status)) {
    out->append("Content-Length: ");
    AppendNumber(response.body.size(), out);
    out->append("\r\n");
  }
  out->append("\r\n");
}

bool EqualsIgnoreCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (AsciiLower(text[i]) != lower[i]) return false;
  }
  return true;
}

bool StatusForbidsBody(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

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
