// Scorecard: a points-based credit scorecard served from `model.scorecard.json` (platform
// "finserve_scorecard"). Each characteristic is cut into bins (numeric: ascending upper edges,
// value <= upper; categorical: sets of category codes) plus a bin for missing values; every bin
// carries its weight of evidence (WOE = ln(share of goods / share of bads)) and its points.
// The score is the sum of the applicant's points; points were scaled from a logistic fit on WOE
// so that `base_score` points mean `base_odds`:1 good:bad odds and every `pdo` points double the
// odds:  score = offset + factor * ln(odds_good),  factor = pdo / ln 2,
//        offset = base_score - factor * ln(base_odds).
// So probability (of the positive class, "bad") = 1 / (1 + exp((score - offset) / factor)).
//
// Signature: input `features` FP32 [-1, n] with one column per characteristic (numeric value,
// or the category's code = its index in `categories`; NaN = missing); outputs score FP32 [-1],
// probability FP32 [-1], points FP32 [-1, n] (each characteristic's points: the reason codes).
// Immutable after Create; Run() is thread-safe.
#pragma once

#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/model.h"

namespace finserve::runtime::linear {

struct ScorecardBin {
  double upper = std::numeric_limits<double>::infinity();  // numeric: values <= upper (and > the previous)
  std::vector<int> codes;                                   // categorical: the category codes in this bin
  double woe = 0;
  double points = 0;
};

struct Characteristic {
  std::string name;
  bool categorical = false;
  std::vector<std::string> categories;  // categorical: code -> label
  double coefficient = 0;               // of the WOE in the logistic fit (log-odds of "bad")
  std::vector<ScorecardBin> bins;
  double missing_woe = 0;
  double missing_points = 0;
};

struct ScorecardSpec {
  double pdo = 20;
  double base_score = 600;
  double base_odds = 50;  // good:bad at base_score
  double intercept = 0;   // of the logistic fit (log-odds of "bad")
  std::vector<Characteristic> characteristics;

  double factor() const;
  double offset() const;
  // Sets every bin's points from intercept, coefficients and WOE (intercept spread evenly).
  void AssignPoints();
};

Result<ScorecardSpec> ParseScorecardJson(std::string_view bytes);
std::string ScorecardToJson(const ScorecardSpec& spec);

class ScorecardModel final : public runtime::Model {
 public:
  static Result<std::unique_ptr<ScorecardModel>> Create(ScorecardSpec spec);

  std::string_view platform() const override { return "finserve_scorecard"; }
  const std::vector<TensorSpec>& inputs() const override { return inputs_; }
  const std::vector<TensorSpec>& outputs() const override { return outputs_; }
  Status Run(std::span<const TensorView> inputs, const OutputSelection& wanted,
             std::vector<Tensor>* outputs) const override;
  const ScorecardSpec& spec() const { return spec_; }

  // The bin of characteristic `c` that `value` falls in; -1 = the missing bin. InvalidArgument
  // for a categorical value that is not a known code.
  Result<int> BinOf(size_t c, float value) const;

 private:
  explicit ScorecardModel(ScorecardSpec spec);
  ScorecardSpec spec_;
  std::vector<std::vector<int>> code_to_bin_;  // categorical characteristics only
  std::vector<TensorSpec> inputs_;
  std::vector<TensorSpec> outputs_;
};

}  // namespace finserve::runtime::linear
