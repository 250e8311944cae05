#include "serving/validation.h"

#include <array>

#include "serving/model_state.h"

namespace finserve::serving {
namespace {

std::string Names(const std::vector<repository::TensorBinding>& bindings) {
  std::string out;
  for (const auto& b : bindings) out += (out.empty() ? "" : ", ") + b.spec.name;
  return out;
}

Status CheckInput(const repository::TensorBinding& binding, const InferInput& input) {
  const runtime::TensorSpec& spec = binding.spec;
  if (input.dtype != spec.dtype) {
    return InvalidArgument("input '" + input.name + "': expected datatype " + std::string(DataTypeName(spec.dtype)) +
                           ", got " + std::string(DataTypeName(input.dtype)));
  }
  const auto shape = input.tensor.shape().span();
  if (shape.size() != spec.shape.size()) {
    return InvalidArgument("input '" + input.name + "': expected " + std::to_string(spec.shape.size()) +
                           " dimensions " + DimsToString(spec.shape) + ", got shape " + DimsToString(shape));
  }
  for (size_t d = 0; d < shape.size(); ++d) {
    if (spec.shape[d] >= 0 && spec.shape[d] != shape[d]) {
      std::string message = "input '" + input.name + "': shape " + DimsToString(shape) + " does not match " +
                            DimsToString(spec.shape) + " (dimension " + std::to_string(d) + " must be " +
                            std::to_string(spec.shape[d]);
      if (d + 1 == shape.size() && !binding.features.empty()) {
        message += ": one column per feature";
      }
      return InvalidArgument(message + ")");
    }
  }
  return Status::Ok();
}

// Which of a model's inputs a request carried: inline for the usual handful (no allocation on the
// request path), a vector beyond.
class SeenSet {
 public:
  explicit SeenSet(size_t n) {
    if (n > kInline) heap_.assign(n, false);
  }
  bool Test(size_t i) const { return heap_.empty() ? inline_[i] : heap_[i]; }
  void Set(size_t i) {
    if (heap_.empty()) inline_[i] = true;
    else heap_[i] = true;
  }

 private:
  static constexpr size_t kInline = 64;
  std::array<bool, kInline> inline_{};
  std::vector<bool> heap_;
};

}  // namespace

Status BindRequestInputs(const repository::LoadedModel& model, const InferRequest& request,
                         std::vector<TensorView>* native_inputs) {
  const auto& bindings = model.inputs();
  const ModelState* state = StateOf(model);
  if (state == nullptr && model.config().document.contains("validation")) {
    return Internal("model '" + model.id().ToString() + "' has validation rules but was loaded without them");
  }
  native_inputs->assign(model.model().inputs().size(), TensorView{});
  SeenSet seen(bindings.size());
  for (const InferInput& input : request.inputs) {
    const int index = model.FindInput(input.name);
    if (index < 0) {
      return InvalidArgument("unknown input '" + input.name + "' for model '" + model.id().name +
                             "' (its inputs: " + Names(bindings) + ")");
    }
    if (seen.Test(static_cast<size_t>(index))) {
      return InvalidArgument("input '" + input.name + "' appears more than once in the request");
    }
    seen.Set(static_cast<size_t>(index));
    const auto& binding = bindings[static_cast<size_t>(index)];
    FS_RETURN_IF_ERROR(CheckInput(binding, input));
    if (state) FS_RETURN_IF_ERROR(state->feature_rules.Check(static_cast<size_t>(index), input.name, input.tensor.view()));
    (*native_inputs)[binding.native_index] = input.tensor.view();
  }
  for (size_t i = 0; i < bindings.size(); ++i) {
    if (!seen.Test(i)) {
      return InvalidArgument("missing input '" + bindings[i].spec.name + "' (model '" + model.id().name +
                             "' expects: " + Names(bindings) + ")");
    }
  }
  return Status::Ok();
}

Status SelectOutputs(const repository::LoadedModel& model, const InferRequest& request,
                     std::vector<size_t>* output_bindings, runtime::OutputSelection* native_selection) {
  const auto& bindings = model.outputs();
  output_bindings->clear();
  output_bindings->reserve(request.outputs.empty() ? bindings.size() : request.outputs.size());
  if (request.outputs.empty()) {
    for (size_t i = 0; i < bindings.size(); ++i) output_bindings->push_back(i);
    *native_selection = runtime::OutputSelection::All();
    return Status::Ok();
  }
  *native_selection = runtime::OutputSelection::None(model.model().outputs().size());
  for (const RequestedOutput& wanted : request.outputs) {
    const int index = model.FindOutput(wanted.name);
    if (index < 0) {
      return InvalidArgument("unknown output '" + wanted.name + "' requested (model '" + model.id().name +
                             "' outputs: " + Names(bindings) + ")");
    }
    for (size_t already : *output_bindings) {
      if (already == static_cast<size_t>(index)) {
        return InvalidArgument("output '" + wanted.name + "' is requested more than once");
      }
    }
    output_bindings->push_back(static_cast<size_t>(index));
    native_selection->Select(bindings[static_cast<size_t>(index)].native_index);
  }
  return Status::Ok();
}

}  // namespace finserve::serving
