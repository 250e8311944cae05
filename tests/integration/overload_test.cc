// The server-wide bound on in-flight requests: past --max-in-flight the server answers 503 with
// Retry-After at once instead of queueing, and recovers as soon as requests finish.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "integration/example_repository.h"
#include "testing/http_client.h"
#include "testing/raw_socket.h"
#include "testing/server_process.h"

namespace finserve::testing {
namespace {

using ::testing::HasSubstr;

TEST(OverloadTest, InFlightBoundAnswers503AtOnceAndRecovers) {
  const std::string repository = CopyExampleRepository();
  const std::string state_dir = MakeTempDir("finserve-overload") + "/state";
  const std::string key = CreateKey(state_dir, "app", "infer");
  ServerProcess server({"--model-repository", repository, "--state-dir", state_dir, "--max-in-flight", "1",
                        "--read-timeout-ms", "60000", "--threads", "2"});
  ASSERT_TRUE(server.Start()) << server.Log();

  // A client pipelines thousands of requests and never reads: once the socket buffers are full,
  // the server's answer to it cannot be written, and that request holds the only in-flight slot.
  const int hog = ConnectLoopback(server.port(), /*receive_buffer=*/4096);
  ASSERT_GE(hog, 0);
  const std::string one = "GET /v2/models/credit_gbdt HTTP/1.1\r\nHost: finserve\r\nAuthorization: Bearer " + key + "\r\n\r\n";
  std::string pipelined;
  for (int i = 0; i < 20000; ++i) pipelined += one;
  size_t sent = 0;
  while (sent < pipelined.size()) {
    const ssize_t n = ::send(hog, pipelined.data() + sent, pipelined.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n <= 0) break;  // the server stopped reading: it is stuck writing to us
    sent += static_cast<size_t>(n);
  }

  HttpClient client(server.port());
  const std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + key}};
  HttpResult refused;
  ASSERT_TRUE(WaitFor(
      [&] {
        refused = client.Get("/v2/models/credit_gbdt", auth);
        return refused.status == 503;
      },
      std::chrono::seconds(30)))
      << "last answer: " << refused.status << " " << refused.body;
  EXPECT_EQ(refused.headers["retry-after"], "1");
  EXPECT_THAT(refused.body, HasSubstr("maximum of 1 requests"));
  EXPECT_EQ(client.Get("/v2/health/ready").status, 200) << "health is exempt from the bound";

  ::close(hog);  // the stuck answer fails, its slot is freed
  EXPECT_TRUE(WaitFor([&] { return client.Get("/v2/models/credit_gbdt", auth).status == 200; }, std::chrono::seconds(30)));
}

// Concurrent requests never see each other's data (the class of bug of Triton #7171): two clients
// hammer the server with different applicants, and every answer must be its own request's.
TEST(OverloadTest, ConcurrentRequestsNeverShareData) {
  const std::string repository = CopyExampleRepository();
  ServerProcess server({"--model-repository", repository, "--insecure-no-auth", "--threads", "2"});
  ASSERT_TRUE(server.Start()) << server.Log();
  const nlohmann::json example = ExampleRequest();
  std::vector<std::string> bodies;
  std::vector<nlohmann::json> expected;
  HttpClient reference(server.port());
  for (int row = 0; row < 2; ++row) {
    nlohmann::json one = example;
    one["id"] = "applicant-" + std::to_string(row);
    one["inputs"][0]["shape"] = {1, 25};
    one["inputs"][0]["data"] = {example["inputs"][0]["data"][row]};
    bodies.push_back(one.dump());
    auto res = reference.Post("/v2/models/credit_gbdt/infer", bodies.back());
    ASSERT_EQ(res.status, 200) << res.body;
    expected.push_back(nlohmann::json::parse(res.body));
  }
  ASSERT_NE(expected[0]["outputs"], expected[1]["outputs"]);
  std::atomic<int> mismatches{0}, answered{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      HttpClient client(server.port());
      for (int i = 0; i < 200; ++i) {
        const int row = (c + i) % 2;
        auto res = client.Post("/v2/models/credit_gbdt/infer", bodies[static_cast<size_t>(row)]);
        if (res.status != 200 || nlohmann::json::parse(res.body) != expected[static_cast<size_t>(row)]) ++mismatches;
        ++answered;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(answered.load(), 800);
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace finserve::testing
