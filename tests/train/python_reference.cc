#include "train/python_reference.h"

#include <gtest/gtest.h>
#include <stdio.h>
#include <stdlib.h>

#include <array>
#include <filesystem>

namespace finserve::testing {

nlohmann::json RunPythonReference(const std::string& script, const std::vector<std::string>& args) {
  std::string command = "/usr/bin/python3 '" + std::string(FINSERVE_SOURCE_DIR) + "/tests/train/reference/" + script + "'";
  for (const auto& a : args) command += " '" + a + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) {
    ADD_FAILURE() << "cannot run " << command;
    return {{"error", "popen"}};
  }
  std::string out;
  std::array<char, 4096> buf;
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  const int status = ::pclose(pipe);
  if (status != 0) {
    ADD_FAILURE() << command << " exited with " << status << ": " << out;
    return {{"error", out}};
  }
  return nlohmann::json::parse(out);
}

namespace {

// Directories made by TempDir, removed when the test binary exits.
std::vector<std::string>& MadeDirs() {
  static auto* dirs = new std::vector<std::string>();
  return *dirs;
}

void RemoveMadeDirs() {
  std::error_code ec;
  for (const auto& d : MadeDirs()) std::filesystem::remove_all(d, ec);
}

}  // namespace

std::string TempDir(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string templ = std::string(base ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  if (!::mkdtemp(templ.data())) ADD_FAILURE() << "mkdtemp failed";
  if (MadeDirs().empty()) std::atexit(RemoveMadeDirs);
  MadeDirs().push_back(templ);
  return templ;
}

}  // namespace finserve::testing
