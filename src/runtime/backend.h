// Backend: turns one model file into a Model. Backends are stateless and thread-safe; each
// claims one file name in a version directory ("model.json", "model.onnx", ...).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "runtime/model.h"

namespace finserve::runtime {

struct ModelSource {
  std::string directory;   // the version directory (for files next to the model, e.g. external data)
  std::string file_name;   // e.g. "model.json"
  std::string_view bytes;  // the model file's contents, already read and hashed by the caller
};

struct BackendOptions {
  int intra_op_threads = 1;  // threads one Run() may use
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;       // "xgboost", "onnx", ...
  virtual std::string_view file_name() const = 0;  // the model file name it claims
  // Errors say what is wrong and where (tree/node, graph node/op), prefixed by nothing: the
  // caller adds the model name, version and path.
  virtual Result<std::unique_ptr<Model>> Load(const ModelSource& source, const BackendOptions& options) const = 0;
};

// The set of backends, looked up by model file name. Immutable after construction; thread-safe.
class BackendRegistry {
 public:
  explicit BackendRegistry(std::vector<std::unique_ptr<Backend>> backends);

  // The backend claiming `file_name`, or nullptr.
  const Backend* ForFileName(std::string_view file_name) const;
  std::vector<std::string_view> FileNames() const;

  // Every backend built into finserve (the list is in builtin_backends.cc).
  static const BackendRegistry& Builtin();

 private:
  std::vector<std::unique_ptr<Backend>> backends_;
};

}  // namespace finserve::runtime
