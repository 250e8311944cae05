// The HTTP server's connection handling over raw sockets against the real binary: the lazy
// per-connection deadline (a stalled request and an idle connection are closed, a busy keep-alive
// connection is never cut), pipelined requests answered in order, HEAD answers without a body, and
// HTTP/1.0 keep-alive. Timeouts are short; every wait has a deadline, and only lower bounds of time
// are asserted (a loaded machine can only make the server later, never earlier).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include "integration/example_repository.h"
#include "testing/raw_socket.h"
#include "testing/server_process.h"

namespace finserve::testing {
namespace {

using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kIdleTimeoutMs = 1200;
constexpr int64_t kReadTimeoutMs = 300;

struct Answer {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// Everything the server sends until it closes the connection (or `deadline` passes).
std::string ReadUntilClosed(int fd, milliseconds deadline, bool* closed) {
  const auto end = Clock::now() + deadline;
  std::string data;
  *closed = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(end - Clock::now()).count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) return data;
    char buf[65536];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      *closed = true;
      return data;
    }
    data.append(buf, static_cast<size_t>(n));
  }
}

// Splits a byte stream into consecutive answers; `head_only[i]` marks an answer to HEAD (its
// Content-Length describes a body that is not sent). Stops at the first incomplete answer.
std::vector<Answer> ParseAnswers(const std::string& data, const std::vector<bool>& head_only) {
  std::vector<Answer> answers;
  size_t at = 0;
  while (at < data.size()) {
    const size_t head_end = data.find("\r\n\r\n", at);
    if (head_end == std::string::npos) break;
    Answer a;
    const std::string head = data.substr(at, head_end - at);
    a.status = std::stoi(head.substr(9, 3));
    size_t line = head.find("\r\n");
    while (line != std::string::npos) {
      const size_t next = head.find("\r\n", line + 2);
      const std::string field = head.substr(line + 2, next == std::string::npos ? std::string::npos : next - line - 2);
      const size_t colon = field.find(':');
      std::string name = field.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      a.headers[name] = field.substr(colon + 2);
      line = next;
    }
    const size_t length = a.headers.count("content-length") ? std::stoul(a.headers["content-length"]) : 0;
    const bool bodyless = answers.size() < head_only.size() && head_only[answers.size()];
    at = head_end + 4;
    if (!bodyless) {
      if (data.size() < at + length) break;
      a.body = data.substr(at, length);
      at += length;
    }
    answers.push_back(std::move(a));
  }
  return answers;
}

// A header's value, or "" when the answer lacks it.
std::string HeaderOf(const std::map<std::string, std::string>& headers, const std::string& lower_name) {
  const auto it = headers.find(lower_name);
  return it == headers.end() ? "" : it->second;
}

std::string Get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: finserve\r\n" + extra + "\r\n";
}

class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repository_ = CopyExampleRepository();
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--model-repository", repository_, "--insecure-no-auth", "--threads", "2", "--idle-timeout-ms",
        std::to_string(kIdleTimeoutMs), "--read-timeout-ms", std::to_string(kReadTimeoutMs), "--log-level", "error"});
    ASSERT_TRUE(server_->Start()) << server_->Log();
  }

  int Connect() {
    const int fd = ConnectLoopback(server_->port());
    EXPECT_GE(fd, 0);
    return fd;
  }

  std::string repository_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ConnectionTest, ARequestStalledMidwayIsClosedAfterTheReadTimeout) {
  const int fd = Connect();
  const auto start = Clock::now();
  ASSERT_TRUE(SendBytes(fd, "GET /v2/health/live HTTP/1.1\r\nHost: fin"));
  bool closed = false;
  const std::string data = ReadUntilClosed(fd, seconds(20), &closed);
  EXPECT_TRUE(closed) << "the server did not close a stalled request";
  EXPECT_EQ(data, "") << "a timed-out request gets no answer";
  EXPECT_GE(Clock::now() - start, milliseconds(kReadTimeoutMs - 20));
  ::close(fd);
}

TEST_F(ConnectionTest, AnIdleConnectionIsClosedAfterTheIdleTimeoutNotTheReadTimeout) {
  // Idle well past the read timeout (but within the idle one): still served.
  const int fd = Connect();
  std::this_thread::sleep_for(milliseconds(3 * kReadTimeoutMs));  // the idle time under test
  ASSERT_TRUE(SendBytes(fd, Get("/v2/health/live")));
  const RawAnswer answer = ReadAnswer(fd, seconds(20));
  EXPECT_EQ(answer.status, 200);
  // Then left idle: closed, not before the idle timeout.
  const auto idle_since = Clock::now();
  bool closed = false;
  EXPECT_EQ(ReadUntilClosed(fd, seconds(20), &closed), "");
  EXPECT_TRUE(closed) << "the server did not close an idle connection";
  EXPECT_GE(Clock::now() - idle_since, milliseconds(kIdleTimeoutMs - 20));
  ::close(fd);
}

