#include "runtime/linear/scorecard.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "runtime/linear/input_check.h"

namespace finserve::runtime::linear {
namespace {

using nlohmann::json;

Status Bad(const std::string& what) { return InvalidArgument("model.scorecard.json: " + what); }

Result<Characteristic> CharacteristicFromJson(const json& v, size_t index) {
  Characteristic c;
  const std::string where = "characteristics[" + std::to_string(index) + "]";
  c.name = v.at("name").get<std::string>();
  const std::string type = v.at("type").get<std::string>();
  if (type != "numeric" && type != "categorical") return Bad(where + ".type must be numeric or categorical");
  c.categorical = type == "categorical";
  if (c.categorical) c.categories = v.at("categories").get<std::vector<std::string>>();
  c.coefficient = v.at("coefficient").get<double>();
  c.missing_woe = v.at("missing").at("woe").get<double>();
  c.missing_points = v.at("missing").at("points").get<double>();
  for (const auto& b : v.at("bins")) {
    ScorecardBin bin;
    bin.woe = b.at("woe").get<double>();
    bin.points = b.at("points").get<double>();
    if (c.categorical) {
      bin.codes = b.at("codes").get<std::vector<int>>();
    } else if (!b.at("upper").is_null()) {
      bin.upper = b.at("upper").get<double>();
    }
    c.bins.push_back(std::move(bin));
  }
  if (c.bins.empty()) return Bad(where + " has no bins");
  if (!c.categorical) {
    for (size_t i = 1; i < c.bins.size(); ++i) {
      if (!(c.bins[i].upper > c.bins[i - 1].upper)) return Bad(where + ": bin upper edges must ascend");
    }
    if (!std::isinf(c.bins.back().upper)) return Bad(where + ": the last numeric bin must be open (upper: null)");
  }
  return c;
}

json CharacteristicToJson(const Characteristic& c) {
  json bins = json::array();
  for (const auto& b : c.bins) {
    json jb = {{"woe", b.woe}, {"points", b.points}};
    if (c.categorical) {
      jb["codes"] = b.codes;
      json labels = json::array();
      for (int code : b.codes) labels.push_back(c.categories[static_cast<size_t>(code)]);
      jb["labels"] = labels;
    } else {
      jb["upper"] = std::isinf(b.upper) ? json(nullptr) : json(b.upper);
    }
    bins.push_back(std::move(jb));
  }
  json out = {{"name", c.name}, {"type", c.categorical ? "categorical" : "numeric"}, {"coefficient", c.coefficient}};
  if (c.categorical) out["categories"] = c.categories;
  out["bins"] = std::move(bins);
  out["missing"] = {{"woe", c.missing_woe}, {"points", c.missing_points}};
  return out;
}

}  // namespace

double ScorecardSpec::factor() const { return pdo / std::log(2.0); }
double ScorecardSpec::offset() const { return base_score - factor() * std::log(base_odds); }

void ScorecardSpec::AssignPoints() {
  const double n = static_cast<double>(characteristics.size());
  const double share = (offset() - factor() * intercept) / n;
  for (auto& c : characteristics) {
    for (auto& b : c.bins) b.points = share - factor() * c.coefficient * b.woe;
    c.missing_points = share - factor() * c.coefficient * c.missing_woe;
  }
}

Result<ScorecardSpec> ParseScorecardJson(std::string_view bytes) {
  json doc = json::parse(bytes, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Bad("not a JSON object");
  if (doc.value("format", json()) != "finserve-scorecard") return Bad("'format' must be \"finserve-scorecard\"");
  if (doc.value("format_version", json()) != 1) return Bad("unsupported 'format_version' (this build reads 1)");
  ScorecardSpec spec;
  try {
    const json& scaling = doc.at("scaling");
    spec.pdo = scaling.at("pdo").get<double>();
    spec.base_score = scaling.at("base_score").get<double>();
    spec.base_odds = scaling.at("base_odds").get<double>();
    spec.intercept = doc.at("intercept").get<double>();
    const json& list = doc.at("characteristics");
    for (size_t i = 0; i < list.size(); ++i) {
      FS_ASSIGN_OR_RETURN(Characteristic c, CharacteristicFromJson(list[i], i));
      spec.characteristics.push_back(std::move(c));
    }
  } catch (const json::exception& e) {
    return Bad(e.what());
  }
  if (!(spec.pdo > 0) || !(spec.base_odds > 0)) return Bad("scaling.pdo and scaling.base_odds must be positive");
  if (spec.characteristics.empty()) return Bad("no characteristics");
  return spec;
}

std::string ScorecardToJson(const ScorecardSpec& spec) {
  json chars = json::array();
  for (const auto& c : spec.characteristics) chars.push_back(CharacteristicToJson(c));
  json doc = {{"format", "finserve-scorecard"},
              {"format_version", 1},
              {"scaling",
               {{"pdo", spec.pdo}, {"base_score", spec.base_score}, {"base_odds", spec.base_odds},
                {"factor", spec.factor()}, {"offset", spec.offset()}}},
              {"intercept", spec.intercept},
              {"characteristics", std::move(chars)}};
  return doc.dump(1) + "\n";
}

ScorecardModel::ScorecardModel(ScorecardSpec spec) : spec_(std::move(spec)) {
  const int64_t n = static_cast<int64_t>(spec_.characteristics.size());
  inputs_ = {{"features", DataType::kFp32, {-1, n}}};
  outputs_ = {{"score", DataType::kFp32, {-1}}, {"probability", DataType::kFp32, {-1}}, {"points", DataType::kFp32, {-1, n}}};
}

Result<std::unique_ptr<ScorecardModel>> ScorecardModel::Create(ScorecardSpec spec) {
  std::unique_ptr<ScorecardModel> model(new ScorecardModel(std::move(spec)));
  for (const auto& c : model->spec_.characteristics) {
    std::vector<int> map(c.categories.size(), -1);
    for (size_t b = 0; b < c.bins.size(); ++b) {
      for (int code : c.bins[b].codes) {
        if (code < 0 || static_cast<size_t>(code) >= map.size() || map[static_cast<size_t>(code)] >= 0) {
          return Bad("characteristic '" + c.name + "': category code " + std::to_string(code) +
                     " is out of range or in two bins");
        }
        map[static_cast<size_t>(code)] = static_cast<int>(b);
      }
    }
    for (size_t k = 0; k < map.size(); ++k) {
      if (c.categorical && map[k] < 0) return Bad("characteristic '" + c.name + "': category '" + c.categories[k] + "' is in no bin");
    }
    model->code_to_bin_.push_back(std::move(map));
  }
  return model;
}

Result<int> ScorecardModel::BinOf(size_t c, float value) const {
  const Characteristic& ch = spec_.characteristics[c];
  if (std::isnan(value)) return -1;
  if (ch.categorical) {
    const auto& map = code_to_bin_[c];
    if (value < 0 || value != std::floor(value) || value >= static_cast<float>(map.size())) {
      return InvalidArgument("characteristic '" + ch.name + "': " + std::to_string(value) +
                             " is not a category code (0.." + std::to_string(map.size() - 1) + ")");
    }
    return map[static_cast<size_t>(value)];
  }
  for (size_t b = 0; b < ch.bins.size(); ++b) {
    if (static_cast<double>(value) <= ch.bins[b].upper) return static_cast<int>(b);
  }
  return static_cast<int>(ch.bins.size()) - 1;  // +inf
}

Status ScorecardModel::Run(std::span<const TensorView> inputs, const OutputSelection& wanted,
                           std::vector<Tensor>* outputs) const {
  const int64_t n = static_cast<int64_t>(spec_.characteristics.size());
  FS_ASSIGN_OR_RETURN(int64_t rows, CheckMatrixInput(inputs, n));
  const float* x = inputs[0].data_as<float>();
  Tensor score = Tensor::Uninitialized(DataType::kFp32, Shape({rows}));
  Tensor probability = Tensor::Uninitialized(DataType::kFp32, Shape({rows}));
  Tensor points = Tensor::Uninitialized(DataType::kFp32, Shape({rows, n}));
  for (int64_t r = 0; r < rows; ++r) {
    double total = 0;
    for (int64_t c = 0; c < n; ++c) {
      auto bin = BinOf(static_cast<size_t>(c), x[r * n + c]);
      if (!bin.ok()) return bin.status().WithContext("row " + std::to_string(r));
      const Characteristic& ch = spec_.characteristics[static_cast<size_t>(c)];
      const double p = *bin < 0 ? ch.missing_points : ch.bins[static_cast<size_t>(*bin)].points;
      points.data<float>()[r * n + c] = static_cast<float>(p);
      total += p;
    }
    score.data<float>()[r] = static_cast<float>(total);
    probability.data<float>()[r] = static_cast<float>(1.0 / (1.0 + std::exp((total - spec_.offset()) / spec_.factor())));
  }
  outputs->clear();
  outputs->resize(3);
  if (wanted.wants(0)) (*outputs)[0] = std::move(score);
  if (wanted.wants(1)) (*outputs)[1] = std::move(probability);
  if (wanted.wants(2)) (*outputs)[2] = std::move(points);
  return Status::Ok();
}

}  // namespace finserve::runtime::linear
