#include "runtime/backend.h"

namespace finserve::runtime {

BackendRegistry::BackendRegistry(std::vector<std::unique_ptr<Backend>> backends)
    : backends_(std::move(backends)) {}

const Backend* BackendRegistry::ForFileName(std::string_view file_name) const {
  for (const auto& b : backends_) {
    if (b->file_name() == file_name) return b.get();
  }
  return nullptr;
}

std::vector<std::string_view> BackendRegistry::FileNames() const {
  std::vector<std::string_view> names;
  for (const auto& b : backends_) names.push_back(b->file_name());
  return names;
}

}  // namespace finserve::runtime
