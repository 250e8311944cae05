#include "cli/commands.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

namespace finserve::cli {

int CommandFailed(std::string_view command, const Status& status) {
  std::cerr << "finserve " << command << ": " << status.message() << "\n";
  return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
}

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> commands = {
      {"serve", "serve the models of a repository over HTTP", &AddServeCommand},
      {"predict", "run one inference request offline, as the server would, and print the answer", &AddPredictCommand},
      {"keys", "create, list and revoke API keys and client-certificate grants in the state directory",
       &AddKeysCommand},
      {"train", "train a model from a CSV file and publish it as a new version in a model repository", &AddTrainCommand},
      {"evaluate", "score a labelled CSV file with a served model version and report AUC, KS, calibration, ...", &AddEvaluateCommand},
      {"explain", "explain one request offline (shap_values, reason codes; or score an applicant by name)",
       &AddExplainCommand},
      {"audit", "verify the decision audit log, show a decision, replay it bit for bit", &AddAuditCommand},
      {"sign", "sign model files (FILE.sig, Ed25519) for --require-signed-models", &AddSignCommand},
      {"keygen", "make an Ed25519 key pair (audit checkpoints, model signatures)", &AddKeygenCommand},
      {"version", "print the version and build of this binary", &AddVersionCommand},
  };
  return commands;
}

int Main(int argc, char** argv) {
  CLI::App app{"finserve: model serving for financial AI (credit risk, forecasting, text)", "finserve"};
  app.require_subcommand(1);
  app.fallthrough(false);
  std::map<CLI::App*, RunCommand> runners;
  for (const CommandSpec& spec : Commands()) {
    CLI::App* command = app.add_subcommand(spec.name, spec.help);
    runners[command] = spec.add(command);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (auto& [command, run] : runners) {
    if (command->parsed()) return run();
  }
  return 2;
}

}  // namespace finserve::cli
