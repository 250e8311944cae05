#include <utility>

#include "testing/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace finserve::testing {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

struct HttpClient::Impl {
  std::string host;
  int port;
  net::io_context ioc;
  std::unique_ptr<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  int connects = 0;

  void Connect() {
    ++connects;
    stream = std::make_unique<beast::tcp_stream>(ioc);
    stream->connect(tcp::endpoint(net::ip::make_address(host), static_cast<unsigned short>(port)));
    stream->socket().set_option(tcp::no_delay(true));
    buffer.clear();
  }
};

HttpClient::HttpClient(int port, std::string host) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

HttpClient::~HttpClient() = default;

int HttpClient::connects() const { return impl_->connects; }

HttpResult HttpClient::Get(const std::string& target, const std::map<std::string, std::string>& headers) {
  return Request("GET", target, "", headers);
}

HttpResult HttpClient::Post(const std::string& target, const std::string& body,
                            const std::map<std::string, std::string>& headers) {
  return Request("POST", target, body, headers);
}

HttpResult HttpClient::Request(const std::string& method, const std::string& target, const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  HttpResult result;
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      if (!impl_->stream) impl_->Connect();
      bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
      req.set(bhttp::field::host, impl_->host);
      if (method == "POST") req.set(bhttp::field::content_type, "application/json");
      for (const auto& [k, v] : headers) req.set(k, v);
      req.body() = body;
      req.keep_alive(true);
      req.prepare_payload();
      impl_->stream->expires_after(std::chrono::seconds(30));
      bhttp::write(*impl_->stream, req);
      bhttp::response_parser<bhttp::string_body> parser;
      parser.body_limit(1ull << 30);
      bhttp::read(*impl_->stream, impl_->buffer, parser);
      auto res = parser.release();
      result.status = static_cast<int>(res.result_int());
      result.body = res.body();
      for (const auto& field : res) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        result.headers[name] = std::string(field.value());
      }
      if (!res.keep_alive()) impl_->stream.reset();
      return result;
    } catch (const std::exception& e) {
      impl_->stream.reset();
      result.error = e.what();
    }
  }
  return result;
}

std::string RawExchange(int port, const std::string& bytes, int timeout_ms) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  std::string out;
  try {
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    stream.expires_after(std::chrono::milliseconds(timeout_ms));
    net::write(stream.socket(), net::buffer(bytes));
    char buf[4096];
    for (;;) {
      beast::error_code ec;
      stream.expires_after(std::chrono::milliseconds(timeout_ms));
      const size_t n = stream.read_some(net::buffer(buf), ec);
      out.append(buf, n);
      if (ec) break;
    }
  } catch (const std::exception&) {
  }
  return out;
}

}  // namespace finserve::testing
