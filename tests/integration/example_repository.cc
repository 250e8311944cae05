#include "integration/example_repository.h"

#include <cmath>
#include <filesystem>
#include <fstream>

namespace finserve::testing {

std::string CopyExampleRepository() {
  const std::string dir = MakeTempDir("finserve-repo") + "/repo";
  CopyTree(SourceDir() + "/examples/model-repository", dir);
  return dir;
}

nlohmann::json ExampleRequest() {
  std::ifstream in(SourceDir() + "/examples/requests/credit_gbdt_infer.json");
  return nlohmann::json::parse(in);
}

std::vector<float> ExampleRows(const nlohmann::json& request, size_t* rows, size_t* cols) {
  const auto& input = request["inputs"][0];
  *rows = input["shape"][0].get<size_t>();
  *cols = input["shape"][1].get<size_t>();
  std::vector<float> out;
  for (const auto& row : input["data"]) {
    for (const auto& v : row) out.push_back(v.is_null() ? NAN : v.get<float>());
  }
  return out;
}

void PublishVersion(const std::string& repository, const std::string& model, int version,
                    const std::string& model_file) {
  namespace fs = std::filesystem;
  const fs::path tmp = fs::path(repository) / model / (".tmp-" + std::to_string(version));
  fs::create_directories(tmp);
  fs::copy_file(model_file, tmp / fs::path(model_file).filename(), fs::copy_options::overwrite_existing);
  fs::rename(tmp, fs::path(repository) / model / std::to_string(version));
}

}  // namespace finserve::testing
