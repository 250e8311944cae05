#include "train/train_spec.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <functional>
#include <map>

namespace finserve::train {
namespace {

using nlohmann::json;

json Scalar(const std::string& s) {
  if (s == "true" || s == "True") return true;
  if (s == "false" || s == "False") return false;
  if (s == "null" || s == "~" || s.empty()) return nullptr;
  int64_t i = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ec == std::errc() && end == s.data() + s.size()) return i;
  if (auto d = ParseNumber(s)) return *d;
  return s;
}

json Convert(const YAML::Node& node, int depth) {
  if (depth > 32) throw YAML::Exception(node.Mark(), "nesting too deep");
  switch (node.Type()) {
    case YAML::NodeType::Scalar: return node.Tag() == "!" ? json(node.Scalar()) : Scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(Convert(item, depth + 1));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) out[kv.first.Scalar()] = Convert(kv.second, depth + 1);
      return out;
    }
    default: return nullptr;
  }
}

// A table of the keys one section accepts: name -> how to apply its value.
using Setter = std::function<Status(const json&)>;
using SectionTable = std::map<std::string, Setter>;

Status ApplySection(const json& section, const std::string& path, std::string_view where, const SectionTable& table) {
  if (!section.is_object()) return InvalidArgument(std::string(where) + ": '" + path + "' must be a map");
  for (const auto& [key, value] : section.items()) {
    auto it = table.find(key);
    if (it == table.end()) {
      std::string known;
      for (const auto& [k, unused] : table) known += (known.empty() ? "" : ", ") + k;
      return InvalidArgument(std::string(where) + ": unknown key '" + path + "." + key + "' (known: " + known + ")");
    }
    Status s = it->second(value);
    if (!s.ok()) return InvalidArgument(std::string(where) + ": '" + path + "." + key + "' " + s.message());
  }
  return Status::Ok();
}

template <typename T>
Setter Number(T* out, double min, double max) {
  return [=](const json& v) {
    if (!v.is_number()) return InvalidArgument("must be a number");
    const double d = v.get<double>();
    if (d < min || d > max) return InvalidArgument("must be in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    if (std::is_integral_v<T> && d != static_cast<double>(static_cast<int64_t>(d))) return InvalidArgument("must be an integer");
    *out = static_cast<T>(d);
    return Status::Ok();
  };
}

Setter IntList(std::vector<int>* out) {
  return [=](const json& v) {
    if (!v.is_array() || v.empty()) return InvalidArgument("must be a non-empty list of layer sizes");
    out->clear();
    for (const auto& e : v) {
      if (!e.is_number_integer() || e.get<int>() < 1 || e.get<int>() > 4096) return InvalidArgument("must hold sizes 1..4096");
      out->push_back(e.get<int>());
    }
    return Status::Ok();
  };
}

Setter Monotone(std::map<std::string, int>* out) {
  return [=](const json& v) {
    if (!v.is_object()) return InvalidArgument("must map column names to -1, 0 or 1");
    for (const auto& [name, sign] : v.items()) {
      if (!sign.is_number_integer() || sign.get<int>() < -1 || sign.get<int>() > 1) return InvalidArgument("must map column names to -1, 0 or 1");
      (*out)[name] = sign.get<int>();
    }
    return Status::Ok();
  };
}

Status ApplySplit(const json& v, std::string_view where, SplitSpec* s) {
  return ApplySection(v, "split", where, {
      {"method", [=](const json& m) {
         if (m == "random") s->method = SplitSpec::Method::kRandom;
         else if (m == "out_of_time") s->method = SplitSpec::Method::kOutOfTime;
         else return InvalidArgument("must be random or out_of_time");
         return Status::Ok();
       }},
      {"validation_fraction", Number(&s->validation_fraction, 0.0, 0.9)},
      {"test_fraction", Number(&s->test_fraction, 0.0, 0.9)},
      {"date_column", [=](const json& d) {
         if (!d.is_string()) return InvalidArgument("must be a column name");
         s->date_column = d;
         return Status::Ok();
       }},
  });
}

Result<ColumnSchema> ParseColumn(const json& v, const std::string& path, std::string_view where) {
  ColumnSchema c;
  Status s = ApplySection(v, path, where, {
      {"type", [&](const json& t) {
         if (t == "numeric") c.type = FeatureType::kNumeric;
         else if (t == "categorical") c.type = FeatureType::kCategorical;
         else if (t == "ignore") c.role = ColumnSchema::Role::kIgnore;
         else return InvalidArgument("must be numeric, categorical or ignore");
         return Status::Ok();
       }},
      {"encoding", [&](const json& e) {
         if (e == "one_hot") c.encoding = CategoryEncoding::kOneHot;
         else if (e == "ordinal") c.encoding = CategoryEncoding::kOrdinal;
         else return InvalidArgument("must be one_hot or ordinal");
         return Status::Ok();
       }},
      {"missing", [&](const json& m) {
         auto p = m.is_string() ? ParseMissingFit(m.get<std::string>()) : std::nullopt;
         if (!p) return InvalidArgument("must be keep, mean, median, constant, indicator, category or refuse");
         c.missing = *p;
         return Status::Ok();
       }},
      {"impute", [&](const json& i) {
         if (i.is_number()) c.impute_value = i.get<double>();
         else if (i.is_string()) c.impute_category = i.get<std::string>();
         else return InvalidArgument("must be a number or a category");
         return Status::Ok();
       }},
  });
  if (!s.ok()) return s;
  return c;
}

Status ApplyColumns(const json& v, std::string_view where, std::map<std::string, ColumnSchema>* columns) {
  if (!v.is_object()) return InvalidArgument(std::string(where) + ": 'columns' must map column names to settings");
  for (const auto& [name, settings] : v.items()) {
    FS_ASSIGN_OR_RETURN(ColumnSchema c, ParseColumn(settings, "columns." + name, where));
    (*columns)[name] = c;
  }
  return Status::Ok();
}

}  // namespace

