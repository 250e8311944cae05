// Audit log overhead per decision (docs/performance.md): what a request thread pays to seal and
// enqueue its record, and records per second through the writer with grouped fsync and with an
// fsync per record, against the peer of no audit at all (building the record only).
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <semaphore>
#include <string>

#include "audit/audit_log.h"
#include "audit/crypto.h"
#include "core/json_writer.h"

namespace finserve::audit {
namespace {

// A decision record the size of a real one (credit model, 3 outputs, digests, principal).
std::string DecisionFields(int64_t i) {
  JsonWriter w;
  w.BeginObject().Field("type", "decision").Field("time", "2026-11-22T10:00:00.123456Z");
  w.Field("request_id", "7f3a9c0e5b1d4f2a8c6e0b9d3f5a7c1e-" + std::to_string(i)).Field("client_id", "app-42");
  w.Field("route", "infer").Key("principal").BeginObject().Field("kind", "key").Field("name", "scorer").EndObject();
  w.Field("model", "credit_gbdt").Field("version", int64_t{3}).Field("model_file", "model.json");
  w.Field("model_sha256", std::string(64, 'a')).Field("config_sha256", std::string(64, 'b'));
  w.Field("platform", "xgboost_json").Field("kernel", "avx512").Field("build", "3f41fc7abcde");
  w.Key("inputs_digest").BeginObject().Field("alg", "hmac-sha256").Field("value", std::string(64, 'c')).EndObject();
  w.Key("outputs").BeginArray().BeginObject().Field("name", "probabilities").Field("datatype", "FP32");
  w.Key("shape").BeginArray().Int(1).Int(2).EndArray().Key("data").BeginArray().Float(0.8125f).Float(0.1875f);
  w.EndArray().EndObject().EndArray().Field("outputs_sha256", std::string(64, 'd')).EndObject();
  return w.Take();
}

std::string FreshDir() {
  static std::atomic<int> n{0};
  std::string dir = "/tmp/finserve-audit-bench-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
  std::filesystem::remove_all(dir);
  return dir;
}

std::unique_ptr<AuditLog> OpenLog(FsyncPolicy policy, const std::string& dir, int64_t preallocate_bytes = 0) {
  static auto key = [] {
    auto pair = GenerateEd25519();
    return std::make_shared<const SigningKey>(*SigningKey::FromPem(pair->private_pem, "bench"));
  }();
  LogOptions o;
  o.directory = dir;
  o.fsync = policy;
  o.group_commit_ms = 2;
  o.preallocate_bytes = preallocate_bytes;
  o.signing_key = key;
  return std::move(AuditLog::Open(o)).value();
}

// Peer: the work a request does without an audit log (building the record text only).
void BM_BuildRecordOnly(benchmark::State& state) {
  int64_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(DecisionFields(i++));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BuildRecordOnly);

// Many request threads, each keeping `depth` records in flight (like that many connections):
// records/s is the writer's throughput under the policy; CPU time per record is the overhead.
// Third argument: LogOptions::preallocate_bytes (0: every batch extends the file).
void BM_Commit(benchmark::State& state) {
  static std::unique_ptr<AuditLog> log;
  static std::string dir;
  const auto policy = static_cast<FsyncPolicy>(state.range(0));
  if (state.thread_index() == 0) log = OpenLog(policy, dir = FreshDir(), state.range(2));
  int64_t i = state.thread_index() * 1'000'000'000ll;
  const auto depth = static_cast<std::ptrdiff_t>(state.range(1));
  std::counting_semaphore<1 << 20> slots(depth);
  for (auto _ : state) {
    slots.acquire();
    log->CommitAsync(DecisionFields(i++), [&slots](Result<uint64_t> seq) {
      benchmark::DoNotOptimize(seq);
      slots.release();
    });
  }
  for (std::ptrdiff_t k = 0; k < depth; ++k) slots.acquire();
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::string(policy == FsyncPolicy::kGroup ? "group" : policy == FsyncPolicy::kAlways ? "always" : "interval") +
                 (state.range(2) > 0 ? " prealloc" : ""));
  if (state.thread_index() == 0) {
    (void)log->Close();
    log.reset();
    std::filesystem::remove_all(dir);
  }
}
constexpr int kPrealloc = 8 << 20;
BENCHMARK(BM_Commit)
    ->Args({static_cast<int>(FsyncPolicy::kGroup), 256, 0})
    ->Args({static_cast<int>(FsyncPolicy::kGroup), 256, kPrealloc})
    ->Args({static_cast<int>(FsyncPolicy::kAlways), 256, 0})
    ->Args({static_cast<int>(FsyncPolicy::kAlways), 256, kPrealloc})
    ->Args({static_cast<int>(FsyncPolicy::kInterval), 256, 0})
    ->Args({static_cast<int>(FsyncPolicy::kInterval), 256, kPrealloc})
    ->Threads(4)
    ->UseRealTime()
    ->MinTime(2.0);

// What the request thread pays: seal + enqueue (hashing, chaining, checkpoint signing every 1000),
// while the flusher writes and syncs in the background.
void BM_AppendCost(benchmark::State& state) {
  const std::string dir = FreshDir();
  auto log = OpenLog(FsyncPolicy::kGroup, dir);
  int64_t i = 0;
  for (auto _ : state) log->CommitAsync(DecisionFields(i++), [](Result<uint64_t> seq) { benchmark::DoNotOptimize(seq); });
  benchmark::DoNotOptimize(log->Commit(DecisionFields(i)));
  state.SetItemsProcessed(state.iterations());
  (void)log->Close();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_AppendCost);

// fsync per record: one request at a time, each waits for its own fdatasync. Argument:
// preallocate_bytes; the label says how many batches found their space ready.
void BM_FsyncPerRecord(benchmark::State& state) {
  const std::string dir = FreshDir();
  auto log = OpenLog(FsyncPolicy::kAlways, dir, state.range(0));
  int64_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(log->Commit(DecisionFields(i++)));
  state.SetItemsProcessed(state.iterations());
  const Preallocator::Counters c = log->preallocation();
  if (state.range(0) > 0) {
    state.SetLabel("prealloc, ready " + std::to_string(c.ready_writes) + "/" + std::to_string(c.ready_writes + c.unready_writes));
  }
  (void)log->Close();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_FsyncPerRecord)->Arg(0)->Arg(kPrealloc)->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace finserve::audit

BENCHMARK_MAIN();
