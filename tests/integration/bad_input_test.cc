// The bad-input suite: every tests/cases/bad_input/*.case file is sent over a raw socket to the
// real server (with authentication on and short timeouts); each must get its expected status and
// message, and afterwards the server must still answer correctly, with bounded memory (release).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <poll.h>

#include "integration/bad_input_case.h"
#include "integration/example_repository.h"
#include "testing/http_client.h"
#include "testing/raw_socket.h"
#include "testing/server_process.h"
#include "testing/xgboost_reference.h"

namespace finserve::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kMaxConnections = 2000;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

std::vector<BadInputCase> LoadCases() {
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(SourceDir() + "/tests/cases/bad_input")) {
    if (entry.path().extension() == ".case") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<BadInputCase> cases;
  for (const auto& path : paths) {
    BadInputCase c;
    std::string error;
    EXPECT_TRUE(ParseBadInputCase(path, &c, &error)) << error;
    cases.push_back(std::move(c));
  }
  return cases;
}

int64_t ResidentKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

void RaiseOpenFileLimit() {
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  limit.rlim_cur = limit.rlim_max;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &limit), 0);
  ASSERT_GE(limit.rlim_cur, 3000u) << "the idle-connection cases need a few thousand descriptors";
}

class BadInputSuite : public ::testing::Test {
 protected:
  void SetUp() override {
    RaiseOpenFileLimit();
    repository_ = CopyExampleRepository();
    state_dir_ = MakeTempDir("finserve-bad-input") + "/state";
    keys_["infer"] = CreateKey(state_dir_, "suite", "infer");
    keys_["limited"] = CreateKey(state_dir_, "limited", "infer", {"--rate", "0.001", "--burst", "1"});
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--model-repository", repository_, "--state-dir", state_dir_, "--threads", "2",
        "--max-connections", std::to_string(kMaxConnections), "--idle-timeout-ms", "30000", "--read-timeout-ms", "500",
        "--max-body-bytes", "1048576", "--max-header-bytes", "8192", "--max-url-bytes", "2048",
        "--max-json-depth", "32", "--max-tensor-elements", "100000", "--max-inputs", "4", "--log-level", "error"});
    ASSERT_TRUE(server_->Start()) << server_->Log();
  }

  std::string AuthHeader(const std::string& auth) {
    if (auth == "none") return "";
    if (auth == "basic") return "Authorization: Basic dXNlcjpwYXNz";
    if (auth == "unknown") return "Authorization: Bearer fsk_" + std::string(43, 'Z');
    return "Authorization: Bearer " + keys_.at(auth);
  }

  RawAnswer Exchange(const std::string& bytes, size_t chunk = 0, milliseconds interval = milliseconds(0)) {
    const int fd = ConnectLoopback(server_->port());
    if (fd < 0) return RawAnswer{};
    SendBytes(fd, bytes, chunk, interval);
    RawAnswer answer = ReadAnswer(fd, seconds(20));
    ::close(fd);
    return answer;
  }

  RawAnswer Ready() { return Exchange("GET /v2/health/ready HTTP/1.1\r\nHost: finserve\r\n\r\n"); }

  // Opens `count` idle connections: beyond --max-connections they must be refused with 503 at once,
  // and the server must serve again once they are gone.
  void RunIdle(const BadInputCase& c, const std::string& bytes);
  void RunCase(const BadInputCase& c);

  json GoodAnswer() {
    HttpClient client(server_->port());
    auto res = client.Post("/v2/models/credit_gbdt/infer", ExampleRequest().dump(),
                           {{"Authorization", "Bearer " + keys_.at("infer")}});
    EXPECT_EQ(res.status, 200) << res.body << res.error;
    return json::parse(res.body, nullptr, false);
  }

  std::string repository_, state_dir_;
  std::map<std::string, std::string> keys_;
  std::unique_ptr<ServerProcess> server_;
};