std::string_view AlgorithmName(Algorithm a) {
  switch (a) {
    case Algorithm::kLogistic: return "logistic";
    case Algorithm::kScorecard: return "scorecard";
    case Algorithm::kGbdt: return "gbdt";
    case Algorithm::kMlp: return "mlp";
  }
  return "";
}

Result<Algorithm> ParseAlgorithm(std::string_view name) {
  for (Algorithm a : {Algorithm::kLogistic, Algorithm::kScorecard, Algorithm::kGbdt, Algorithm::kMlp}) {
    if (AlgorithmName(a) == name) return a;
  }
  return InvalidArgument("unknown algorithm '" + std::string(name) + "' (logistic, scorecard, gbdt or mlp)");
}

Result<json> ParamsYamlToJson(std::string_view yaml, std::string_view file) {
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    json doc = Convert(root, 0);
    if (doc.is_null()) return json::object();
    return doc;
  } catch (const YAML::Exception& e) {
    return InvalidArgument(std::string(file) + ": invalid YAML at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

Status ParseTrainParams(const json& doc, std::string_view where, TrainSpec* spec) {
  spec->params = doc;
  auto& g = spec->gbdt;
  auto& m = spec->mlp;
  auto& l = spec->logistic;
  auto& s = spec->scorecard;
  const SectionTable top = {
      {"split", [&](const json& v) { return ApplySplit(v, where, &spec->split); }},
      {"columns", [&](const json& v) { return ApplyColumns(v, where, &spec->preprocess.columns); }},
      {"min_rows", Number(&spec->min_rows, 2, 1e12)},
      {"max_one_hot_categories", Number(&spec->preprocess.max_one_hot_categories, 2, 10000)},
      {"logistic", [&](const json& v) {
         return ApplySection(v, "logistic", where, {{"l2", Number(&l.l2, 0, 1e12)}, {"l1", Number(&l.l1, 0, 1e12)},
                                                    {"max_iterations", Number(&l.max_iterations, 1, 10000)}});
       }},
      {"scorecard", [&](const json& v) {
         return ApplySection(v, "scorecard", where,
                             {{"pdo", Number(&s.pdo, 1e-6, 1e6)}, {"base_score", Number(&s.base_score, -1e9, 1e9)},
                              {"base_odds", Number(&s.base_odds, 1e-9, 1e9)},
                              {"min_information_value", Number(&s.min_information_value, 0, 10)},
                              {"initial_bins", Number(&s.binning.initial_bins, 2, 100)},
                              {"min_bin_share", Number(&s.binning.min_bin_share, 0, 0.5)},
                              {"l2", Number(&s.logistic.l2, 0, 1e12)}});
       }},
      {"gbdt", [&](const json& v) {
         return ApplySection(v, "gbdt", where,
                             {{"rounds", Number(&g.rounds, 1, 100000)}, {"max_depth", Number(&g.max_depth, 1, 32)},
                              {"learning_rate", Number(&g.learning_rate, 1e-6, 1)}, {"subsample", Number(&g.subsample, 0.01, 1)},
                              {"colsample_bytree", Number(&g.colsample_bytree, 0.01, 1)},
                              {"min_child_weight", Number(&g.min_child_weight, 0, 1e9)},
                              {"reg_lambda", Number(&g.reg_lambda, 0, 1e9)}, {"reg_alpha", Number(&g.reg_alpha, 0, 1e9)},
                              {"gamma", Number(&g.gamma, 0, 1e9)}, {"max_bin", Number(&g.max_bin, 2, 65536)},
                              {"early_stopping_rounds", Number(&g.early_stopping_rounds, 0, 100000)},
                              {"monotone_constraints", Monotone(&g.monotone)}});
       }},
      {"mlp", [&](const json& v) {
         return ApplySection(v, "mlp", where,
                             {{"hidden", IntList(&m.hidden)}, {"learning_rate", Number(&m.learning_rate, 1e-9, 1)},
                              {"batch_size", Number(&m.batch_size, 1, 1 << 20)}, {"max_epochs", Number(&m.max_epochs, 1, 100000)},
                              {"patience", Number(&m.patience, 1, 100000)}, {"weight_decay", Number(&m.weight_decay, 0, 1)}});
       }},
  };
  if (doc.is_null()) return Status::Ok();
  return ApplySection(doc, "(top level)", where, top);
}

json TrainSpec::EffectiveParameters() const {
  json split_json = {{"method", split.method == SplitSpec::Method::kRandom ? "random" : "out_of_time"},
                     {"validation_fraction", split.validation_fraction},
                     {"test_fraction", split.test_fraction}};
  if (!split.date_column.empty()) split_json["date_column"] = split.date_column;
  json algo;
  switch (algorithm) {
    case Algorithm::kLogistic:
      algo = {{"l2", logistic.l2}, {"l1", logistic.l1}, {"max_iterations", logistic.max_iterations}};
      break;
    case Algorithm::kScorecard:
      algo = {{"pdo", scorecard.pdo}, {"base_score", scorecard.base_score}, {"base_odds", scorecard.base_odds},
              {"min_information_value", scorecard.min_information_value},
              {"initial_bins", scorecard.binning.initial_bins}, {"min_bin_share", scorecard.binning.min_bin_share},
              {"l2", scorecard.logistic.l2}};
      break;
    case Algorithm::kGbdt:
      algo = {{"rounds", gbdt.rounds}, {"max_depth", gbdt.max_depth}, {"learning_rate", gbdt.learning_rate},
              {"subsample", gbdt.subsample}, {"colsample_bytree", gbdt.colsample_bytree},
              {"min_child_weight", gbdt.min_child_weight}, {"reg_lambda", gbdt.reg_lambda}, {"reg_alpha", gbdt.reg_alpha},
              {"gamma", gbdt.gamma}, {"max_bin", gbdt.max_bin}, {"early_stopping_rounds", gbdt.early_stopping_rounds},
              {"monotone_constraints", gbdt.monotone}, {"tree_method", "hist"}, {"objective", "binary:logistic"}};
      break;
    case Algorithm::kMlp:
      algo = {{"hidden", mlp.hidden}, {"learning_rate", mlp.learning_rate}, {"batch_size", mlp.batch_size},
              {"max_epochs", mlp.max_epochs}, {"patience", mlp.patience}, {"weight_decay", mlp.weight_decay}};
      break;
  }
  return {{"algorithm", AlgorithmName(algorithm)}, {"split", split_json}, {std::string(AlgorithmName(algorithm)), algo},
          {"min_rows", min_rows}, {"max_one_hot_categories", preprocess.max_one_hot_categories}};
}

}  // namespace finserve::train
