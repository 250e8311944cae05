#include "cli/offline_service.h"

#include "serving/model_state.h"

namespace finserve::cli {
namespace {

repository::ModelManager::Options ManagerOptions(const std::string& repository) {
  repository::ModelManager::Options options;
  options.repository = repository;
  options.load.prepare = serving::ModelStatePrepareHook();
  return options;
}

serving::ServiceOptions ExplicitMode() {
  serving::ServiceOptions options;
  options.model_control = serving::ModelControlMode::kExplicit;
  return options;
}

}  // namespace

OfflineService::OfflineService(repository::ModelManager::Options options)
    : manager_(std::move(options)), service_(&manager_, ExplicitMode()) {}

Result<std::unique_ptr<OfflineService>> OfflineService::Open(const std::string& repository, const std::string& model) {
  std::unique_ptr<OfflineService> offline(new OfflineService(ManagerOptions(repository)));
  Status loaded = offline->service_.LoadModel(model);
  if (!loaded.ok() && offline->manager_.ReadyVersions(model).empty()) return loaded;
  return offline;
}

}  // namespace finserve::cli
