// TreeEnsembleClassifier and TreeEnsembleRegressor (ai.onnx.ml 1-3): thin adapters over the tree
// engine. At load the node's attribute arrays go through the engine's ONNX-ML importer
// (runtime/tree/onnx_ml_import.h) and the fast evaluator is compiled when the forest allows it
// (no == / != splits, FLOAT input, a sum of leaves); otherwise the reference walk runs, on double
// rows for DOUBLE and integer inputs so comparisons never round the feature value.
// After the forest, ONNX's order: aggregate (SUM, AVERAGE = SUM / trees, MIN, MAX), add
// base_values, then post_transform; classifiers then pick the label (see docs/onnx-support.md for
// the binary layout, which follows ONNX's reference implementation and ONNX Runtime).
#include <algorithm>
#include <cmath>
#include <set>

#include "runtime/onnx/kernels/ml_common.h"
#include "runtime/onnx/kernels/ml_ops.h"
#include "runtime/tree/onnx_ml_import.h"
#include "runtime/tree/tree_aggregate.h"
#include "runtime/tree/tree_eval_fast.h"
#include "runtime/tree/tree_eval_reference.h"

namespace finserve::runtime::onnx {
namespace {

using tree::OnnxMlTransform;

enum class Aggregate : uint8_t { kSum, kAverage, kMin, kMax };

// The imported forest and the evaluator chosen for it.
struct Forest {
  std::unique_ptr<tree::TreeEnsemble> ensemble;  // stable address for the reference evaluator
  std::unique_ptr<tree::FastTreeEvaluator> fast;  // null: the reference walk
  std::unique_ptr<tree::ReferenceEvaluator> reference;
  Aggregate aggregate = Aggregate::kSum;
  std::vector<bool> voted;
  int32_t num_features = 0;
  int32_t num_outputs = 0;
  int64_t num_trees = 0;
};

Result<tree::OnnxMlTreeAttributes> ReadTreeAttributes(const KernelInfo& info, const std::string& prefix) {
  const NodeAttributes& at = info.attrs();
  tree::OnnxMlTreeAttributes a;
  FS_ASSIGN_OR_RETURN(a.tree_ids, at.GetInts("nodes_treeids"));
  FS_ASSIGN_OR_RETURN(a.node_ids, at.GetInts("nodes_nodeids"));
  FS_ASSIGN_OR_RETURN(a.feature_ids, at.GetInts("nodes_featureids"));
  FS_ASSIGN_OR_RETURN(a.true_ids, at.GetInts("nodes_truenodeids"));
  FS_ASSIGN_OR_RETURN(a.false_ids, at.GetInts("nodes_falsenodeids"));
  FS_ASSIGN_OR_RETURN(a.missing_tracks_true, at.GetInts("nodes_missing_value_tracks_true"));
  FS_ASSIGN_OR_RETURN(a.modes, at.GetStrings("nodes_modes"));
  FS_ASSIGN_OR_RETURN(a.thresholds, ReadFloatsOrTensor(info, "nodes_values"));
  FS_ASSIGN_OR_RETURN(a.vote_tree_ids, at.GetInts(prefix + "_treeids"));
  FS_ASSIGN_OR_RETURN(a.vote_node_ids, at.GetInts(prefix + "_nodeids"));
  FS_ASSIGN_OR_RETURN(a.vote_output_ids, at.GetInts(prefix + "_ids"));
  FS_ASSIGN_OR_RETURN(a.vote_weights, ReadFloatsOrTensor(info, prefix + "_weights"));
  a.vote_prefix = prefix;
  const int64_t declared = DeclaredFeatures(info);
  a.num_features = declared > 0 && declared <= (int64_t{1} << 24) ? static_cast<int32_t>(declared) : 0;
  return a;
}

Result<Forest> BuildForest(const KernelInfo& info, tree::OnnxMlTreeAttributes attributes, Aggregate aggregate) {
  attributes.combine = aggregate == Aggregate::kMin   ? tree::VoteCombination::kMin
                       : aggregate == Aggregate::kMax ? tree::VoteCombination::kMax
                                                      : tree::VoteCombination::kSum;
  Result<tree::OnnxMlTrees> imported = tree::ImportOnnxMlTrees(attributes);
  if (!imported.ok()) return info.Error(imported.status().message());
  Forest f;
  f.ensemble = std::make_unique<tree::TreeEnsemble>(std::move(imported->ensemble));
  f.voted = std::move(imported->voted_outputs);
  f.aggregate = aggregate;
  f.num_features = f.ensemble->num_features();
  f.num_outputs = f.ensemble->num_outputs();
  f.num_trees = static_cast<int64_t>(f.ensemble->num_trees());
  f.reference = std::make_unique<tree::ReferenceEvaluator>(*f.ensemble);
  const bool summed = aggregate == Aggregate::kSum || aggregate == Aggregate::kAverage;
  if (summed && !imported->has_equality_splits && info.input_type(0) == DataType::kFp32) {
    FS_ASSIGN_OR_RETURN(f.fast, tree::FastTreeEvaluator::Create(*f.ensemble));
  }
  return f;
}

// Rows of X as the evaluator wants them: FLOAT rows of exactly num_features values are used in
// place; anything else is copied (to double unless X is FLOAT) into `scratch`.
template <typename T>
const T* PackRows(const TensorData& x, const MlRows& rows, int32_t nf, std::vector<T>* scratch) {
  if constexpr (std::is_same_v<T, float>) {
    if (x.dtype == DataType::kFp32 && rows.features == nf) return x.data_as<float>();
  }
  std::vector<T> all(static_cast<size_t>(x.size()));
  ConvertNumeric(x, all.data());
  if (rows.features == nf) {
    *scratch = std::move(all);
  } else {
    scratch->resize(static_cast<size_t>(rows.rows * nf));
    for (int64_t r = 0; r < rows.rows; ++r) {
      std::copy_n(all.data() + r * rows.features, nf, scratch->data() + r * nf);
    }
  }
  return scratch->data();
}

// rows x num_outputs aggregated leaf values (the sum for SUM and AVERAGE).
Status EvaluateForest(const Forest& f, const TensorData& x, const MlRows& rows, float* out) {
  if (rows.features < f.num_features) {
    return InvalidArgument("X has " + std::to_string(rows.features) + " features but the trees split on feature " +
                           std::to_string(f.num_features - 1));
  }
  const bool extremes = f.aggregate == Aggregate::kMin || f.aggregate == Aggregate::kMax;
  const auto which = f.aggregate == Aggregate::kMin ? tree::LeafAggregation::kMin : tree::LeafAggregation::kMax;
  if (x.dtype == DataType::kFp32) {
    std::vector<float> scratch;
    const float* r = PackRows<float>(x, rows, f.num_features, &scratch);
    if (extremes) {
      tree::PredictExtremes(*f.ensemble, which, r, rows.rows, out);
    } else if (f.fast) {
      f.fast->PredictMargins(r, rows.rows, out);
    } else {
      f.reference->PredictMargins(r, rows.rows, out);
    }
    return Status::Ok();
  }
  std::vector<double> scratch;
  const double* r = PackRows<double>(x, rows, f.num_features, &scratch);
  if (extremes) {
    tree::PredictExtremes(*f.ensemble, which, r, rows.rows, out);
  } else {
    f.reference->PredictMargins(r, rows.rows, out);
  }
  return Status::Ok();
}

Result<std::vector<float>> ReadBaseValues(const KernelInfo& info, size_t outputs, bool allow_single) {
  FS_ASSIGN_OR_RETURN(std::vector<double> base, ReadFloatsOrTensor(info, "base_values"));
  if (base.size() == 1 && outputs > 1 && !allow_single) {
    return info.Error("base_values has 1 value for " + std::to_string(outputs) +
                      " outputs: give one per output (ONNX Runtime would ignore the value, ONNX's reference would "
                      "add it to every output)");
  }
  if (!base.empty() && base.size() != outputs && !(allow_single && base.size() == 1)) {
    return info.Error("base_values has " + std::to_string(base.size()) + " values for " + std::to_string(outputs) +
                      " outputs: give one per output (or none)");
  }
  return std::vector<float>(base.begin(), base.end());
}

class TreeRegressorKernel final : public Kernel {
 public:
  TreeRegressorKernel(Forest forest, std::vector<float> base, OnnxMlTransform transform)
      : forest_(std::move(forest)), base_(std::move(base)), transform_(transform) {}

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(MlRows rows, ReadMlRows(x));
    const int64_t no = forest_.num_outputs;
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, {rows.rows, no}));
    float* out = y->mutable_data_as<float>();
    FS_RETURN_IF_ERROR(EvaluateForest(forest_, x, rows, out));
    const auto trees = static_cast<float>(std::max<int64_t>(forest_.num_trees, 1));
    for (int64_t i = 0; i < rows.rows * no; ++i) {
      if (forest_.aggregate == Aggregate::kAverage) out[i] /= trees;
      if (!base_.empty()) out[i] += base_[base_.size() == 1 ? 0 : i % no];
    }
    tree::ApplyOnnxMlTransform(transform_, no, std::span<float>(out, static_cast<size_t>(rows.rows * no)));
    return Status::Ok();
  }
  std::string_view path() const override { return forest_.fast ? "trees-fast" : "exact"; }

 private:
  Forest forest_;
  std::vector<float> base_;
  OnnxMlTransform transform_;
};

