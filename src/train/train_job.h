// One training job from CSV text to a published model version: parse (within the memory
// budget), train (pipeline.h), and publish atomically (publish.h) unless cancelled. Shared by
// `finserve train` and the server's training jobs. A failed or cancelled job publishes nothing.
// Thread-compatible; run one job per thread.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "train/csv_table.h"
#include "train/pipeline.h"
#include "train/train_context.h"
#include "train/train_spec.h"

namespace finserve::train {

struct TrainJobInput {
  std::string data;       // the CSV text
  std::string data_name;  // for messages and lineage ("credit.csv", "upload")
  TrainSpec spec;
  CsvOptions csv;
  std::string repository;
  std::string model;
};

struct TrainJobResult {
  int64_t version = 0;
  TrainedVersion trained;
};

Result<TrainJobResult> RunTrainJob(const TrainJobInput& input, const TrainContext& context);

}  // namespace finserve::train
