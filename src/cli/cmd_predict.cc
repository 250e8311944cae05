#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/offline_service.h"
#include "core/env.h"
#include "core/json_writer.h"
#include "http/json_codec.h"
#include "serving/inference_service.h"

namespace finserve::cli {
namespace {

struct PredictOptions {
  std::string model_repository;
  std::string model;
  std::string version;
  std::string input;
};

int Predict(const PredictOptions& o) {
  auto offline = OfflineService::Open(o.model_repository, o.model);
  if (!offline.ok()) return CommandFailed("predict", offline.status());
  serving::InferenceService& service = (*offline)->service();

  auto body = Env::Default()->ReadFile(o.input);
  if (!body.ok()) return CommandFailed("predict", body.status());
  serving::InferRequest request;
  request.model_name = o.model;
  request.model_version = o.version;
  if (Status s = http::DecodeInferRequest(*body, http::DecodeLimits{}, &request); !s.ok()) {
    return CommandFailed("predict", s.WithContext(o.input));
  }
  auto response = service.Infer(request);
  if (!response.ok()) return CommandFailed("predict", response.status());
  JsonWriter w;
  http::EncodeInferResponse(*response, &w);
  std::cout << w.str() << "\n";
  return 0;
}

}  // namespace

RunCommand AddPredictCommand(CLI::App* command) {
  auto o = std::make_shared<PredictOptions>();
  command->add_option("--model-repository", o->model_repository, "model repository directory")->required();
  command->add_option("--model", o->model, "model name")->required();
  command->add_option("--version", o->version, "model version (default: by the model's version policy)");
  command->add_option("--input", o->input, "OIP v2 inference request (JSON file)")->required();
  return [o] { return Predict(*o); };
}

}  // namespace finserve::cli
