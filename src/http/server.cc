#include <utility>  // before Asio: Boost 1.74's awaitable needs std::exchange

#include "http/server.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "core/log.h"
#include "core/thread_pool.h"
#include "http/request_id.h"
#include "http/tls.h"

namespace finserve::http {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

// What Drain() needs of a connection, whatever its stream type.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void CloseIfIdle() = 0;
};

constexpr char kTooManyConnections[] =
    "HTTP/1.1 503 Service Unavailable\r\nServer: finserve\r\nContent-Type: application/json\r\n"
    "Retry-After: 1\r\nConnection: close\r\nContent-Length: 63\r\n\r\n"
    "{\"error\":\"the server has its maximum number of connections open\"}";

}  // namespace

class HttpServer::Impl {
 public:
  Impl(const ServerOptions& options, std::shared_ptr<const RequestHandler> handler)
      : options(options),
        handler(std::move(handler)),
        iocs(MakeContexts(options.threads > 0 ? options.threads : ThreadPool::DefaultThreadCount())),
        acceptor(iocs.front()->get_executor()) {
    for (auto& ioc : iocs) work.push_back(net::make_work_guard(*ioc));
  }

  // One io_context per I/O thread, each run by its own thread: a connection lives on one thread
  // for its whole life, so its handlers never hop threads (no strand, no cross-thread wakeups,
  // which dominated the profile under load with one shared context).
  static std::vector<std::unique_ptr<net::io_context>> MakeContexts(int n) {
    std::vector<std::unique_ptr<net::io_context>> out;
    for (int i = 0; i < n; ++i) out.push_back(std::make_unique<net::io_context>(1));
    return out;
  }
  net::io_context& NextContext() { return *iocs[next_context++ % iocs.size()]; }

  Status Bind();
  void DoAccept();
  void OnAccept(tcp::socket socket);
  void Register(SessionBase* session, std::weak_ptr<SessionBase> weak);
  void Unregister(SessionBase* session);
  std::shared_ptr<ssl::context> TlsContext() {
    std::lock_guard lock(tls_mu);
    return tls_context;
  }

  ServerOptions options;
  std::shared_ptr<const RequestHandler> handler;
  std::vector<std::unique_ptr<net::io_context>> iocs;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work;
  size_t next_context = 0;  // touched only by the acceptor's thread
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::atomic<bool> draining{false};
  std::atomic<int64_t> connections{0};
  std::mutex tls_mu;
  std::shared_ptr<ssl::context> tls_context;  // null = plain HTTP
  std::mutex sessions_mu;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
};

namespace {

template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

 public:
  Session(tcp::socket&& socket, HttpServer::Impl* server, std::shared_ptr<ssl::context> tls)
      : peer_(PeerOf(socket)), stream_(MakeStream(std::move(socket), tls.get())), server_(server), tls_(std::move(tls)) {}
  ~Session() override { server_->Unregister(this); }

