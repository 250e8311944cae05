// THE table of finserve's subcommands. Each entry adds its flags to a CLI11 subcommand and
// returns the function that runs it (its exit code is the process's).
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace CLI {
class App;
}

namespace finserve::cli {

using RunCommand = std::function<int()>;

struct CommandSpec {
  const char* name;
  const char* help;
  RunCommand (*add)(CLI::App* command);
};

const std::vector<CommandSpec>& Commands();

RunCommand AddServeCommand(CLI::App* command);
RunCommand AddPredictCommand(CLI::App* command);
RunCommand AddTrainCommand(CLI::App* command);
RunCommand AddEvaluateCommand(CLI::App* command);
RunCommand AddKeysCommand(CLI::App* command);
RunCommand AddExplainCommand(CLI::App* command);
RunCommand AddVersionCommand(CLI::App* command);
RunCommand AddAuditCommand(CLI::App* command);
RunCommand AddSignCommand(CLI::App* command);
RunCommand AddKeygenCommand(CLI::App* command);

int Main(int argc, char** argv);

// Prints "finserve <command>: <message>" to stderr and returns the command's exit code: 2 when the
// caller's input was invalid, 1 for any other failure.
int CommandFailed(std::string_view command, const Status& status);

}  // namespace finserve::cli
