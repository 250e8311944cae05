// open_loop: an open-loop HTTP load generator, for latency at a fixed offered rate.
//
// wrk is closed-loop: each connection sends its next request only after the last answer, so a slow
// server is offered less load and its stalls hide from the percentiles (coordinated omission).
// Here requests are due at fixed times (Poisson or evenly spaced arrivals at --rate per second),
// whatever the server does; a due request goes out on an idle keep-alive connection, or waits in
// a queue for one, and its latency is measured from the time it was due, so queueing behind a
// slow answer counts. One thread (Boost.Asio), HTTP framing by Beast.
//
// Prints the same `KEY value` lines as post.lua (REQUESTS, DURATION_US, NON200, P50, P90, P99,
// P99.9, all µs) plus OFFERED_RPS, ERRORS and MAX_QUEUED, for bench/load/run_load.py.
//
//   open_loop --url http://127.0.0.1:8000/v2/models/credit_gbdt/infer --body oip.json
//             --rate 20000 --duration 10 --connections 64
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <fstream>
#include <memory>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Settings {
  std::string url;
  std::string body_file;
  std::string content_type = "application/json";
  double rate = 1000;
  double duration_s = 10;
  double warmup_s = 1;
  int connections = 64;
  std::string arrivals = "poisson";
};

struct Target {
  std::string host;
  std::string port;
  std::string path;
};

bool ParseUrl(const std::string& url, Target* out) {
  static const std::regex kUrl(R"(http://([^/:]+):(\d+)(/.*)?)");
  std::smatch m;
  if (!std::regex_match(url, m, kUrl)) return false;
  *out = {m[1], m[2], m[3].matched ? std::string(m[3]) : "/"};
  return true;
}

// The due times of every request of the run, from the start (warm-up included).
std::vector<Clock::duration> Schedule(const Settings& s) {
  std::vector<Clock::duration> due;
  std::mt19937_64 rng(42);
  std::exponential_distribution<double> gap(s.rate);
  const double total_s = s.warmup_s + s.duration_s;
  due.reserve(static_cast<size_t>(s.rate * total_s * 1.1) + 16);
  for (double t = 0; t < total_s;) {
    due.push_back(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(t)));
    t += s.arrivals == "uniform" ? 1.0 / s.rate : gap(rng);
  }
  return due;
}

class Generator;

// One keep-alive connection: sends a request, reads its answer, reports back, repeats.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(net::io_context& io, Generator* owner) : socket_(io), owner_(owner) {}
  tcp::socket& socket() { return socket_; }
  void Send(const std::string& request, Clock::time_point due);

 private:
  tcp::socket socket_;
  Generator* owner_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
  Clock::time_point due_;
};

class Generator {
 public:
  Generator(const Settings& s, Target target, std::string request)
      : settings_(s), target_(std::move(target)), request_(std::move(request)), timer_(io_), due_(Schedule(s)) {}