  void Start() {
    server_->Register(this, this->weak_from_this());
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->Handshake();
      } else {
        self->WaitForRequest();
      }
    });
  }

  // Posted by Drain(): closes the connection unless a request is in flight.
  void CloseIfIdle() override {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) self->CloseNow();
    });
  }

 private:
  static Stream MakeStream(tcp::socket&& socket, ssl::context* tls) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *tls);
    } else {
      return Stream(std::move(socket));
    }
  }
  static std::string PeerOf(const tcp::socket& socket) {
    beast::error_code ec;
    const auto endpoint = socket.remote_endpoint(ec);
    return ec ? std::string() : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  // TLS: the handshake, like a request, must complete within read_timeout_ms.
  void Handshake() {
    Lowest().expires_after(std::chrono::milliseconds(server_->handler->limits().Get()->read_timeout_ms));
    if constexpr (kTls) {
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        self->Lowest().expires_never();
        if (ec) return self->CloseNow();
        self->handshake_done_ = true;
        self->client_subject_ = PeerCertificateSubject(self->stream_.native_handle());
        self->WaitForRequest();
      });
    }
  }

  // Phase 1: an idle keep-alive connection may wait `idle_timeout_ms` for the first byte.
  void WaitForRequest() {
    if (server_->draining.load()) return CloseNow();
    if (buffer_.size() > 0) return ReadRequest();  // pipelined bytes already here
    Lowest().expires_after(std::chrono::milliseconds(server_->handler->limits().Get()->idle_timeout_ms));
    stream_.async_read_some(buffer_.prepare(4096), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->CloseNow();
      self->buffer_.commit(n);
      self->ReadRequest();
    });
  }

  // Phase 2: once a request has started, all of it must arrive within `read_timeout_ms`.
  void ReadRequest() {
    busy_ = true;
    limits_ = server_->handler->limits().Get();
    parser_.emplace();
    parser_->body_limit(limits_->max_body_bytes);
    parser_->header_limit(limits_->max_header_bytes);
    header_bytes_ = 0;
    Lowest().expires_after(std::chrono::milliseconds(limits_->read_timeout_ms));
    ReadHeader();
  }

  // Beast applies header_limit to each piece it parses, so many small header lines arriving in
  // several reads would pass it; the head is read piece by piece and its total bounded here.
  void ReadHeader() {
    bhttp::async_read_some(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, size_t n) {
      self->header_bytes_ += n;
      if (!ec && self->header_bytes_ > self->limits_->max_header_bytes) {
        ec = bhttp::error::header_limit;
      }
      if (ec) return self->OnRead(ec);
      if (!self->parser_->is_header_done()) return self->ReadHeader();
      if (self->parser_->is_done()) return self->OnRead({});
      bhttp::async_read(self->stream_, self->buffer_, *self->parser_,
                        [self](beast::error_code ec, size_t) { self->OnRead(ec); });
    });
  }

  void OnRead(beast::error_code ec) {
    Lowest().expires_never();
    if (!ec) return Dispatch();
    keep_alive_ = false;
    request_id_ = NewRequestId();
    if (ec == bhttp::error::body_limit) {
      return Write(ErrorResponse(413, "request body exceeds the limit of " + std::to_string(limits_->max_body_bytes) +
                                          " bytes"));
    }
    if (ec == bhttp::error::header_limit) {
      return Write(ErrorResponse(431, "request headers exceed the limit of " +
                                          std::to_string(limits_->max_header_bytes) + " bytes"));
    }
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == ssl::error::stream_truncated || ec.category() == net::error::get_ssl_category()) {
      return CloseNow();
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
    request.peer = peer_;
    request.client_subject = client_subject_;
    keep_alive_ = message.keep_alive();
    request_id_ = SanitizeRequestId(request.Header("x-request-id"));
    request.request_id = request_id_;
    Responder done = [self = this->shared_from_this()](HttpResponse response) {
      net::dispatch(self->stream_.get_executor(),
                    [self, response = std::move(response)]() mutable { self->Write(std::move(response)); });
    };
    server_->handler->Handle(std::move(request), std::move(done));
  }

  void Write(HttpResponse r) {
    server_->handler->CountResponse(r.status);
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(r.status));
    response_.set(bhttp::field::server, "finserve");
    response_.set(bhttp::field::content_type, beast::string_view(r.content_type.data(), r.content_type.size()));
    response_.set("X-Request-Id", request_id_);
    for (auto& [name, value] : r.headers) response_.set(name, value);
    response_.body() = std::move(r.body);
    hold_ = std::move(r.hold);
    const bool keep_alive = keep_alive_ && !server_->draining.load();
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    // A client that does not read its answer cannot hold the connection for ever.
    Lowest().expires_after(std::chrono::milliseconds(limits_ ? limits_->read_timeout_ms : 30'000));
    bhttp::async_write(stream_, response_, [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
      self->Lowest().expires_never();
      self->hold_.reset();
      if (ec) return self->CloseNow();
      if (!keep_alive) return self->CloseGracefully();
      self->busy_ = false;
      self->WaitForRequest();
    });
  }

  // After a final answer: TLS sends close_notify (bounded by a short timeout) before closing.
  void CloseGracefully() {
    if constexpr (kTls) {
      if (handshake_done_) {
        Lowest().expires_after(std::chrono::milliseconds(1000));
        stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->CloseNow(); });
        return;
      }
    }
    CloseNow();
  }

  void CloseNow() {
    busy_ = false;
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().socket().close(ignored);
  }

  std::string peer_;
  Stream stream_;
  HttpServer::Impl* server_;
  std::shared_ptr<ssl::context> tls_;  // keeps the context of this connection alive
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  std::shared_ptr<const HttpLimits> limits_;
  std::shared_ptr<void> hold_;
  size_t header_bytes_ = 0;
  std::string client_subject_;
  bool handshake_done_ = false;
  bool busy_ = false;
  bool keep_alive_ = true;
  std::string request_id_;
};

