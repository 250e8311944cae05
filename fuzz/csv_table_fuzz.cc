// Any bytes as training CSV: a Status, never a crash; a table that parses is fitted and encoded
// (the first column as the target), which must not crash either.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "train/csv_table.h"
#include "train/preprocess.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto table = finserve::train::CsvTable::Parse(text, "fuzz.csv", {.max_memory_bytes = 1 << 20, .max_rows = 10000});
  if (!table.ok() || table->num_columns() < 2) return 0;
  finserve::train::PreprocessOptions options;
  options.target = table->header()[0];
  options.native_missing = size % 2 == 0;
  auto plan = finserve::train::FitFeaturePlan(*table, options);
  if (!plan.ok()) return 0;
  auto round_trip = finserve::train::FeaturePlan::FromJson(plan->ToJson(), plan->column_names(), "fuzz");
  if (!round_trip.ok()) __builtin_trap();  // a fitted plan must read back
  (void)finserve::train::EncodeTable(*round_trip, *table);
  return 0;
}
