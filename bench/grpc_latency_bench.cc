// Latency of one inference over gRPC (unary ModelInfer, typed and raw contents) against the same
// request over HTTP/JSON (POST /v2/models/credit_gbdt/infer) on the same server in the same run:
// closed loop, N client threads each with its own channel / keep-alive connection, for a fixed
// time per configuration. Starts the real finserve binary on the bundled example repository
// (authentication off, loopback). Prints one table row per (protocol, clients).
//
//   grpc_latency_bench [--seconds S] [--clients 1,16] [--threads T]
#include <algorithm>
#include <cmath>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/create_channel.h>
#include <nlohmann/json.hpp>

#include "grpc_service.grpc.pb.h"
#include "testing/http_client.h"
#include "testing/server_process.h"

namespace finserve::bench {
namespace {

using Clock = std::chrono::steady_clock;

// One channel with its own connection per client thread (gRPC would otherwise share one
// subchannel between channels with equal arguments).
std::shared_ptr<::grpc::Channel> OwnChannel(int port) {
  ::grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return ::grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port), ::grpc::InsecureChannelCredentials(), args);
}

struct Options {
  double seconds = 10;
  std::vector<int> clients = {1, 16};
  int server_threads = 0;
};

std::string SourcePath(const std::string& relative) { return std::string(FINSERVE_SOURCE_DIR) + "/" + relative; }

std::string ReadFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  std::string out;
  if (!f) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

inference::ModelInferRequest GrpcRequest(const nlohmann::json& example, bool raw) {
  inference::ModelInferRequest m;
  m.set_model_name("credit_gbdt");
  const auto& input = example["inputs"][0];
  auto* tensor = m.add_inputs();
  tensor->set_name(input["name"].get<std::string>());
  tensor->set_datatype("FP32");
  for (const auto& d : input["shape"]) tensor->add_shape(d.get<int64_t>());
  std::vector<float> values;
  for (const auto& row : input["data"]) {
    for (const auto& v : row) values.push_back(v.is_null() ? NAN : v.get<float>());
  }
  if (raw) {
    m.add_raw_input_contents(std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4));
  } else {
    for (float v : values) tensor->mutable_contents()->add_fp32_contents(v);
  }
  return m;
}

struct Row {
  std::string protocol;
  int clients = 0;
  int64_t requests = 0, errors = 0;
  double seconds = 0;
  std::vector<double> latencies_us;
};

// Runs `call` (returns true on success) in `clients` threads for `seconds`; each thread makes
// its own client with `make`.
template <typename Make>
Row RunClosedLoop(const std::string& protocol, int clients, double seconds, Make make) {
  Row row;
  row.protocol = protocol;
  row.clients = clients;
  std::vector<std::vector<double>> per_thread(static_cast<size_t>(clients));
  std::atomic<int64_t> errors{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&, t] {
      auto call = make();
      for (int i = 0; i < 20; ++i) call();  // warm the connection up
      while (!stop.load(std::memory_order_relaxed)) {
        const auto t0 = Clock::now();
        const bool ok = call();
        const auto t1 = Clock::now();
        if (!ok) errors.fetch_add(1);
        per_thread[static_cast<size_t>(t)].push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : threads) th.join();
  row.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& v : per_thread) row.latencies_us.insert(row.latencies_us.end(), v.begin(), v.end());
  row.requests = static_cast<int64_t>(row.latencies_us.size());
  row.errors = errors.load();
  return row;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

void Print(Row& row) {
  const double p50 = Percentile(row.latencies_us, 0.50), p90 = Percentile(row.latencies_us, 0.90),
               p99 = Percentile(row.latencies_us, 0.99);
  std::printf("| %-22s | %3d | %9.0f | %7.1f | %7.1f | %7.1f | %lld |\n", row.protocol.c_str(), row.clients,
              static_cast<double>(row.requests) / row.seconds, p50, p90, p99, static_cast<long long>(row.errors));
  std::fflush(stdout);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--seconds") o.seconds = std::stod(value);
    else if (flag == "--threads") o.server_threads = std::stoi(value);
    else if (flag == "--clients") {
      o.clients.clear();
      for (size_t at = 0; at < value.size();) {
        const size_t comma = value.find(',', at);
        o.clients.push_back(std::stoi(value.substr(at, comma - at)));
        at = comma == std::string::npos ? value.size() : comma + 1;
      }
    }
  }
  return o;
}

int Main(int argc, char** argv) {
  const Options options = Parse(argc, argv);
  const nlohmann::json example = nlohmann::json::parse(ReadFile(SourcePath("examples/requests/credit_gbdt_infer.json")));
  const std::string body = example.dump();
  const auto typed = GrpcRequest(example, false);
  const auto raw = GrpcRequest(example, true);
  const std::string repository = testing::MakeTempDir("finserve-bench") + "/repo";
  testing::CopyTree(SourcePath("examples/model-repository"), repository);
  testing::ServerProcess server({"--model-repository", repository, "--insecure-no-auth", "--grpc-port", "0",
                                 "--threads", std::to_string(options.server_threads), "--log-level", "warn"});
  if (!server.Start()) {
    std::fprintf(stderr, "server did not start:\n%s\n", server.Log().c_str());
    return 1;
  }
  std::printf("| protocol               | clients | req/s | p50 µs | p90 µs | p99 µs | errors |\n"
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (int clients : options.clients) {
    for (const auto* request : {&typed, &raw}) {
      Row row = RunClosedLoop(request == &typed ? "gRPC ModelInfer typed" : "gRPC ModelInfer raw", clients,
                              options.seconds, [&] {
                                auto stub = inference::GRPCInferenceService::NewStub(OwnChannel(server.grpc_port()));
                                return [stub = std::shared_ptr(std::move(stub)), request] {
                                  ::grpc::ClientContext context;
                                  inference::ModelInferResponse response;
                                  return stub->ModelInfer(&context, *request, &response).ok();
                                };
                              });
      Print(row);
    }
    Row http = RunClosedLoop("HTTP/JSON infer", clients, options.seconds, [&] {
      auto client = std::make_shared<testing::HttpClient>(server.port());
      return [client, &body] { return client->Post("/v2/models/credit_gbdt/infer", body).status == 200; };
    });
    Print(http);
  }
  return 0;
}

}  // namespace
}  // namespace finserve::bench

int main(int argc, char** argv) { return finserve::bench::Main(argc, argv); }