void BadInputSuite::RunIdle(const BadInputCase& c, const std::string& bytes) {
  std::vector<int> fds;
  for (int i = 0; i < c.count; ++i) {
    const int fd = ConnectLoopback(server_->port());
    ASSERT_GE(fd, 0) << "connection " << i;
    fds.push_back(fd);
  }
  const int excess = std::max(0, c.count - kMaxConnections);
  std::vector<int> refused;
  // Refused connections get their 503 at once; collect them until all the excess has been seen.
  WaitFor(
      [&] {
        std::vector<pollfd> polls;
        for (int fd : fds) polls.push_back({fd, POLLIN, 0});
        ::poll(polls.data(), polls.size(), 0);
        refused.clear();
        for (const auto& p : polls) {
          if (p.revents & (POLLIN | POLLHUP)) refused.push_back(p.fd);
        }
        return static_cast<int>(refused.size()) >= excess;
      },
      seconds(60));
  EXPECT_GE(static_cast<int>(refused.size()), excess) << c.name;
  if (excess == 0) {
    EXPECT_TRUE(refused.empty()) << c.name << ": idle connections under the cap are kept";
  } else if (!refused.empty()) {
    RawAnswer first = ReadAnswer(refused.front(), seconds(5));
    EXPECT_EQ(first.status, 503) << c.name;
    EXPECT_THAT(first.body, HasSubstr(c.expect_body)) << c.name;
  }
  // While they are open, a new connection is served (under the cap) or refused (cap reached).
  RawAnswer fresh = Exchange(bytes);
  EXPECT_EQ(fresh.status, c.expect_status) << c.name << ": " << fresh.body;
  if (excess == 0) {
    EXPECT_EQ(refused.size(), 0u);
  }
  for (int fd : fds) ::close(fd);
  EXPECT_TRUE(WaitFor([&] { return Ready().status == 200; }, seconds(30))) << c.name << ": server serves again";
}

void BadInputSuite::RunCase(const BadInputCase& c) {
  const std::string bytes = BuildRequestBytes(c, AuthHeader(c.auth));
  if (c.kind == "idle") return RunIdle(c, bytes);
  RawAnswer answer;
  for (int i = 0; i < c.repeat; ++i) {
    if (c.kind == "slow") {
      answer = Exchange(bytes, static_cast<size_t>(c.chunk), milliseconds(c.interval_ms));
    } else {
      answer = Exchange(bytes);
    }
  }
  if (c.expect_status == 0) {
    EXPECT_EQ(answer.status, 0) << c.name << ": expected the server to close the connection";
    EXPECT_TRUE(answer.closed) << c.name << ": the server did not close the connection in time";
    return;
  }
  EXPECT_EQ(answer.status, c.expect_status) << c.name << " (" << c.description << "): " << answer.body;
  const json body = json::parse(answer.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << c.name << ": the answer is not a JSON object: " << answer.body;
  if (c.expect_status >= 400) {
    ASSERT_TRUE(body.contains("error") && body["error"].is_string()) << c.name << ": " << answer.body;
    EXPECT_THAT(body["error"].get<std::string>(), HasSubstr(c.expect_body)) << c.name;
  }
  for (const auto& header : c.expect_headers) EXPECT_TRUE(answer.headers.count(header)) << c.name << ": " << header;
}

TEST_F(BadInputSuite, EveryCaseGetsItsAnswerAndTheServerStaysCorrect) {
  const auto cases = LoadCases();
  ASSERT_GE(cases.size(), 40u);
  const json before = GoodAnswer();
  ASSERT_TRUE(before.is_object());
  const int64_t rss_start = ResidentKib(server_->pid());
  const int passes = kSanitized ? 1 : 2;
  std::vector<int64_t> rss_after;
  for (int pass = 0; pass < passes; ++pass) {
    for (const auto& c : cases) {
      SCOPED_TRACE(c.name);
      RunCase(c);
      ASSERT_EQ(Ready().status, 200) << "the server stopped answering after " << c.name;
    }
    rss_after.push_back(ResidentKib(server_->pid()));
  }
  std::printf("bad-input suite: %zu cases x %d passes; VmRSS %lld KiB at start, after each pass:", cases.size(),
              passes, static_cast<long long>(rss_start));
  for (int64_t r : rss_after) std::printf(" %lld", static_cast<long long>(r));
  std::printf(" KiB\n");

  // Still answering correctly: the same answer as before the suite, and XGBoost's own.
  const json after = GoodAnswer();
  EXPECT_EQ(after, before);
  size_t rows = 0, cols = 0;
  const auto matrix = ExampleRows(ExampleRequest(), &rows, &cols);
  const auto expected = XgboostPredict(repository_ + "/credit_gbdt/1/model.json", matrix, rows, cols, XgboostOutput::kValue);
  for (const auto& out : after["outputs"]) {
    if (out["name"] != "probability") continue;
    for (size_t i = 0; i < rows; ++i) EXPECT_NEAR(out["data"][i].get<float>(), expected[i], 1e-6);
  }
  if (kSanitized) {
    GTEST_SKIP() << "memory bound not checked under AddressSanitizer (its quarantine and shadow memory dominate RSS)";
  }
  // Bounded: the second pass (the same cases again) must not grow the server by more than 32 MiB,
  // and the whole suite (thousands of connections included) by more than 256 MiB.
  EXPECT_LT(rss_after[1] - rss_after[0], 32 * 1024) << "memory grows with every pass";
  EXPECT_LT(rss_after[1] - rss_start, 256 * 1024);
}

}  // namespace
}  // namespace finserve::testing
