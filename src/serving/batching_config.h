// BatchingConfig: the `batching:` section of a model's config.yaml, which sets how the scheduler
// queues and batches that model's requests (names as in Triton's dynamic batcher):
//
//   batching:
//     max_batch_size: 64          # rows per model execution; 0 or 1 = no batching (default 0)
//     max_queue_delay_us: 500     # how long the oldest request may wait for others to join
//     preferred_batch_sizes: [32, 64]   # run at once when the queue holds one of these row counts
//     max_queue_size: 1024        # requests waiting; one more is refused at once (503)
//     default_timeout_us: 0       # queue deadline for requests without a `timeout` (0 = none)
//
// Parsed when a version loads (a bad section fails the load; the old version keeps serving).
// Value type.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"
#include "repository/loaded_model.h"

namespace finserve::serving {

struct BatchingConfig {
  int64_t max_batch_size = 0;
  int64_t max_queue_delay_us = 0;
  std::vector<int64_t> preferred_batch_sizes;  // ascending
  int64_t max_queue_size = 1024;
  int64_t default_timeout_us = 0;

  bool enabled() const { return max_batch_size > 1; }
};

// Reads `batching` (absent or null = defaults). InvalidArgument names `where` and the key.
Result<BatchingConfig> ParseBatchingConfig(const nlohmann::json& section, std::string_view where);

// Batching joins requests along the first dimension, so every input must have a dynamic first
// dimension and a fixed-size datatype; FailedPrecondition says which input does not.
Status CheckBatchable(const repository::LoadedModel& model);

}  // namespace finserve::serving
