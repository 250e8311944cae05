#include <utility>  // before Asio: Boost 1.74's awaitable needs std::exchange

#include "http/server.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/log.h"
#include "core/thread_pool.h"
#include "http/request_id.h"

namespace finserve::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

class Session;

}  // namespace

class HttpServer::Impl {
 public:
  Impl(const ServerOptions& options, Router router)
      : options(options),
        router(std::move(router)),
        ioc(options.threads > 0 ? options.threads : ThreadPool::DefaultThreadCount()),
        acceptor(net::make_strand(ioc)) {}

  Status Bind();
  void DoAccept();
  void Register(Session* session, std::weak_ptr<Session> weak);
  void Unregister(Session* session);

  ServerOptions options;
  Router router;
  net::io_context ioc;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::atomic<bool> draining{false};
  std::mutex sessions_mu;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, HttpServer::Impl* server) : stream_(std::move(socket)), server_(server) {}
  ~Session() { server_->Unregister(this); }

  void Start() {
    server_->Register(this, weak_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // Posted by Drain(): closes the connection unless a request is in flight.
  void CloseIfIdle() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->Close();
    });
  }

 private:
  // Phase 1: an idle keep-alive connection may wait `idle_timeout_ms` for the first byte.
  void WaitForRequest() {
    if (server_->draining.load()) return Close();
    if (buffer_.size() > 0) return ReadRequest();  // pipelined bytes already here
    stream_.expires_after(std::chrono::milliseconds(server_->options.idle_timeout_ms));
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->Close();
      self->buffer_.commit(n);
      self->ReadRequest();
    });
  }

  // Phase 2: once a request has started, all of it must arrive within `read_timeout_ms`.
  void ReadRequest() {
    busy_ = true;
    parser_.emplace();
    parser_->body_limit(server_->options.max_body_bytes);
    parser_->header_limit(server_->options.max_header_bytes);
    stream_.expires_after(std::chrono::milliseconds(server_->options.read_timeout_ms));
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->OnRead(ec);
    });
  }

  void OnRead(beast::error_code ec) {
    stream_.expires_never();
    if (!ec) return Dispatch();
    keep_alive_ = false;
    request_id_ = NewRequestId();
    if (ec == bhttp::error::body_limit) {
      return Write(ErrorResponse(413, "request body exceeds the limit of " +
                                          std::to_string(server_->options.max_body_bytes) + " bytes"));
    }
    if (ec == bhttp::error::header_limit) {
      return Write(ErrorResponse(431, "request headers exceed the limit of " +
                                          std::to_string(server_->options.max_header_bytes) + " bytes"));
    }
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset) {
      return Close();
    }
    Write(ErrorResponse(400, "malformed HTTP request: " + ec.message()));
  }

  void Dispatch() {
    auto message = parser_->release();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(message.body());
    keep_alive_ = message.keep_alive();
    request_id_ = SanitizeRequestId(request.Header("x-request-id"));
    request.request_id = request_id_;

    const RouteMatch match = server_->router.Find(request.method, request.target);
    if (match.kind == RouteMatch::Kind::kNotFound) {
      return Write(ErrorResponse(404, "no route for " + request.method + " " +
                                          std::string(Router::PathOf(request.target))));
    }
    if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
      HttpResponse r = ErrorResponse(405, "method " + request.method + " is not allowed on " +
                                              std::string(Router::PathOf(request.target)) + " (allowed: " +
                                              match.allow + ")");
      r.headers.emplace_back("Allow", match.allow);
      return Write(std::move(r));
    }
    Responder done = [self = shared_from_this()](HttpResponse response) {
      net::dispatch(self->stream_.get_executor(),
                    [self, response = std::move(response)]() mutable { self->Write(std::move(response)); });
    };
    try {
      (*match.handler)(request, match.params, std::move(done));
    } catch (const std::exception& e) {
      FS_LOG(kError, "handler_exception").With("request_id", request_id_).With("what", e.what());
      Write(ErrorResponse(500, std::string("internal error: ") + e.what()));
    }
  }

  void Write(HttpResponse r) {
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(r.status));
    response_.set(bhttp::field::server, "finserve");
    response_.set(bhttp::field::content_type, r.content_type);
    response_.set("X-Request-Id", request_id_);
    for (auto& [name, value] : r.headers) response_.set(name, value);
    response_.body() = std::move(r.body);
    const bool keep_alive = keep_alive_ && !server_->draining.load();
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    bhttp::async_write(stream_, response_, [self = shared_from_this(), keep_alive](beast::error_code ec, size_t) {
      if (ec || !keep_alive) return self->Close();
      self->busy_ = false;
      self->WaitForRequest();
    });
  }

  void Close() {
    busy_ = false;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  HttpServer::Impl* server_;
  bool busy_ = false;
  bool keep_alive_ = true;
  std::string request_id_;
};

}  // namespace

Status HttpServer::Impl::Bind() {
  beast::error_code ec;
  const auto address = net::ip::make_address(options.address, ec);
  if (ec) return InvalidArgument("--http-address '" + options.address + "' is not an IP address");
  const tcp::endpoint endpoint(address, options.port);
  const std::string where = options.address + ":" + std::to_string(options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Unavailable("cannot listen on " + where + ": " + ec.message());
  return Status::Ok();
}

void HttpServer::Impl::DoAccept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(socket), this)->Start();
    }
    DoAccept();
  });
}

void HttpServer::Impl::Register(Session* session, std::weak_ptr<Session> weak) {
  std::lock_guard lock(sessions_mu);
  sessions.emplace(session, std::move(weak));
}

void HttpServer::Impl::Unregister(Session* session) {
  std::lock_guard lock(sessions_mu);
  sessions.erase(session);
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  if (!impl_->ioc.stopped()) Drain(0);
}

Result<std::unique_ptr<HttpServer>> HttpServer::Create(const ServerOptions& options, Router router) {
  auto impl = std::make_unique<Impl>(options, std::move(router));
  FS_RETURN_IF_ERROR(impl->Bind());
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void HttpServer::Start() {
  impl_->DoAccept();
  const int n = impl_->options.threads > 0 ? impl_->options.threads : ThreadPool::DefaultThreadCount();
  for (int i = 0; i < n; ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

void HttpServer::Drain(int64_t timeout_ms) {
  impl_->draining.store(true);
  net::post(impl_->acceptor.get_executor(), [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(impl_->sessions_mu);
      for (auto& [ptr, weak] : impl_->sessions) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
      }
    }
    if (live.empty() || std::chrono::steady_clock::now() >= deadline) break;
    for (auto& s : live) s->CloseIfIdle();
    live.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  impl_->ioc.stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
}

}  // namespace finserve::http
