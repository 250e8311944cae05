// HttpClient: a small blocking HTTP/1.1 client on Boost.Beast for integration tests. One
// keep-alive connection; reconnects when the server closed it.
#pragma once

#include <map>
#include <memory>
#include <string>

namespace finserve::testing {

struct HttpResult {
  int status = 0;        // 0 = transport error
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;     // transport error message
};

class HttpClient {
 public:
  explicit HttpClient(int port, std::string host = "127.0.0.1");
  ~HttpClient();

  HttpResult Get(const std::string& target, const std::map<std::string, std::string>& headers = {});
  HttpResult Post(const std::string& target, const std::string& body,
                  const std::map<std::string, std::string>& headers = {});
  HttpResult Request(const std::string& method, const std::string& target, const std::string& body,
                     const std::map<std::string, std::string>& headers);
  // How many TCP connections this client has opened (1 while one keep-alive connection lasts).
  int connects() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sends raw bytes on a new connection and returns everything read until the server closes or
// `timeout_ms` passes (for malformed-request tests).
std::string RawExchange(int port, const std::string& bytes, int timeout_ms = 5000);

}  // namespace finserve::testing
