// Checks an InferRequest against the model version it is routed to (names, datatypes, shapes,
// then the per-feature rules of the version's ModelState) and binds it to the model's own tensors. Every failure is InvalidArgument naming the input or output, and
// expected vs got, in words a client can act on. Stateless; thread-safe.
#pragma once

#include <vector>

#include "core/tensor.h"
#include "repository/loaded_model.h"
#include "runtime/model.h"
#include "serving/request.h"

namespace finserve::serving {

// On success `native_inputs` holds one view per model input, in the model's own order.
Status BindRequestInputs(const repository::LoadedModel& model, const InferRequest& request,
                         std::vector<TensorView>* native_inputs);

// Resolves the requested outputs (all when none are named) to indices into model.outputs(),
// in answer order, and the matching selection of the model's own outputs.
Status SelectOutputs(const repository::LoadedModel& model, const InferRequest& request,
                     std::vector<size_t>* output_bindings, runtime::OutputSelection* native_selection);

}  // namespace finserve::serving
