// HttpRequest / HttpResponse: what route handlers see, independent of Beast, so routing and
// handlers are tested (and fuzzed) without sockets. The session converts to and from Beast.
// Value types.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "serving/auth/principal.h"

namespace finserve::http {

struct HttpRequest {
  std::string method;   // "GET", "POST", ...
  std::string target;   // path and query, as received
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string request_id;  // X-Request-Id: the client's, or one we generated
  std::string peer;        // "address:port" of the client (for logs)
  std::string client_subject;  // verified TLS client certificate subject (RFC 2253); "" if none
  // Set by the RequestHandler once authenticated (the anonymous principal on open routes).
  std::shared_ptr<const serving::auth::Principal> principal;

  // First header value with this (lower-case) name, or "".
  std::string_view Header(std::string_view lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string_view content_type = "application/json";  // always a string literal or constant
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  // Kept alive until the response has been written (the request's in-flight slot).
  std::shared_ptr<void> hold;
};

// Delivers the response; may be called from any thread, exactly once.
using Responder = std::function<void(HttpResponse)>;

// The head of an HTTP/1.1 response (status line, headers, blank line), appended to `out`, in this
// order: Server, Content-Type, X-Request-Id, the extra headers, Connection (when `connection` is
// not empty: "close" or "keep-alive"), Content-Length (of response.body, also for a HEAD answer
// that does not send it; none for a status that has no body, see StatusForbidsBody). `reason` is the status line's reason phrase. An extra header named
// Server, Content-Type or X-Request-Id replaces ours; one named Content-Length, Transfer-Encoding
// or Connection is dropped (the server owns the framing), and so is one whose name is not an
// RFC 9110 token. CR, LF and NUL in any value (or the reason) become spaces, so no value can split
// the head or inject a header. A status outside 100..999 is sent as 500.
void SerializeResponseHead(const HttpResponse& response, std::string_view reason, std::string_view request_id,
                           std::string_view connection, std::string* out);

// 1xx, 204 and 304 answers have no body (and no Content-Length): RFC 9110 6.4.1.
bool StatusForbidsBody(int status);

// ASCII lower case (header names and media types are ASCII; no locale, it runs on every request).
inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
// Whether `text` equals `lower` (already lower case) ignoring ASCII case.
bool EqualsIgnoreCase(std::string_view text, std::string_view lower);

// {"error": message} with `status`.
HttpResponse ErrorResponse(int status, std::string_view message);
HttpResponse JsonResponse(int status, std::string body);

}  // namespace finserve::http
