#include "repository/loaded_model.h"

namespace finserve::repository {

int LoadedModel::FindInput(std::string_view name) const {
  for (size_t i = 0; i < parts_.inputs.size(); ++i) {
    if (parts_.inputs[i].spec.name == name) return static_cast<int>(i);
  }
  return -1;
}

int LoadedModel::FindOutput(std::string_view name) const {
  for (size_t i = 0; i < parts_.outputs.size(); ++i) {
    if (parts_.outputs[i].spec.name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace finserve::repository
