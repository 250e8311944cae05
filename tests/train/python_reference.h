// Runs a reference script under Debian's /usr/bin/python3 (with numpy, scikit-learn, xgboost,
// onnx) and returns what it printed. Used to check our numbers against the real libraries.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace finserve::testing {

// Runs tests/train/reference/<script> with `args`; returns its stdout parsed as JSON, or a JSON
// object {"error": ...} (and a failed expectation) when it fails.
nlohmann::json RunPythonReference(const std::string& script, const std::vector<std::string>& args);

// A new empty temporary directory.
std::string TempDir(const std::string& prefix);

}  // namespace finserve::testing
