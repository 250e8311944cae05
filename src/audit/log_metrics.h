// LogMetrics: what the audit log reports at GET /metrics (the finserve_audit_* families in
// docs/api.md): records stored and lost, how many records each write carried, how long each
// fdatasync and each batch took, and the durable chain position. An operator watches these to see
// that no decision goes unrecorded and what the disk costs every answer.
//
// Only the flusher thread records (once per batch, not per request). Constructed without a
// registry it records nothing. The families live in the registry, which the log keeps alive.
#pragma once

#include <cstdint>
#include <memory>

#include "core/metrics.h"

namespace finserve::audit {

class LogMetrics {
 public:
  explicit LogMetrics(std::shared_ptr<MetricsRegistry> registry);

  // A batch written (and fdatasynced, as the policy says): its records (checkpoints included),
  // its bytes, and how long its oldest record waited from being queued.
  void BatchStored(uint64_t records, uint64_t checkpoints, uint64_t bytes, double oldest_wait_seconds,
                   uint64_t durable_seq);
  // A batch that could not be written: its records are lost to the log (their requests fail).
  void BatchFailed(uint64_t records);
  void Synced(double seconds);
  // A background fdatasync (policy interval) that failed; it is retried.
  void SyncFailed();

 private:
  std::shared_ptr<MetricsRegistry> registry_;
  Counter* stored_ = nullptr;
  Counter* failed_ = nullptr;
  Counter* checkpoints_ = nullptr;
  Counter* bytes_ = nullptr;
  Counter* sync_failures_ = nullptr;
  Histogram* batch_records_ = nullptr;
  Histogram* batch_wait_seconds_ = nullptr;
  Histogram* sync_seconds_ = nullptr;
  Gauge* durable_seq_ = nullptr;
};

}  // namespace finserve::audit
