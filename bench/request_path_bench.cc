// The HTTP request path without sockets: RequestHandler (routing, limits, access) -> OIP JSON
// decode -> InferenceService (route, validate, scheduler) -> the credit model -> JSON answer, on
// the bundled example model with one applicant per request. Reports time and heap allocations
// per request (a counting global operator new), the number docs/performance.md records.
// The replaced operator new/delete pair malloc with free, which GCC cannot see through.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <new>
#include <sstream>

#include "http/request_handler.h"
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
  Fixture() {
    repository::ModelManager::Options options;
    options.repository = std::string(FINSERVE_SOURCE_DIR) + "/examples/model-repository";
    options.load.prepare = serving::ModelStatePrepareHook();
    manager = std::make_unique<repository::ModelManager>(options);
    if (!manager->ReconcileAll().ok()) std::abort();
    service = std::make_unique<serving::InferenceService>(manager.get(), serving::ServiceOptions{});
    limits = std::make_shared<http::LiveLimits>(http::HttpLimits{});
    http::Router router;
    http::AddV2Routes(&router, service.get(), http::RouteOptions{limits});
    handler = std::make_unique<http::RequestHandler>(std::move(router), service.get(), limits);
  }
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

}  // namespace
}  // namespace finserve

BENCHMARK_MAIN();
