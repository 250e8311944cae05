#include <utility>  // before Asio: Boost 1.74's awaitable needs std::exchange

#include "http/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>

#include "core/log.h"
#include "core/thread_pool.h"
#include "http/lazy_deadline.h"
#include "http/request_id.h"
#include "http/request_parser.h"
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

// A timeout as a duration that cannot overflow a time point: 1 ms to 1 year.
std::chrono::milliseconds Bounded(int64_t ms) {
  return std::chrono::milliseconds(std::clamp<int64_t>(ms, 1, int64_t{365} * 24 * 3600 * 1000));
}

// How much one read asks for: what the buffer has room for, 4 KiB to 64 KiB (as Beast's reads).
size_t ReadSize(const beast::flat_buffer& buffer) {
  const size_t room = buffer.capacity() - buffer.size();
  return std::min<size_t>(std::max<size_t>(room, 4096), 65536);
}

template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, tcp::socket>;
  // A TLS answer up to this size is written as one buffer, so as one record and one send.
  static constexpr size_t kCoalesceTlsBytes = 16 * 1024;
  // Buffers above this are released once an answer is written.
  static constexpr size_t kKeptBufferBytes = 8 * 1024;

 public:
  Session(tcp::socket&& socket, HttpServer::Impl* server, std::shared_ptr<ssl::context> tls)
      : peer_(PeerOf(socket)),
        stream_(MakeStream(std::move(socket), tls.get())),
        timeout_(stream_.get_executor()),
        server_(server),
        tls_(std::move(tls)) {}
  ~Session() override { server_->Unregister(this); }

  void Start() {
    server_->Register(this, this->weak_from_this());
    timeout_.Bind(this->weak_from_this(), [this] { CloseNow(); });
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
  tcp::socket& Lowest() {
    if constexpr (kTls) {
      return stream_.next_layer();
    } else {
      return stream_;
    }
  }

  // The current phase must end within `timeout_ms`, or the connection is closed.
  // limits_ is set (every phase takes its snapshot first).
  void SetDeadline(int64_t timeout_ms) {
    const int64_t tick = std::min(limits_->idle_timeout_ms, limits_->read_timeout_ms);
    timeout_.Set(Bounded(timeout_ms), Bounded(tick));
  }

  // TLS: the handshake, like a request, must complete within read_timeout_ms.
  void Handshake() {
    limits_ = server_->handler->limits().Get();
    SetDeadline(limits_->read_timeout_ms);
    if constexpr (kTls) {
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        self->timeout_.Clear();
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
    if (buffer_.size() > 0) return StartRequest();  // pipelined bytes already here
    limits_ = server_->handler->limits().Get();
    SetDeadline(limits_->idle_timeout_ms);
    stream_.async_read_some(buffer_.prepare(ReadSize(buffer_)),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->CloseNow();
                              self->buffer_.commit(n);
                              self->StartRequest();
                            });
  }

  // Phase 2: once a request has started, all of it must arrive within `read_timeout_ms`.
  void StartRequest() {
    busy_ = true;
    limits_ = server_->handler->limits().Get();
    parser_.emplace();
    parser_->body_limit(limits_->max_body_bytes);
    parser_->header_limit(limits_->max_header_bytes);
    header_bytes_ = 0;
    SetDeadline(limits_->read_timeout_ms);
    Parse();
  }

  // Feeds the buffered bytes to the parser; reads more while it needs them. Beast applies
  // header_limit to each piece it parses (the request line, then the fields), so the head's total
  // is bounded here too. The parser is lazy until the head is complete (so the count covers the
  // head only), then eager for the body.
  void Parse() {
    int idle_puts = 0;
    while (buffer_.size() > 0) {
      beast::error_code ec;
      const bool in_head = !parser_->is_header_done();
      const size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (in_head) {
        header_bytes_ += used;
        if (header_bytes_ > limits_->max_header_bytes && (!ec || ec == bhttp::error::need_more)) {
          ec = bhttp::error::header_limit;
        }
      }
      if (ec == bhttp::error::need_more) break;
      if (ec) return OnRead(ec);
      if (parser_->is_done()) return OnRead({});
      if (parser_->is_header_done()) parser_->eager(true);
      if (used == 0 && ++idle_puts > 1) break;  // no progress twice: wait for bytes
    }
    stream_.async_read_some(buffer_.prepare(ReadSize(buffer_)),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->OnReadError(ec);
                              self->buffer_.commit(n);
                              self->Parse();
                            });
  }

  // As Beast's reads: the end of the stream inside a request is a partial message (400).
  void OnReadError(beast::error_code ec) {
    if (ec == net::error::eof) {
      if (!parser_->got_some()) return OnRead(bhttp::error::end_of_stream);
      parser_->put_eof(ec);
      if (!ec) return OnRead({});
    }
    OnRead(ec);
  }

  void OnRead(beast::error_code ec) {
    timeout_.Clear();
    if (!ec) return Dispatch();
    keep_alive_ = false;
    head_request_ = false;
    request_id_ = NewRequestId();
    if (ec == bhttp::error::body_limit) {
      return Write(ErrorResponse(413, "request body exceeds the limit of " + std::to_string(limits_->max_body_bytes) +
                                          " bytes"));
    }
    if (ec == bhttp::error::header_limit) {
      return Write(ErrorResponse(431, "request headers exceed the limit of " +
                                          std::to_string(limits_->max_header_bytes) + " bytes"));
    }
    if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::bad_descriptor || ec == ssl::error::stream_truncated ||
        ec.category() == net::error::get_ssl_category()) {
      return CloseNow();
    }
    Write(ErrorResponse(400, "malformed HTTP request: " + ec.message()));
  }

  void Dispatch() {
    HttpRequest request = std::move(parser_->request());
    keep_alive_ = parser_->keep_alive();
    http10_ = parser_->version() < 11;
    parser_.reset();
    head_request_ = request.method == "HEAD";
    request.peer = peer_;
    request.client_subject = client_subject_;
    request_id_ = SanitizeRequestId(request.Header("x-request-id"));
    request.request_id = request_id_;
    Responder done = [self = this->shared_from_this()](HttpResponse response) {
      net::dispatch(self->stream_.get_executor(),
                    [self, response = std::move(response)]() mutable { self->Write(std::move(response)); });
    };
    server_->handler->Handle(std::move(request), std::move(done));
  }

  // One buffer for the head (reused across requests), one for the body: one gathered send.
  void Write(HttpResponse r) {
    server_->handler->CountResponse(r.status);
    const bool keep_alive = keep_alive_ && !server_->draining.load();
    // HTTP/1.1 stays open unless told; an HTTP/1.0 client that asked to keep the connection is
    // told it stays open.
    const std::string_view connection = !keep_alive ? "close" : (http10_ ? "keep-alive" : "");
    head_.clear();
    const auto reason = bhttp::obsolete_reason(bhttp::int_to_status(static_cast<unsigned>(r.status)));
    SerializeResponseHead(r, std::string_view(reason.data(), reason.size()), request_id_, connection, &head_);
    body_ = std::move(r.body);
    hold_ = std::move(r.hold);
    // A HEAD answer has the Content-Length of the GET but no body (RFC 9110 9.3.2).
    if (head_request_ || StatusForbidsBody(r.status)) body_.clear();
    if constexpr (kTls) {
      if (body_.size() <= kCoalesceTlsBytes) {
        head_.append(body_);
        body_.clear();
      }
    }
    // A client that does not read its answer cannot hold the connection for ever.
    SetDeadline(limits_->read_timeout_ms);
    // The send is queued behind the requests this thread has already read, not made at once: the
    // answers of one batch then leave back to back, and a client that waits for several of them is
    // woken once instead of once per answer (a cross-CPU wake-up costs more than a small send). At
    // 64 connections on one core this gave 6% more requests/s; alone on its thread, an answer is sent
    // as soon as its handler returns.
    net::post(stream_.get_executor(), [self = this->shared_from_this(), keep_alive] { self->Send(keep_alive); });
  }

  void Send(bool keep_alive) {
    const std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(body_)};
    net::async_write(stream_, buffers, [self = this->shared_from_this(), keep_alive](beast::error_code ec, size_t) {
      self->timeout_.Clear();
      self->hold_.reset();
      self->ReleaseLargeBuffers();
      if (ec) return self->CloseNow();
      if (!keep_alive) return self->CloseGracefully();
      self->busy_ = false;
      self->WaitForRequest();
    });
  }

  // An idle connection keeps small buffers only: a large request or answer does not pin its memory
  // for the connection's life (many idle keep-alive connections must stay cheap).
  void ReleaseLargeBuffers() {
    std::string().swap(body_);
    if (head_.capacity() > kKeptBufferBytes) std::string().swap(head_);
    if (buffer_.size() == 0 && buffer_.capacity() > kKeptBufferBytes) buffer_.shrink_to_fit();
  }

  // After a final answer: TLS sends close_notify (bounded by a short timeout) before closing.
  void CloseGracefully() {
    if constexpr (kTls) {
      if (handshake_done_) {
        SetDeadline(1000);
        stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->CloseNow(); });
        return;
      }
    }
    CloseNow();
  }

  void CloseNow() {
    busy_ = false;
    timeout_.Clear();
    beast::error_code ignored;
    Lowest().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close(ignored);
  }

  std::string peer_;
  Stream stream_;
  LazyDeadline timeout_;
  HttpServer::Impl* server_;
  std::shared_ptr<ssl::context> tls_;  // keeps the context of this connection alive
  beast::flat_buffer buffer_;          // reused by every request of the connection
  std::optional<RequestParser> parser_;
  std::string head_;  // the answer's head; its capacity is reused
  std::string body_;
  std::shared_ptr<const HttpLimits> limits_;
  std::shared_ptr<void> hold_;
  size_t header_bytes_ = 0;
  std::string client_subject_;
  bool handshake_done_ = false;
  bool busy_ = false;
  bool keep_alive_ = true;
  bool http10_ = false;
  bool head_request_ = false;
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
    std::make_shared<Session<ssl::stream<tcp::socket>>>(std::move(socket), this, std::move(tls))->Start();
  } else {
    std::make_shared<Session<tcp::socket>>(std::move(socket), this, nullptr)->Start();
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
  for (size_t i = 0; i < impl_->iocs.size(); ++i) {
    impl_->threads.emplace_back([ioc = impl_->iocs[i].get(), i] {
      NameCurrentThread("http-io-" + std::to_string(i));
      ioc->run();
    });
  }
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
