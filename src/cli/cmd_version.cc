#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "core/build_info.h"

namespace finserve::cli {

RunCommand AddVersionCommand(CLI::App*) {
  return [] {
    std::cout << "finserve " << BuildVersion() << " (build " << BuildId() << ")\n";
    return 0;
  };
}

}  // namespace finserve::cli
