#include "train/split.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace finserve::train {
namespace {

void Take(std::vector<int64_t>* from, size_t n, std::vector<int64_t>* to) {
  to->insert(to->end(), from->end() - static_cast<std::ptrdiff_t>(n), from->end());
  from->resize(from->size() - n);
}

size_t Share(size_t n, double fraction) { return static_cast<size_t>(std::llround(static_cast<double>(n) * fraction)); }

Result<RowSplit> OutOfTime(const CsvTable& table, const SplitSpec& spec) {
  const int c = table.FindColumn(spec.date_column);
  if (c < 0) return InvalidArgument("split: date column '" + spec.date_column + "' is not in " + table.source());
  std::vector<int64_t> order(static_cast<size_t>(table.num_rows()));
  std::iota(order.begin(), order.end(), int64_t{0});
  for (int64_t r : order) {
    if (table.missing(r, c)) return InvalidArgument(table.source() + ": " + table.Where(r, c) + ": the split's date is missing");
  }
  bool numeric = true;
  for (int64_t r : order) numeric = numeric && ParseNumber(table.cell(r, c)).has_value();
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return numeric ? *ParseNumber(table.cell(a, c)) < *ParseNumber(table.cell(b, c)) : table.cell(a, c) < table.cell(b, c);
  });
  RowSplit split;
  const size_t n = order.size();
  std::vector<int64_t> rest = order;
  const size_t test = Share(n, spec.test_fraction), valid = Share(n, spec.validation_fraction);
  Take(&rest, test, &split.test);
  Take(&rest, valid, &split.validation);
  split.train = std::move(rest);
  return split;
}

}  // namespace

Result<RowSplit> SplitRows(const CsvTable& table, std::span<const float> labels, const SplitSpec& spec, uint64_t seed) {
  if (spec.validation_fraction + spec.test_fraction >= 0.95) {
    return InvalidArgument("split: validation_fraction + test_fraction leaves too few training rows");
  }
  RowSplit split;
  if (spec.method == SplitSpec::Method::kOutOfTime) {
    FS_ASSIGN_OR_RETURN(split, OutOfTime(table, spec));
  } else {
    Rng rng(seed);
    for (float cls : {0.0f, 1.0f}) {
      std::vector<int64_t> rows;
      for (int64_t r = 0; r < table.num_rows(); ++r) {
        if ((labels[static_cast<size_t>(r)] > 0.5f) == (cls > 0.5f)) rows.push_back(r);
      }
      for (size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[rng.Below(i)]);
      const size_t n = rows.size();
      Take(&rows, Share(n, spec.test_fraction), &split.test);
      Take(&rows, Share(n, spec.validation_fraction), &split.validation);
      split.train.insert(split.train.end(), rows.begin(), rows.end());
    }
    for (auto* part : {&split.train, &split.validation, &split.test}) std::sort(part->begin(), part->end());
  }
  if (split.train.empty()) return InvalidArgument("split: no training rows left");
  return split;
}

}  // namespace finserve::train
