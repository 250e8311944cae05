// ServerProcess: starts the real `finserve serve` binary as a child process on a free loopback
// port (--http-port 0), waits (with a deadline, not a sleep) for the line that says where it
// listens, and stops it at the end. Used by integration tests, which then talk HTTP to it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace finserve::testing {

class ServerProcess {
 public:
  // `args` follow "finserve serve"; "--http-port 0" is added unless present.
  explicit ServerProcess(std::vector<std::string> args);
  ~ServerProcess();

  bool Start(std::chrono::milliseconds deadline = std::chrono::seconds(30));
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends `signal` and waits for the exit; returns the exit status (or -1 on timeout).
  int Stop(int signal, std::chrono::milliseconds deadline = std::chrono::seconds(30));
  // Everything the server wrote to stderr (its structured log) so far.
  std::string Log() const;

 private:
  std::vector<std::string> args_;
  pid_t pid_ = -1;
  int port_ = 0;
  int stdout_fd_ = -1;
  std::string log_path_;
};

// Path of the finserve binary under test (set by CMake).
std::string FinserveBinary();
// A fresh directory under the test temp dir; removed by the caller if it wishes.
std::string MakeTempDir(const std::string& prefix);
// Copies a directory tree.
void CopyTree(const std::string& from, const std::string& to);
// Polls `condition` every 10 ms until true or `deadline` passes.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds deadline);
// Runs a command, returns its exit status and collects stdout.
int RunCommand(const std::vector<std::string>& argv, std::string* out);

}  // namespace finserve::testing
