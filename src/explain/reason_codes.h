// Adverse-action reason codes: from one decision's feature contributions and a model's reason
// table to the ranked principal reasons (US Regulation B: the specific factors actually scored
// that counted most against the applicant; four is customary).
//
// A table entry covers one model column or a group of columns that form one characteristic (the
// one-hot columns of "Home"), with a code, a consumer-facing text and the direction in which the
// characteristic is adverse. A reason's contribution is the sum of its columns' contributions
// toward the adverse outcome (log-odds for SHAP). Ranking keeps the entries whose contribution is
// positive, largest first (ties: table order), at most k of them. An entry that says `high` or
// `low` and has a `reference` value is only given when the applicant's value lies on the adverse
// side of it (or is missing), because its text would otherwise misstate the reason. For the same
// reason an entry may carry a `missing_text` ("Income information not provided") given instead of
// `text` when the applicant's values of all its features are missing.
//
// Pure functions over value types; immutable after Create; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace finserve::explain {

enum class AdverseDirection : uint8_t { kAny, kHigh, kLow };
std::string_view AdverseDirectionName(AdverseDirection direction);  // "any", "high", "low"

struct ReasonCode {
  std::string code;
  std::string text;
  std::string missing_text;  // optional: the statement when every feature of the reason is missing
  std::vector<int32_t> columns;  // model input columns, ascending
  AdverseDirection adverse = AdverseDirection::kAny;
  std::optional<double> reference;  // high/low on one column only
};

struct RankedReason {
  size_t entry = 0;           // index into ReasonTable::codes()
  double contribution = 0;    // toward the adverse outcome; > 0
};

class ReasonTable {
 public:
  ReasonTable() = default;

  // Validates: non-empty unique codes, non-empty texts, columns in range and in at most one entry,
  // `reference` only on a high/low entry of one column. `column_names` name columns in messages.
  static Result<ReasonTable> Create(std::vector<ReasonCode> codes, std::span<const std::string> column_names);

  const std::vector<ReasonCode>& codes() const { return codes_; }
  size_t size() const { return codes_.size(); }
  // Columns no entry covers, ascending.
  std::vector<int32_t> UnmappedColumns() const;

  // `contributions` and `row` hold one value per column; contributions are signed toward the
  // adverse outcome. At most `k` reasons, largest contribution first.
  std::vector<RankedReason> Rank(std::span<const float> contributions, std::span<const float> row, int32_t k) const;
  // The statement for entry `i` given the applicant's row: missing_text when set and every
  // feature of the entry is missing, else text.
  const std::string& TextFor(size_t i, std::span<const float> row) const;

 private:
  std::vector<ReasonCode> codes_;
  int32_t num_columns_ = 0;
};

}  // namespace finserve::explain