// How a classifier turns summed class scores into scores and a label.
struct ClassifierHead {
  ClassLabels labels;
  std::vector<float> base;         // one per class (zeros when the model gives none)
  int32_t binary_class = -1;       // the only class voted for in a two-class model, else -1
  float binary_base = 0;
  std::vector<uint8_t> can_win;    // classes with a vote or a base value
  OnnxMlTransform transform = OnnxMlTransform::kNone;

  // `s`: the row's C summed scores, rewritten into the C output scores; returns the label index.
  size_t Finish(float* s) const {
    const auto c = static_cast<int64_t>(labels.size());
    if (binary_class >= 0) {
      // Votes for one class v: scores [1 - v, v] for NONE and PROBIT, [-v, v] otherwise.
      const float v = s[binary_class] + binary_base;
      const bool probability = transform == OnnxMlTransform::kNone || transform == OnnxMlTransform::kProbit;
      s[0] = probability ? 1.0f - v : -v;
      s[1] = v;
      tree::ApplyOnnxMlTransform(transform, 2, std::span<float>(s, 2));
      return s[1] > s[0] ? 1 : 0;
    }
    size_t best = 0;
    bool found = false;
    for (int64_t k = 0; k < c; ++k) {
      s[k] += base[k];
      if (can_win[k] && (!found || s[k] > s[best])) best = static_cast<size_t>(k), found = true;
    }
    tree::ApplyOnnxMlTransform(transform, c, std::span<float>(s, static_cast<size_t>(c)));
    return best;
  }
};

