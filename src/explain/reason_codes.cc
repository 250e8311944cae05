#include "explain/reason_codes.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace finserve::explain {
namespace {

Status CheckEntry(const ReasonCode& r, size_t i, std::span<const std::string> names) {
  const std::string where = "reason " + std::to_string(i) + (r.code.empty() ? "" : " (" + r.code + ")");
  if (r.code.empty()) return InvalidArgument(where + ": 'code' is empty");
  if (r.text.empty()) return InvalidArgument(where + ": 'text' is empty");
  if (r.columns.empty()) return InvalidArgument(where + ": covers no feature");
  for (int32_t c : r.columns) {
    if (c < 0 || static_cast<size_t>(c) >= names.size()) {
      return InvalidArgument(where + ": column " + std::to_string(c) + " is out of range [0, " +
                             std::to_string(names.size()) + ")");
    }
  }
  if (r.reference && (r.adverse == AdverseDirection::kAny || r.columns.size() != 1)) {
    return InvalidArgument(where + ": 'reference' needs 'adverse: high' or 'adverse: low' and exactly one feature");
  }
  if (r.reference && !std::isfinite(*r.reference)) return InvalidArgument(where + ": 'reference' must be finite");
  return Status::Ok();
}

// False when the entry's text would misstate why the value is adverse.
bool OnAdverseSide(const ReasonCode& r, std::span<const float> row) {
  if (!r.reference) return true;
  const float v = row[r.columns[0]];
  if (std::isnan(v)) return true;
  return r.adverse == AdverseDirection::kHigh ? v >= *r.reference : v <= *r.reference;
}

}  // namespace

std::string_view AdverseDirectionName(AdverseDirection direction) {
  switch (direction) {
    case AdverseDirection::kAny: return "any";
    case AdverseDirection::kHigh: return "high";
    case AdverseDirection::kLow: return "low";
  }
  return "?";
}

Result<ReasonTable> ReasonTable::Create(std::vector<ReasonCode> codes, std::span<const std::string> column_names) {
  std::set<std::string> seen_codes;
  std::vector<int> owner(column_names.size(), -1);
  for (size_t i = 0; i < codes.size(); ++i) {
    ReasonCode& r = codes[i];
    std::sort(r.columns.begin(), r.columns.end());
    r.columns.erase(std::unique(r.columns.begin(), r.columns.end()), r.columns.end());
    FS_RETURN_IF_ERROR(CheckEntry(r, i, column_names));
    if (!seen_codes.insert(r.code).second) return InvalidArgument("reason code '" + r.code + "' appears twice");
    for (int32_t c : r.columns) {
      if (owner[c] >= 0) {
        return InvalidArgument("feature '" + column_names[c] + "' is in two reasons (" + codes[owner[c]].code +
                               " and " + r.code + "); each feature belongs to one reason");
      }
      owner[c] = static_cast<int>(i);
    }
  }
  ReasonTable table;
  table.codes_ = std::move(codes);
  table.num_columns_ = static_cast<int32_t>(column_names.size());
  return table;
}

std::vector<int32_t> ReasonTable::UnmappedColumns() const {
  std::vector<bool> covered(num_columns_, false);
  for (const auto& r : codes_) {
    for (int32_t c : r.columns) covered[c] = true;
  }
  std::vector<int32_t> out;
  for (int32_t c = 0; c < num_columns_; ++c) {
    if (!covered[c]) out.push_back(c);
  }
  return out;
}

std::vector<RankedReason> ReasonTable::Rank(std::span<const float> contributions, std::span<const float> row,
                                            int32_t k) const {
  std::vector<RankedReason> out;
  for (size_t i = 0; i < codes_.size(); ++i) {
    double sum = 0;
    for (int32_t c : codes_[i].columns) sum += contributions[c];
    if (sum > 0 && OnAdverseSide(codes_[i], row)) out.push_back({i, sum});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const RankedReason& a, const RankedReason& b) { return a.contribution > b.contribution; });
  if (k >= 0 && out.size() > static_cast<size_t>(k)) out.resize(static_cast<size_t>(k));
  return out;
}

const std::string& ReasonTable::TextFor(size_t i, std::span<const float> row) const {
  const ReasonCode& r = codes_[i];
  if (r.missing_text.empty()) return r.text;
  for (int32_t c : r.columns) {
    if (!std::isnan(row[c])) return r.text;
  }
  return r.missing_text;
}

}  // namespace finserve::explain