  int Run() {
    tcp::resolver resolver(io_);
    const auto endpoints = resolver.resolve(target_.host, target_.port);
    for (int i = 0; i < settings_.connections; ++i) {
      auto c = std::make_shared<Connection>(io_, this);
      net::connect(c->socket(), endpoints);
      c->socket().set_option(tcp::no_delay(true));
      idle_.push_back(std::move(c));
    }
    start_ = Clock::now();
    measure_from_ = start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(settings_.warmup_s));
    Tick();
    io_.run();
    Report();
    return 0;
  }

  // A connection finished its request: count it, then give it the oldest waiting request.
  void Done(std::shared_ptr<Connection> c, Clock::time_point due, bool ok, unsigned status) {
    const auto now = Clock::now();
    if (due >= measure_from_) {
      if (!ok) {
        ++errors_;
      } else {
        if (status != 200) ++non200_;
        latencies_us_.push_back(std::chrono::duration<double, std::micro>(now - due).count());
      }
    }
    ++answered_;
    if (!ok) return;  // a broken connection leaves the pool
    if (!queued_.empty()) {
      const Clock::time_point next = queued_.front();
      queued_.pop_front();
      return c->Send(request_, next);
    }
    idle_.push_back(std::move(c));
    if (sent_all_ && answered_ == next_) Stop();
  }

 private:
  // Sends (or queues) every request that is due, then sleeps until the next one.
  void Tick() {
    const auto now = Clock::now();
    while (next_ < due_.size() && start_ + due_[next_] <= now) {
      const Clock::time_point due = start_ + due_[next_++];
      if (idle_.empty()) {
        queued_.push_back(due);
        max_queued_ = std::max(max_queued_, queued_.size());
      } else {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        c->Send(request_, due);
      }
    }
    if (next_ == due_.size()) {
      sent_all_ = true;
      // Give late answers a grace period, then stop whatever is still open.
      timer_.expires_after(std::chrono::seconds(5));
      timer_.async_wait([this](beast::error_code ec) {
        if (!ec) Stop();
      });
      if (answered_ == next_) Stop();
      return;
    }
    timer_.expires_at(start_ + due_[next_]);
    timer_.async_wait([this](beast::error_code ec) {
      if (!ec) Tick();
    });
  }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    io_.stop();
  }

  void Report() {
    std::sort(latencies_us_.begin(), latencies_us_.end());
    auto pct = [&](double p) {
      if (latencies_us_.empty()) return 0.0;
      const size_t i = std::min(latencies_us_.size() - 1, static_cast<size_t>(p / 100.0 * latencies_us_.size()));
      return latencies_us_[i];
    };
    std::printf("OFFERED_RPS %.0f\nREQUESTS %zu\nDURATION_US %.0f\nNON200 %zu\nERRORS %zu\nMAX_QUEUED %zu\n",
                settings_.rate, latencies_us_.size() + errors_, settings_.duration_s * 1e6, non200_, errors_,
                max_queued_);
    std::printf("P50 %.0f\nP90 %.0f\nP99 %.0f\nP99.9 %.0f\nMAX %.0f\n", pct(50), pct(90), pct(99), pct(99.9),
                latencies_us_.empty() ? 0.0 : latencies_us_.back());
  }

  Settings settings_;
  Target target_;
  std::string request_;
  net::io_context io_;
  net::steady_timer timer_;
  std::vector<Clock::duration> due_;
  Clock::time_point start_, measure_from_;
  std::vector<std::shared_ptr<Connection>> idle_;
  std::deque<Clock::time_point> queued_;  // due times of requests waiting for a connection
  size_t next_ = 0, answered_ = 0, max_queued_ = 0, non200_ = 0, errors_ = 0;
  bool sent_all_ = false, stopped_ = false;
  std::vector<double> latencies_us_;
};

void Connection::Send(const std::string& request, Clock::time_point due) {
  due_ = due;
  net::async_write(socket_, net::buffer(request), [self = shared_from_this()](beast::error_code ec, size_t) {
    if (ec) return self->owner_->Done(self, self->due_, false, 0);
    self->response_ = {};
    http::async_read(self->socket_, self->buffer_, self->response_, [self](beast::error_code ec, size_t) {
      self->owner_->Done(self, self->due_, !ec, ec ? 0 : self->response_.result_int());
    });
  });
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  CLI::App app("open-loop HTTP load at a fixed offered rate; latency counted from each request's due time");
  app.add_option("--url", s.url, "http://host:port/path")->required();
  app.add_option("--body", s.body_file, "file whose bytes are POSTed")->required()->check(CLI::ExistingFile);
  app.add_option("--content-type", s.content_type);
  app.add_option("--rate", s.rate, "requests per second offered")->check(CLI::PositiveNumber);
  app.add_option("--duration", s.duration_s, "seconds measured")->check(CLI::PositiveNumber);
  app.add_option("--warmup", s.warmup_s, "seconds sent first and not measured")->check(CLI::NonNegativeNumber);
  app.add_option("--connections", s.connections, "keep-alive connections")->check(CLI::Range(1, 10000));
  app.add_option("--arrivals", s.arrivals, "poisson or uniform")->check(CLI::IsMember({"poisson", "uniform"}));
  CLI11_PARSE(app, argc, argv);

  Target target;
  if (!ParseUrl(s.url, &target)) {
    std::fprintf(stderr, "open_loop: --url must look like http://host:port/path, not '%s'\n", s.url.c_str());
    return 2;
  }
  std::ifstream in(s.body_file, std::ios::binary);
  std::stringstream body;
  body << in.rdbuf();
  http::request<http::string_body> req{http::verb::post, target.path, 11};
  req.set(http::field::host, target.host + ":" + target.port);
  req.set(http::field::content_type, s.content_type);
  req.body() = body.str();
  req.prepare_payload();
  std::ostringstream wire;
  wire << req;
  try {
    return Generator(s, target, wire.str()).Run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "open_loop: %s\n", e.what());
    return 1;
  }
}
