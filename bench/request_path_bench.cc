// The HTTP request path without sockets: RequestHandler (routing, limits, access) -> OIP JSON
// decode -> InferenceService (route, validate, scheduler) -> the credit model -> JSON answer, on
// the bundled example model with one applicant per request. Reports time and heap allocations
// per request (a counting global operator new), the number docs/performance.md records.
// BM_OipInferAudited adds the decision audit log (a real one in a temporary directory, fsync
// policy `interval` so the disk does not set the pace): up to 64 requests in flight, answers on
// the log's flusher thread, process CPU time and allocations (all threads) per request.
// The replaced operator new/delete pair malloc with free, which GCC cannot see through.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <benchmark/benchmark.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <new>
#include <sstream>

#include <unistd.h>

#include "http/request_handler.h"
#include "audit/audit_log.h"
#include "http/routes.h"
#include "repository/manager.h"
#include "serving/inference_service.h"
#include "serving/model_state.h"

namespace {
std::atomic<int64_t> g_allocations{0};
}  // namespace

void* operator new(size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace finserve {
namespace {

std::string OneApplicantBody() {
  return R"({"inputs":[{"name":"features","datatype":"FP32","shape":[1,25],"data":)"
         R"([10.0,0.0,0.0,0.0,0.0,1.0,0.0,60.0,50.0,0.0,0.0,1.0,0.0,0.0,0.0,1.0,0.0,0.0,0.0,35.0,147.0,0.0,0.0,1080.0,1152.0]}]})";
}

struct Fixture {
  explicit Fixture(bool audited = false) {
    repository::ModelManager::Options options;
    options.repository = std::string(FINSERVE_SOURCE_DIR) + "/examples/model-repository";
    options.load.prepare = serving::ModelStatePrepareHook();
    manager = std::make_unique<repository::ModelManager>(options);
    if (!manager->ReconcileAll().ok()) std::abort();
    serving::ServiceOptions service_options;
    if (audited) {
      audit_dir = std::filesystem::temp_directory_path() / ("request_path_bench_audit_" + std::to_string(::getpid()));
      audit::LogOptions log_options;
      log_options.directory = audit_dir.string();
      log_options.fsync = audit::FsyncPolicy::kInterval;
      auto log = audit::AuditLog::Open(log_options);
      if (!log.ok()) std::abort();
      audit_log = std::move(log).value();
      serving::DecisionAuditOptions audit_options;
      audit_options.log = audit_log.get();
      auditor = std::make_unique<serving::DecisionAuditor>(std::move(audit_options));
      service_options.audit = auditor.get();
    }
    service = std::make_unique<serving::InferenceService>(manager.get(), service_options);
    limits = std::make_shared<http::LiveLimits>(http::HttpLimits{});
    http::Router router;
    http::AddV2Routes(&router, service.get(), http::RouteOptions{limits});
    handler = std::make_unique<http::RequestHandler>(std::move(router), service.get(), limits);
  }
  ~Fixture() {
    handler.reset();
    service.reset();
    if (audit_log) (void)audit_log->Close();
    audit_log.reset();
    if (!audit_dir.empty()) std::filesystem::remove_all(audit_dir);
  }
  std::filesystem::path audit_dir;
  std::unique_ptr<audit::AuditLog> audit_log;
  std::unique_ptr<serving::DecisionAuditor> auditor;
  std::unique_ptr<repository::ModelManager> manager;
  std::unique_ptr<serving::InferenceService> service;
  std::shared_ptr<http::LiveLimits> limits;
  std::unique_ptr<http::RequestHandler> handler;
};

void BM_OipInferOneApplicant(benchmark::State& state) {
  static Fixture fixture;
  const std::string body = OneApplicantBody();
  int64_t status_sum = 0;
  int64_t allocations = 0;
  for (auto _ : state) {
    http::HttpRequest request;
    request.method = "POST";
    request.target = "/v2/models/credit_gbdt/infer";
    request.body = body;  // the server hands the body over by move; this copy is one allocation
    const int64_t before = g_allocations.load(std::memory_order_relaxed);
    fixture.handler->Handle(std::move(request), [&](http::HttpResponse r) { status_sum += r.status; });
    allocations += g_allocations.load(std::memory_order_relaxed) - before;
  }
  if (status_sum != 200 * static_cast<int64_t>(state.iterations())) state.SkipWithError("a request failed");
  state.counters["allocs_per_request"] = benchmark::Counter(static_cast<double>(allocations) / state.iterations());
}
BENCHMARK(BM_OipInferOneApplicant);

// Answers arrive on the audit log's thread; the loop keeps up to kWindow requests in flight.
void BM_OipInferAudited(benchmark::State& state) {
  static Fixture fixture(/*audited=*/true);
  constexpr int64_t kWindow = 64;
  const std::string body = OneApplicantBody();
  std::mutex mu;
  std::condition_variable cv;
  int64_t sent = 0, answered = 0, ok = 0;
  auto wait_until = [&](int64_t at_most_in_flight) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return sent - answered <= at_most_in_flight; });
  };
  const int64_t before = g_allocations.load(std::memory_order_relaxed);
  for (auto _ : state) {
    wait_until(kWindow - 1);
    http::HttpRequest request;
    request.method = "POST";
    request.target = "/v2/models/credit_gbdt/infer";
    request.body = body;
    {
      std::lock_guard lock(mu);
      ++sent;
    }
    fixture.handler->Handle(std::move(request), [&](http::HttpResponse r) {
      std::lock_guard lock(mu);
      ++answered;
      ok += r.status == 200;
      cv.notify_one();
    });
  }
  wait_until(0);
  const int64_t allocations = g_allocations.load(std::memory_order_relaxed) - before;
  if (ok != static_cast<int64_t>(state.iterations())) state.SkipWithError("a request failed");
  state.counters["allocs_per_request"] = benchmark::Counter(static_cast<double>(allocations) / state.iterations());
}
BENCHMARK(BM_OipInferAudited)->MeasureProcessCPUTime()->UseRealTime();

}  // namespace
}  // namespace finserve

BENCHMARK_MAIN();
