// ModelConfig: a model's config.yaml, parsed and validated, merged with a version's own
// config.yaml (the version file overrides the model file key by key; lists are replaced whole).
//
// The effective config is kept as a JSON document (`document`) so that layers above the
// repository (validation, explanation, batching, audit) parse their own sections from it; its
// SHA-256 over a canonical serialisation (sorted keys, compact) is the config's identity.
// Unknown top-level keys are refused, so a typo never silently disables a setting.
// Value type; immutable once built.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/data_type.h"
#include "core/status.h"

namespace finserve::repository {

struct TensorConfig {
  std::string name;                             // the name clients use
  std::string source;                           // the model's own name for it; empty = by position
  DataType dtype = DataType::kInvalid;          // kInvalid = take the model's
  std::optional<std::vector<int64_t>> shape;    // -1 = dynamic; absent = take the model's
  std::vector<std::string> features;            // column names of the last dimension, in order
};

struct VersionPolicy {
  enum class Kind { kLatest, kAll, kSpecific };
  Kind kind = Kind::kLatest;
  int64_t latest = 1;
  std::vector<int64_t> specific;

  // The versions to serve out of `available` (sorted ascending on return).
  std::vector<int64_t> Select(std::vector<int64_t> available) const;
  std::string ToString() const;
};

struct ModelConfig {
  std::string name;
  std::string platform;
  std::string description;
  std::string owner;
  VersionPolicy version_policy;
  std::vector<TensorConfig> inputs;
  std::vector<TensorConfig> outputs;

  nlohmann::json document = nlohmann::json::object();  // the whole effective config
  std::string sha256;                                  // of CanonicalJson(document)
};

// Parses YAML text into a JSON document (plain scalars become numbers/booleans/null where they
// read as such; quoted scalars stay strings). Errors name `file` and the line.
Result<nlohmann::json> YamlToJson(std::string_view yaml_text, std::string_view file);

// Deep merge: maps merge key by key, everything else in `override` replaces `base`.
nlohmann::json MergeConfigDocuments(const nlohmann::json& base, const nlohmann::json& override);

// Compact, sorted-key serialisation used for hashing.
std::string CanonicalJson(const nlohmann::json& document);

// Validates `document` and builds the typed config. `where` names the file(s) for messages.
Result<ModelConfig> ParseModelConfig(const nlohmann::json& document, std::string_view where);

// The top-level keys a config may have (the typed ones above plus sections owned by other layers).
const std::vector<std::string_view>& KnownConfigKeys();

}  // namespace finserve::repository
