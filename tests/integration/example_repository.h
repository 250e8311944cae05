// A private copy of examples/model-repository for one test, plus helpers to read the bundled
// example request and compute the reference answers with the real XGBoost.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "testing/server_process.h"

namespace finserve::testing {

inline std::string SourceDir() { return FINSERVE_SOURCE_DIR; }

// Copies the example repository into a new temp dir and returns its path.
std::string CopyExampleRepository();
// The bundled request (examples/requests/credit_gbdt_infer.json).
nlohmann::json ExampleRequest();
// Its rows as a dense float matrix (null -> NaN), and the number of rows/columns.
std::vector<float> ExampleRows(const nlohmann::json& request, size_t* rows, size_t* cols);
// Atomically publishes version `version` of `model` in `repository` holding a copy of `model_file`.
void PublishVersion(const std::string& repository, const std::string& model, int version,
                    const std::string& model_file);

}  // namespace finserve::testing
