// finserve explain: explains one request offline, exactly as the server would answer it. The input
// is either an OIP v2 inference request (answered like POST .../explain: the outputs plus
// shap_values and reason_codes) or a named-feature score request {"applicant": {...}} (answered
// like POST /v1/models/{m}:score).
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/offline_service.h"
#include "core/env.h"
#include "core/json_writer.h"
#include "http/json_codec.h"
#include "http/score_codec.h"
#include "serving/inference_service.h"

namespace finserve::cli {
namespace {

struct ExplainOptions {
  std::string model_repository;
  std::string model;
  std::string version;
  std::string input;
  int64_t reason_codes = 0;  // 0: the model's default
};

bool IsScoreRequest(std::string_view body) {
  return body.find("\"applicant\"") != std::string_view::npos && body.find("\"inputs\"") == std::string_view::npos;
}

Result<std::string> ExplainInfer(const serving::InferenceService& service, const ExplainOptions& o,
                                 const std::string& body) {
  serving::InferRequest request;
  request.model_name = o.model;
  request.model_version = o.version;
  FS_RETURN_IF_ERROR(http::DecodeInferRequest(body, http::DecodeLimits{}, &request).WithContext(o.input));
  if (o.reason_codes > 0) request.parameters.Set("reason_codes", o.reason_codes);
  FS_ASSIGN_OR_RETURN(serving::InferResponse response, service.Explain(request));
  JsonWriter w;
  http::EncodeInferResponse(response, &w);
  return w.Take();
}

Result<std::string> ExplainScore(const serving::InferenceService& service, const ExplainOptions& o,
                                 const std::string& body) {
  serving::ScoreRequest request;
  request.model_name = o.model;
  request.model_version = o.version;
  FS_RETURN_IF_ERROR(http::DecodeScoreRequest(body, http::DecodeLimits{}, &request).WithContext(o.input));
  if (o.reason_codes > 0) request.reason_codes = o.reason_codes;
  FS_ASSIGN_OR_RETURN(serving::ScoreResponse response, service.Score(request));
  JsonWriter w;
  http::EncodeScoreResponse(response, &w);
  return w.Take();
}

int Explain(const ExplainOptions& o) {
  auto offline = OfflineService::Open(o.model_repository, o.model);
  if (!offline.ok()) return CommandFailed("explain", offline.status());
  serving::InferenceService& service = (*offline)->service();
  auto body = Env::Default()->ReadFile(o.input);
  if (!body.ok()) return CommandFailed("explain", body.status());
  auto answer = IsScoreRequest(*body) ? ExplainScore(service, o, *body) : ExplainInfer(service, o, *body);
  if (!answer.ok()) return CommandFailed("explain", answer.status());
  std::cout << *answer << "\n";
  return 0;
}

}  // namespace

RunCommand AddExplainCommand(CLI::App* command) {
  auto o = std::make_shared<ExplainOptions>();
  command->add_option("--model-repository", o->model_repository, "model repository directory")->required();
  command->add_option("--model", o->model, "model name")->required();
  command->add_option("--version", o->version, "model version (default: by the model's version policy)");
  command->add_option("--input", o->input,
                      "an OIP v2 inference request, or a score request {\"applicant\": {...}} (JSON file)")
      ->required();
  command->add_option("--reason-codes", o->reason_codes, "reasons per decision (default: the model's default_k)")
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
  return [o] { return Explain(*o); };
}

}  // namespace finserve::cli
