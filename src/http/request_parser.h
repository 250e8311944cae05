// RequestParser: Beast's HTTP/1.1 request parser (request line, fields, Content-Length and chunked
// framing, header and body limits, keep-alive rules) writing straight into the HttpRequest a
// handler gets, with no intermediate Beast message and no second copy of each header. Header names
// are lower-cased as HttpRequest promises. Private to the server (finserve_http); one per request;
// not thread-safe. Feed it with basic_parser::put (see server.cc).
#pragma once

#include <utility>  // before Asio: Boost 1.74's awaitable needs std::exchange

#include <cstdint>

#include <boost/beast/http/basic_parser.hpp>

#include "http/http_message.h"

namespace finserve::http {

class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  HttpRequest& request() { return request_; }
  int version() const { return version_; }  // 10 for HTTP/1.0, 11 for HTTP/1.1

 private:
  using string_view = boost::beast::string_view;
  using error_code = boost::beast::error_code;

  void on_request_impl(boost::beast::http::verb, string_view method, string_view target, int version,
                       error_code& ec) override;
  void on_response_impl(int, string_view, int, error_code& ec) override;
  void on_field_impl(boost::beast::http::field, string_view name, string_view value, error_code& ec) override;
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) override;
  std::size_t on_body_impl(string_view body, error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override;
  void on_finish_impl(error_code&) override {}

  HttpRequest request_;
  int version_ = 11;
};

}  // namespace finserve::http
