#include "audit/log_metrics.h"

namespace finserve::audit {
namespace {

// 20 µs .. ~5 s: a page-cache write takes microseconds, an fdatasync on a slow disk hundreds of ms.
std::vector<double> DiskBuckets() { return ExponentialBuckets(2e-5, 2.0, 19); }

}  // namespace

LogMetrics::LogMetrics(std::shared_ptr<MetricsRegistry> registry) : registry_(std::move(registry)) {
  if (!registry_) return;
  CounterFamily& records = registry_->AddCounter(
      "finserve_audit_records_total",
      "Audit records (decisions, admin records, checkpoints) by outcome: stored as the fsync policy says, or failed "
      "(not in the log; their decisions were refused or answered as unrecorded)",
      {"outcome"});
  stored_ = records.WithLabels({"stored"});
  failed_ = records.WithLabels({"failed"});
  checkpoints_ = registry_->AddCounter("finserve_audit_checkpoints_total", "Signed checkpoint records stored", {})
                     .WithLabels({});
  bytes_ = registry_->AddCounter("finserve_audit_written_bytes_total", "Bytes of records written to the audit log", {})
               .WithLabels({});
  sync_failures_ = registry_->AddCounter("finserve_audit_sync_failures_total",
                                         "Background fdatasyncs that failed (fsync policy interval; retried)", {})
                       .WithLabels({});
  batch_records_ = registry_->AddHistogram("finserve_audit_batch_records", "Records per write (one group commit)", {},
                                           ExponentialBuckets(1, 2, 12))
                       .WithLabels({});
  batch_wait_seconds_ = registry_->AddHistogram("finserve_audit_batch_wait_seconds",
                                                "Time from a batch's first record being queued to the batch being "
                                                "stored: the longest an answer in it waited for its record",
                                                {}, DiskBuckets())
                            .WithLabels({});
  sync_seconds_ = registry_->AddHistogram("finserve_audit_fdatasync_duration_seconds",
                                          "Time of one fdatasync of the audit log file", {}, DiskBuckets())
                      .WithLabels({});
  durable_seq_ = registry_->AddGauge("finserve_audit_stored_sequence",
                                     "Sequence number of the last record stored (the chain's length)", {})
                     .WithLabels({});
}

void LogMetrics::BatchStored(uint64_t records, uint64_t checkpoints, uint64_t bytes, double oldest_wait_seconds,
                             uint64_t durable_seq) {
  if (!registry_) return;
  stored_->Increment(static_cast<double>(records));
  checkpoints_->Increment(static_cast<double>(checkpoints));
  bytes_->Increment(static_cast<double>(bytes));
  batch_records_->Observe(static_cast<double>(records));
  batch_wait_seconds_->Observe(oldest_wait_seconds);
  durable_seq_->Set(static_cast<double>(durable_seq));
}

void LogMetrics::BatchFailed(uint64_t records) {
  if (registry_) failed_->Increment(static_cast<double>(records));
}

void LogMetrics::Synced(double seconds) {
  if (registry_) sync_seconds_->Observe(seconds);
}

void LogMetrics::SyncFailed() {
  if (registry_) sync_failures_->Increment();
}

}  // namespace finserve::audit
