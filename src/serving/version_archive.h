// Archiving a version as it starts to serve, and model-file signatures checked before it loads.
//
// ArchiveVersion() copies every regular file of the version directory and the effective config
// (canonical JSON) into the content-addressed archive and writes the version's manifest, so
// `finserve audit replay` can rebuild exactly what decided even after the directory is gone.
//
// ModelSignaturePolicy checks `<model file>.sig` (JSON: file, sha256, key_id, signature) with the
// trusted Ed25519 public keys before a backend parses the model file; with `require` an unsigned
// or mismatching file fails the load (the version already serving keeps serving). The message a
// signature covers is ModelSignatureMessage(file name, SHA-256 hex). Thread-safe; immutable.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "audit/archive.h"
#include "audit/crypto.h"
#include "repository/loaded_model.h"

namespace finserve::serving {

// Returns the manifest JSON it stored.
Result<std::string> ArchiveVersion(const audit::Archive& archive, const repository::LoadedModel& model);

// The files a manifest lists, for replay.
struct VersionManifest {
  std::string model;
  int64_t version = 0;
  std::string model_file;
  std::string config_json;  // the effective config (its SHA-256 is the config_sha256)
  std::vector<std::pair<std::string, std::string>> files;  // name -> sha256
};
Result<VersionManifest> ParseVersionManifest(std::string_view json);

std::string ModelSignatureMessage(std::string_view file_name, std::string_view sha256_hex);
// The contents of a `.sig` file for `file_name` with `bytes`.
Result<std::string> SignModelFile(const audit::SigningKey& key, std::string_view file_name, std::string_view bytes);

struct ModelSignaturePolicy {
  std::vector<audit::VerifyKey> trusted;
  bool require = false;
  // OK when the file is signed by a trusted key (or unsigned and not required). The message names
  // the file, its SHA-256, the signature file and the key.
  Status Check(const std::string& path, std::string_view bytes) const;
};

}  // namespace finserve::serving