class TreeClassifierKernel final : public Kernel {
 public:
  TreeClassifierKernel(Forest forest, ClassifierHead head) : forest_(std::move(forest)), head_(std::move(head)) {}

  Status Compute(KernelContext& ctx) const override {
    const TensorData& x = ctx.Input(0);
    FS_ASSIGN_OR_RETURN(MlRows rows, ReadMlRows(x));
    const int64_t c = forest_.num_outputs;
    FS_ASSIGN_OR_RETURN(TensorData * z, ctx.Output(1, {rows.rows, c}));
    float* scores = z->mutable_data_as<float>();
    FS_RETURN_IF_ERROR(EvaluateForest(forest_, x, rows, scores));
    FS_ASSIGN_OR_RETURN(TensorData * y, ctx.Output(0, {rows.rows}));
    for (int64_t r = 0; r < rows.rows; ++r) head_.labels.Write(y, r, head_.Finish(scores + r * c));
    return Status::Ok();
  }
  std::string_view path() const override { return forest_.fast ? "trees-fast" : "exact"; }

 private:
  Forest forest_;
  ClassifierHead head_;
};

Result<Aggregate> ReadAggregate(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(std::string name, info.attrs().GetString("aggregate_function", "SUM"));
  if (name == "SUM") return Aggregate::kSum;
  if (name == "AVERAGE") return Aggregate::kAverage;
  if (name == "MIN") return Aggregate::kMin;
  if (name == "MAX") return Aggregate::kMax;
  return info.Error("aggregate_function '" + name + "' is not one of SUM, AVERAGE, MIN, MAX");
}

