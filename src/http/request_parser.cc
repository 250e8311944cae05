#include "http/request_parser.h"

#include <boost/beast/http/error.hpp>

namespace finserve::http {

namespace bhttp = boost::beast::http;

void RequestParser::on_request_impl(bhttp::verb, string_view method, string_view target, int version, error_code&) {
  request_.method.assign(method.data(), method.size());
  request_.target.assign(target.data(), target.size());
  request_.headers.reserve(16);
  version_ = version;
}

void RequestParser::on_response_impl(int, string_view, int, error_code& ec) {
  ec = bhttp::error::bad_version;  // never called for a request parser
}

void RequestParser::on_field_impl(bhttp::field, string_view name, string_view value, error_code&) {
  auto& [lower, text] = request_.headers.emplace_back();
  lower.resize(name.size());
  for (size_t i = 0; i < name.size(); ++i) lower[i] = AsciiLower(name[i]);  // a field name is an ASCII token
  text.assign(value.data(), value.size());
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) {
  // The parser has already checked the length against body_limit; as Beast's string_body, a length
  // no string can hold is refused rather than thrown.
  if (!content_length) return;
  if (*content_length > request_.body.max_size()) {
    ec = bhttp::error::buffer_overflow;
    return;
  }
  request_.body.reserve(static_cast<size_t>(*content_length));
}

std::size_t RequestParser::on_body_impl(string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

std::size_t RequestParser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
  request_.body.append(body.data(), body.size());
  return body.size();
}

}  // namespace finserve::http
