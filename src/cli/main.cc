#include <cstdlib>
#include <cstring>
#include <unistd.h>

#include "cli/commands.h"
#include "core/thread_pool.h"

namespace {

// XGBoost and oneDNN use OpenMP. In the server our own threads do the work, so OpenMP must not
// spin-wait or fan out behind them. libgomp reads these variables when it is loaded, before main,
// so `serve` sets them and re-executes itself once.
void PinOpenMpForServing(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "serve") != 0 || std::getenv("FINSERVE_OMP_PINNED") != nullptr) return;
  setenv("FINSERVE_OMP_PINNED", "1", 1);
  setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
  setenv("OMP_NUM_THREADS", "1", 0);
  execv("/proc/self/exe", argv);  // returns only on failure: then carry on unpinned
}

// A process re-executed through /proc/self/exe is named "exe" (top, ps, pidof, killall); it gets
// back the name it was started by.
void RestoreProcessName(const char* argv0) {
  const char* slash = std::strrchr(argv0, '/');
  finserve::NameCurrentThread(slash ? slash + 1 : argv0);
}

}  // namespace

int main(int argc, char** argv) {
  PinOpenMpForServing(argc, argv);
  if (argc > 0 && std::getenv("FINSERVE_OMP_PINNED") != nullptr) RestoreProcessName(argv[0]);
  return finserve::cli::Main(argc, argv);
}