Result<int32_t> ReadTargetCount(const KernelInfo& info, const tree::OnnxMlTreeAttributes& a) {
  int64_t largest = -1;
  for (int64_t id : a.vote_output_ids) largest = std::max(largest, id);
  FS_ASSIGN_OR_RETURN(int64_t n, info.attrs().GetInt("n_targets", std::max<int64_t>(largest + 1, 1)));
  if (n < 1 || n > (int64_t{1} << 16)) return info.Error("n_targets must be in [1, 65536], got " + std::to_string(n));
  return static_cast<int32_t>(n);
}

// A binary model's one score takes the base value of its class (or the single one given).
void SetBinaryBase(ClassifierHead* head, size_t base_count) {
  if (head->binary_class < 0) return;
  if (base_count == 1) head->binary_base = head->base[0];
  if (base_count == 2) head->binary_base = head->base[static_cast<size_t>(head->binary_class)];
}

}  // namespace

Result<std::unique_ptr<Kernel>> CreateTreeEnsembleRegressor(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(tree::OnnxMlTreeAttributes a, ReadTreeAttributes(info, "target"));
  FS_ASSIGN_OR_RETURN(a.num_outputs, ReadTargetCount(info, a));
  FS_ASSIGN_OR_RETURN(Aggregate aggregate, ReadAggregate(info));
  FS_ASSIGN_OR_RETURN(OnnxMlTransform transform, ReadPostTransform(info));
  const size_t targets = static_cast<size_t>(a.num_outputs);
  FS_ASSIGN_OR_RETURN(std::vector<float> base, ReadBaseValues(info, targets, targets == 1));
  FS_ASSIGN_OR_RETURN(Forest forest, BuildForest(info, std::move(a), aggregate));
  return std::unique_ptr<Kernel>(new TreeRegressorKernel(std::move(forest), std::move(base), transform));
}

Result<std::unique_ptr<Kernel>> CreateTreeEnsembleClassifier(const KernelInfo& info) {
  FS_ASSIGN_OR_RETURN(tree::OnnxMlTreeAttributes a, ReadTreeAttributes(info, "class"));
  ClassifierHead head;
  FS_ASSIGN_OR_RETURN(head.labels, ReadClassLabels(info, "classlabels_int64s", "classlabels_strings"));
  const size_t c = head.labels.size();
  if (c < 2) return info.Error("a classifier needs at least two class labels, got " + std::to_string(c));
  a.num_outputs = static_cast<int32_t>(c);
  FS_ASSIGN_OR_RETURN(head.transform, ReadPostTransform(info));
  const std::set<int64_t> voted_ids(a.vote_output_ids.begin(), a.vote_output_ids.end());
  if (c == 2 && voted_ids.size() == 1) head.binary_class = static_cast<int32_t>(*voted_ids.begin());
  FS_ASSIGN_OR_RETURN(head.base, ReadBaseValues(info, c, head.binary_class >= 0));
  const size_t base_count = head.base.size();
  SetBinaryBase(&head, base_count);
  FS_ASSIGN_OR_RETURN(Forest forest, BuildForest(info, std::move(a), Aggregate::kSum));
  head.can_win.assign(c, base_count == c ? 1 : 0);
  for (size_t k = 0; k < c; ++k) head.can_win[k] = head.can_win[k] || forest.voted[k];
  if (base_count != c) head.base.assign(c, 0.0f);
  return std::unique_ptr<Kernel>(new TreeClassifierKernel(std::move(forest), std::move(head)));
}

}  // namespace finserve::runtime::onnx
