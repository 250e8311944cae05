#include "explain/model_explainers.h"

#include "explain/tree_shap.h"
#include "runtime/tree/tree_model.h"

namespace finserve::explain {
namespace {

const runtime::tree::TreeModel* AsTreeModel(const runtime::Model& model) {
  return dynamic_cast<const runtime::tree::TreeModel*>(&model);
}

}  // namespace

Result<std::unique_ptr<Explainer>> CreateTreeShapExplainer(const runtime::Model& model) {
  const auto* tree = AsTreeModel(model);
  if (tree == nullptr) {
    return Unimplemented("TreeSHAP needs a tree model; this one is '" + std::string(model.platform()) + "'");
  }
  FS_ASSIGN_OR_RETURN(auto shap, TreeShap::Create(tree->ensemble()));
  return std::unique_ptr<Explainer>(std::make_unique<TreeShapExplainer>(std::move(shap), MarginSpace(model)));
}

std::string MarginSpace(const runtime::Model& model) {
  const auto* tree = AsTreeModel(model);
  if (tree == nullptr) return "output";
  switch (tree->objective().transform) {
    case runtime::tree::PostTransform::kLogistic: return "log_odds";
    case runtime::tree::PostTransform::kSoftmax: return "logit";
    default: return "margin";
  }
}

std::vector<std::string> NativeFeatureNames(const runtime::Model& model) {
  const auto* tree = AsTreeModel(model);
  return tree != nullptr ? tree->feature_names() : std::vector<std::string>{};
}

int MarginOutputIndex(const runtime::Model& model) {
  const auto& outputs = model.outputs();
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i].name == "margin") return static_cast<int>(i);
  }
  return -1;
}

}  // namespace finserve::explain