TEST_F(ConnectionTest, ABusyKeepAliveConnectionSpanningManyTimeoutsIsNeverCut) {
  const int fd = Connect();
  const auto start = Clock::now();
  int served = 0;
  // Requests with pauses shorter than either timeout, for several idle and many read timeouts;
  // some requests arrive in two pieces (each piece well within the read timeout).
  while (Clock::now() - start < milliseconds(3 * kIdleTimeoutMs)) {
    const std::string request = Get("/v2/health/live", "X-Request-Id: busy-" + std::to_string(served) + "\r\n");
    if (served % 3 == 0) {
      ASSERT_TRUE(SendBytes(fd, request.substr(0, 20)));
      std::this_thread::sleep_for(milliseconds(kReadTimeoutMs / 6));  // the pace under test
      ASSERT_TRUE(SendBytes(fd, request.substr(20)));
    } else {
      ASSERT_TRUE(SendBytes(fd, request)) << "cut after " << served << " requests";
    }
    const RawAnswer answer = ReadAnswer(fd, seconds(20));
    ASSERT_EQ(answer.status, 200) << "cut after " << served << " requests";
    EXPECT_EQ(HeaderOf(answer.headers, "x-request-id"), "busy-" + std::to_string(served));
    ++served;
    std::this_thread::sleep_for(milliseconds(kReadTimeoutMs / 3));  // the pace under test
  }
  EXPECT_GE(served, 10);
  ::close(fd);
}

TEST_F(ConnectionTest, PipelinedRequestsAreAnsweredInOrder) {
  const int fd = Connect();
  std::string requests;
  const int count = 20;
  for (int i = 0; i < count; ++i) {
    const std::string path = i % 3 == 0 ? "/v2/health/live" : (i % 3 == 1 ? "/v2/models/credit_gbdt" : "/v2/nowhere");
    requests += Get(path, "X-Request-Id: pipe-" + std::to_string(i) + "\r\n" + (i + 1 == count ? "Connection: close\r\n" : ""));
  }
  ASSERT_TRUE(SendBytes(fd, requests));  // all at once: they reach the server in one or a few reads
  bool closed = false;
  const std::string data = ReadUntilClosed(fd, seconds(30), &closed);
  EXPECT_TRUE(closed) << "Connection: close on the last request";
  const auto answers = ParseAnswers(data, {});
  ASSERT_EQ(answers.size(), static_cast<size_t>(count)) << data;
  for (int i = 0; i < count; ++i) {
    EXPECT_EQ(HeaderOf(answers[i].headers, "x-request-id"), "pipe-" + std::to_string(i));
    EXPECT_EQ(answers[i].status, i % 3 == 2 ? 404 : 200) << i << ": " << answers[i].body;
    if (i % 3 == 1) {
      EXPECT_THAT(answers[i].body, HasSubstr("\"name\":\"credit_gbdt\""));
    }
  }
  EXPECT_EQ(HeaderOf(answers.back().headers, "connection"), "close");
  ::close(fd);
}

TEST_F(ConnectionTest, AHeadAnswerHasTheLengthButNoBodyAndTheConnectionGoesOn) {
  const int fd = Connect();
  const std::string head = "HEAD /v2/health/live HTTP/1.1\r\nHost: finserve\r\n\r\n";
  ASSERT_TRUE(SendBytes(fd, head + Get("/v2/health/live", "Connection: close\r\n")));
  bool closed = false;
  const std::string data = ReadUntilClosed(fd, seconds(20), &closed);
  const auto answers = ParseAnswers(data, {true});
  ASSERT_EQ(answers.size(), 2u) << data;
  EXPECT_EQ(answers[0].status, 200) << "HEAD is GET without the body: " << data;
  EXPECT_NE(HeaderOf(answers[0].headers, "content-length"), "");
  EXPECT_NE(HeaderOf(answers[0].headers, "content-length"), "0");
  EXPECT_EQ(answers[0].body, "");
  EXPECT_EQ(answers[1].status, 200) << "the HEAD answer's length was taken for a body: " << data;
  EXPECT_THAT(answers[1].body, HasSubstr("live"));
  ::close(fd);
}

TEST_F(ConnectionTest, Http10ClosesUnlessAskedToKeepAlive) {
  {
    const int fd = Connect();
    ASSERT_TRUE(SendBytes(fd, "GET /v2/health/live HTTP/1.0\r\n\r\n"));
    bool closed = false;
    const auto answers = ParseAnswers(ReadUntilClosed(fd, seconds(20), &closed), {});
    EXPECT_TRUE(closed);
    ASSERT_EQ(answers.size(), 1u);
    EXPECT_EQ(answers[0].status, 200);
    EXPECT_EQ(HeaderOf(answers[0].headers, "connection"), "close");
    ::close(fd);
  }
  const int fd = Connect();
  ASSERT_TRUE(SendBytes(fd, "GET /v2/health/live HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  const RawAnswer first = ReadAnswer(fd, seconds(20));
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(HeaderOf(first.headers, "connection"), "keep-alive");
  ASSERT_TRUE(SendBytes(fd, "GET /v2/health/ready HTTP/1.0\r\n\r\n"));
  const RawAnswer second = ReadAnswer(fd, seconds(20));
  EXPECT_EQ(second.status, 200) << "the connection was kept for a second request";
  ::close(fd);
}

}  // namespace
}  // namespace finserve::testing
