// OfflineService: the serving stack of one model without a server, for the commands that answer
// from a model repository directly (predict, explain, evaluate). The model is loaded as the
// server loads it (the same prepare hook: validation rules, raw features, explanations), in
// explicit mode, so offline answers equal the server's. Not copyable; thread-compatible.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "repository/manager.h"
#include "serving/inference_service.h"

namespace finserve::cli {

class OfflineService {
 public:
  // Fails only when no version of `model` could be loaded (the first load error is returned).
  static Result<std::unique_ptr<OfflineService>> Open(const std::string& repository, const std::string& model);

  serving::InferenceService& service() { return service_; }

 private:
  explicit OfflineService(repository::ModelManager::Options options);

  repository::ModelManager manager_;
  serving::InferenceService service_;
};

}  // namespace finserve::cli
