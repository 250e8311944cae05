#include "testing/server_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace finserve::testing {

std::string FinserveBinary() { return FINSERVE_BINARY; }

std::string MakeTempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  return mkdtemp(buf.data());
}

void CopyTree(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds deadline) {
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

int RunCommand(const std::vector<std::string>& argv, std::string* out, std::string* err) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return -1;
  const std::string err_path = err ? MakeTempDir("finserve-cmd") + "/stderr" : "";
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(pipefd[1], STDOUT_FILENO);
    if (!err_path.empty()) {
      const int fd = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, STDERR_FILENO);
    }
    close(pipefd[0]);
    close(pipefd[1]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(pipefd[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) out->append(buf, static_cast<size_t>(n));
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (err) {
    std::ifstream in(err_path);
    std::stringstream ss;
    ss << in.rdbuf();
    *err = ss.str();
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string CreateKey(const std::string& state_dir, const std::string& name, const std::string& scopes,
                      const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {FinserveBinary(), "keys", "create", "--state-dir", state_dir,
                                   "--name", name, "--scopes", scopes};
  argv.insert(argv.end(), extra.begin(), extra.end());
  std::string out;
  if (RunCommand(argv, &out) != 0) return "";
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out.substr(out.rfind('\n') + 1);
}

namespace {

// The port of "gRPC listening on grpc[s]://ADDRESS:PORT", which the server prints before its
// HTTP line; 0 when absent.
int GrpcPortIn(const std::string& out) {
  const std::string marker = "gRPC listening on ";
  const size_t at = out.find(marker);
  const size_t eol = at == std::string::npos ? at : out.find('\n', at);
  if (eol == std::string::npos) return 0;
  const std::string address = out.substr(at, eol - at);
  return std::stoi(address.substr(address.rfind(':') + 1));
}

}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> args, std::vector<std::string> env)
    : args_(std::move(args)), env_(std::move(env)) {
  bool has_port = false;
  for (size_t i = 0; i < args_.size(); ++i) {
    has_port |= args_[i] == "--http-port";
    tls_ |= args_[i] == "--tls-cert";
    if (args_[i] == "--state-dir" && i + 1 < args_.size()) state_dir_ = args_[i + 1];
  }
  if (!has_port) {
    args_.push_back("--http-port");
    args_.push_back("0");
  }
  if (state_dir_.empty()) {
    state_dir_ = MakeTempDir("finserve-state") + "/state";
    args_.push_back("--state-dir");
    args_.push_back(state_dir_);
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop(SIGKILL, std::chrono::seconds(10));
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

bool ServerProcess::Start(std::chrono::milliseconds deadline) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return false;
  log_path_ = MakeTempDir("finserve-log") + "/server.log";
  pid_ = fork();
  if (pid_ == 0) {
    dup2(pipefd[1], STDOUT_FILENO);
    const int log_fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(log_fd, STDERR_FILENO);
    close(pipefd[0]);
    close(pipefd[1]);
    std::vector<std::string> argv = {FinserveBinary(), "serve"};
    argv.insert(argv.end(), args_.begin(), args_.end());
    std::vector<char*> raw;
    for (auto& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    for (auto& e : env_) putenv(e.data());
    execv(raw[0], raw.data());
    _exit(127);
  }
  close(pipefd[1]);
  stdout_fd_ = pipefd[0];
  std::string out;
  const auto end = std::chrono::steady_clock::now() + deadline;
  const std::string marker = tls_ ? "listening on https://" : "listening on http://";
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{stdout_fd_, POLLIN, 0};
    if (poll(&p, 1, 50) > 0) {
      char buf[512];
      const ssize_t n = read(stdout_fd_, buf, sizeof buf);
      if (n <= 0) return false;  // exited
      out.append(buf, static_cast<size_t>(n));
      const size_t at = out.find(marker);
      const size_t eol = at == std::string::npos ? at : out.find('\n', at);
      if (eol != std::string::npos) {
        const std::string address = out.substr(at + marker.size(), eol - at - marker.size());
        port_ = std::stoi(address.substr(address.rfind(':') + 1));
        grpc_port_ = GrpcPortIn(out);
        return true;
      }
    }
  }
  return false;
}

int ServerProcess::Stop(int signal, std::chrono::milliseconds deadline) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  const auto end = std::chrono::steady_clock::now() + deadline;
  int status = 0;
  while (std::chrono::steady_clock::now() < end) {
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

std::string ServerProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace finserve::testing