// Over max_connections: a plain client gets a 503 it can read; a TLS client is simply closed.
void Refuse(tcp::socket& socket, bool tls) {
  beast::error_code ignored;
  if (!tls) {
    socket.non_blocking(true, ignored);
    socket.write_some(net::buffer(kTooManyConnections, sizeof kTooManyConnections - 1), ignored);
  }
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

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
  const net::any_io_executor target(NextContext().get_executor());
  acceptor.async_accept(target, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) OnAccept(std::move(socket));
    DoAccept();
  });
}

void HttpServer::Impl::OnAccept(tcp::socket socket) {
  std::shared_ptr<ssl::context> tls = TlsContext();
  if (connections.load() >= handler->limits().Get()->max_connections) {
    FS_LOG(kWarn, "connection_refused").With("reason", "max-connections").With("connections", connections.load());
    return Refuse(socket, tls != nullptr);
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls) {
    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket), this, std::move(tls))->Start();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(std::move(socket), this, nullptr)->Start();
  }
}

void HttpServer::Impl::Register(SessionBase* session, std::weak_ptr<SessionBase> weak) {
  connections.fetch_add(1);
  std::lock_guard lock(sessions_mu);
  sessions.emplace(session, std::move(weak));
}

void HttpServer::Impl::Unregister(SessionBase* session) {
  connections.fetch_sub(1);
  std::lock_guard lock(sessions_mu);
  sessions.erase(session);
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() {
  if (!impl_->iocs.front()->stopped()) Drain(0);
}

Result<std::unique_ptr<HttpServer>> HttpServer::Create(const ServerOptions& options,
                                                       std::shared_ptr<const RequestHandler> handler) {
  auto impl = std::make_unique<Impl>(options, std::move(handler));
  if (options.tls.enabled()) {
    FS_ASSIGN_OR_RETURN(impl->tls_context, MakeServerTlsContext(options.tls));
  } else if (!options.tls.key_file.empty() || !options.tls.client_ca_file.empty()) {
    return InvalidArgument("--tls-key and --tls-client-ca need --tls-cert");
  }
  FS_RETURN_IF_ERROR(impl->Bind());
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

uint16_t HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

bool HttpServer::tls() const { return impl_->options.tls.enabled(); }

int64_t HttpServer::connections() const { return impl_->connections.load(); }

Status HttpServer::ReloadTls(const TlsOptions& tls) {
  if (!impl_->options.tls.enabled()) return FailedPrecondition("the server runs without TLS; restart it to add TLS");
  FS_ASSIGN_OR_RETURN(auto fresh, MakeServerTlsContext(tls));
  std::lock_guard lock(impl_->tls_mu);
  impl_->tls_context = std::move(fresh);
  return Status::Ok();
}

void HttpServer::Start() {
  impl_->DoAccept();
  for (auto& ioc : impl_->iocs) impl_->threads.emplace_back([ioc = ioc.get()] { ioc->run(); });
}

void HttpServer::Drain(int64_t timeout_ms) {
  impl_->draining.store(true);
  net::post(impl_->acceptor.get_executor(), [this] {
    beast::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    std::vector<std::shared_ptr<SessionBase>> live;
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
  impl_->work.clear();
  for (auto& ioc : impl_->iocs) ioc->stop();
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
}

}  // namespace finserve::http
