// ServerProcess: starts the real `finserve serve` binary as a child process on a free loopback
// port (--http-port 0) with a private state directory (--state-dir, unless given), waits (with a
// deadline, not a sleep) for the line that says where it listens, and stops it at the end. Used
// by integration tests, which then talk HTTP(S) to it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace finserve::testing {

class ServerProcess {
 public:
  // `args` follow "finserve serve"; "--http-port 0" and "--state-dir <temp>" are added unless
  // present. `env` holds extra "NAME=value" entries for the child's environment.
  explicit ServerProcess(std::vector<std::string> args, std::vector<std::string> env = {});
  ~ServerProcess();

  bool Start(std::chrono::milliseconds deadline = std::chrono::seconds(30));
  int port() const { return port_; }
  // The gRPC port when the server runs with --grpc-port (0 otherwise).
  int grpc_port() const { return grpc_port_; }
  pid_t pid() const { return pid_; }
  const std::string& state_dir() const { return state_dir_; }
  bool tls() const { return tls_; }
  // Sends `signal` and waits for the exit; returns the exit status (or -1 on timeout).
  int Stop(int signal, std::chrono::milliseconds deadline = std::chrono::seconds(30));
  // Everything the server wrote to stderr (its structured log) so far.
  std::string Log() const;

 private:
  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::string state_dir_;
  bool tls_ = false;
  pid_t pid_ = -1;
  int port_ = 0;
  int grpc_port_ = 0;
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
// Runs a command, returns its exit status and collects stdout (and stderr when `err` is given).
int RunCommand(const std::vector<std::string>& argv, std::string* out, std::string* err = nullptr);
// `finserve keys create --state-dir DIR --name NAME --scopes SCOPES <extra...>`; returns the key
// (the last line of its output), or "" on failure.
std::string CreateKey(const std::string& state_dir, const std::string& name, const std::string& scopes,
                      const std::vector<std::string>& extra = {});

}  // namespace finserve::testing
