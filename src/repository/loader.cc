#include "repository/loader.h"

#include <exception>
#include <set>

#include "core/sha256.h"

namespace finserve::repository {
namespace {

Result<nlohmann::json> ReadConfigFile(Env* env, const std::string& path) {
  if (!env->FileExists(path)) return nlohmann::json::object();
  FS_ASSIGN_OR_RETURN(std::string text, env->ReadFile(path));
  return YamlToJson(text, path);
}

Status CheckShapeCompatible(const std::vector<int64_t>& configured, const runtime::TensorSpec& native,
                            std::string_view kind, const std::string& name) {
  bool ok = configured.size() == native.shape.size();
  for (size_t i = 0; ok && i < configured.size(); ++i) {
    ok = native.shape[i] < 0 || configured[i] == native.shape[i];
  }
  if (!ok) {
    return InvalidArgument("config " + std::string(kind) + " '" + name + "' has shape " + DimsToString(configured) +
                           " but the model's '" + native.name + "' has shape " + DimsToString(native.shape));
  }
  return Status::Ok();
}

Result<size_t> FindNative(const TensorConfig& c, size_t position, const std::vector<runtime::TensorSpec>& native,
                          std::string_view kind) {
  if (c.source.empty()) {
    if (position >= native.size()) {
      return InvalidArgument("config lists more " + std::string(kind) + "s than the model has (" +
                             std::to_string(native.size()) + "); name the model's tensor with 'source'");
    }
    return position;
  }
  for (size_t i = 0; i < native.size(); ++i) {
    if (native[i].name == c.source) return i;
  }
  std::string names;
  for (const auto& n : native) names += (names.empty() ? "" : ", ") + n.name;
  return InvalidArgument("config " + std::string(kind) + " '" + c.name + "' has source '" + c.source +
                         "', which the model does not have (it has: " + names + ")");
}

}  // namespace

Result<std::vector<TensorBinding>> BindTensors(const std::vector<TensorConfig>& configured,
                                               const std::vector<runtime::TensorSpec>& native,
                                               std::string_view kind) {
  std::vector<TensorBinding> out;
  std::set<size_t> bound;
  for (size_t i = 0; i < configured.size(); ++i) {
    const TensorConfig& c = configured[i];
    FS_ASSIGN_OR_RETURN(size_t index, FindNative(c, i, native, kind));
    if (!bound.insert(index).second) {
      return InvalidArgument("config binds the model's " + std::string(kind) + " '" + native[index].name + "' twice");
    }
    TensorBinding b;
    b.native_index = index;
    b.spec = native[index];
    b.spec.name = c.name;
    if (c.dtype != DataType::kInvalid && c.dtype != native[index].dtype) {
      return InvalidArgument("config " + std::string(kind) + " '" + c.name + "' has datatype " +
                             std::string(DataTypeName(c.dtype)) + " but the model's '" + native[index].name +
                             "' is " + std::string(DataTypeName(native[index].dtype)));
    }
    if (c.shape) {
      FS_RETURN_IF_ERROR(CheckShapeCompatible(*c.shape, native[index], kind, c.name));
      b.spec.shape = *c.shape;
    }
    if (!c.features.empty()) {
      const int64_t last = b.spec.shape.empty() ? -1 : b.spec.shape.back();
      if (last >= 0 && static_cast<size_t>(last) != c.features.size()) {
        return InvalidArgument("config " + std::string(kind) + " '" + c.name + "' names " +
                               std::to_string(c.features.size()) + " features but its last dimension is " +
                               std::to_string(last));
      }
      if (last < 0 && !b.spec.shape.empty()) b.spec.shape.back() = static_cast<int64_t>(c.features.size());
      b.features = c.features;
    }
    out.push_back(std::move(b));
  }
  // Tensors the config does not mention keep their own names.
  for (size_t i = 0; i < native.size(); ++i) {
    if (bound.count(i)) continue;
    for (const auto& b : out) {
      if (b.spec.name == native[i].name) {
        return InvalidArgument("config renames a tensor to '" + native[i].name + "', which is also the name of the model's " +
                               std::string(kind) + " " + std::to_string(i));
      }
    }
    out.push_back(TensorBinding{native[i], i, {}});
  }
  return out;
}

Result<nlohmann::json> ReadModelLevelConfig(Env* env, const ModelDir& model) {
  return ReadConfigFile(env, model.path + "/" + kConfigFileName);
}

Result<std::shared_ptr<const LoadedModel>> LoadVersion(Env* env, const runtime::BackendRegistry& backends,
                                                      const ModelDir& model, const VersionDir& version,
                                                      const nlohmann::json& model_config,
                                                      const LoadOptions& options) {
  FS_RETURN_IF_ERROR(version.problem);
  const runtime::Backend* backend = backends.ForFileName(version.model_file);
  if (backend == nullptr) return Internal("no backend claims " + version.model_file);

  LoadedModel::Parts parts;
  parts.id = ModelId{model.name, version.version};
  parts.model_path = version.path + "/" + version.model_file;

  const std::string version_config_path = version.path + "/" + kConfigFileName;
  FS_ASSIGN_OR_RETURN(nlohmann::json version_config, ReadConfigFile(env, version_config_path));
  const std::string where = env->FileExists(version_config_path)
                                ? model.path + "/" + kConfigFileName + " + " + version_config_path
                                : model.path + "/" + kConfigFileName;
  FS_ASSIGN_OR_RETURN(parts.config, ParseModelConfig(MergeConfigDocuments(model_config, version_config), where));
  if (!parts.config.name.empty() && parts.config.name != model.name) {
    return InvalidArgument(where + ": name '" + parts.config.name + "' differs from the directory name '" +
                           model.name + "'");
  }

  FS_ASSIGN_OR_RETURN(std::string bytes, env->ReadFile(parts.model_path));
  parts.model_sha256 = Sha256Hex(bytes);
  if (options.check_file) FS_RETURN_IF_ERROR(options.check_file(parts.model_path, bytes));
  runtime::ModelSource source{version.path, version.model_file, bytes};
  Result<std::unique_ptr<runtime::Model>> loaded = Internal("backend did not run");
  try {
    loaded = backend->Load(source, options.backend);
  } catch (const std::exception& e) {
    loaded = Internal(std::string("backend '") + std::string(backend->name()) + "' failed: " + e.what());
  }
  if (!loaded.ok()) return loaded.status().WithContext(parts.model_path);
  parts.model = std::move(loaded).value();

  if (!parts.config.platform.empty() && parts.config.platform != parts.model->platform()) {
    return InvalidArgument(where + ": platform '" + parts.config.platform + "' but " + version.model_file + " is '" +
                           std::string(parts.model->platform()) + "'");
  }
  FS_ASSIGN_OR_RETURN(parts.inputs, BindTensors(parts.config.inputs, parts.model->inputs(), "input"));
  FS_ASSIGN_OR_RETURN(parts.outputs, BindTensors(parts.config.outputs, parts.model->outputs(), "output"));
  parts.loaded_at_unix_micros = env->NowUnixMicros();

  auto loaded_model = std::make_shared<LoadedModel>(std::move(parts));
  if (options.prepare) {
    FS_ASSIGN_OR_RETURN(auto extension, options.prepare(*loaded_model));
    loaded_model->set_extension(std::move(extension));
  }
  return std::shared_ptr<const LoadedModel>(std::move(loaded_model));
}

}  // namespace finserve::repository
