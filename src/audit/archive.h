// The version archive: every model file and effective config that ever served, kept by content
// (SHA-256) under <state-dir>/archive, so a decision can be replayed years later even after its
// version directory was removed. Objects are written once (atomically) and verified on read.
// A manifest per (model file, config) pair lists the version directory's files for replay.
//
// Layout: objects/<first 2 hex>/<64 hex>, manifests/<model sha256>.<config sha256>.json.
// Thread-safe (writers race benignly: same name, same bytes, atomic rename).
#pragma once

#include <string>
#include <string_view>

#include "core/env.h"
#include "core/status.h"

namespace finserve::audit {

class Archive {
 public:
  explicit Archive(std::string directory, Env* env = Env::Default())
      : directory_(std::move(directory)), env_(env) {}

  // Stores `bytes` (if not yet there); returns their SHA-256 hex.
  Result<std::string> Put(std::string_view bytes) const;
  // NotFound naming the hash and directory; DataLoss if the stored object no longer matches it.
  Result<std::string> Get(std::string_view sha256) const;
  bool Has(std::string_view sha256) const;

  Status PutManifest(std::string_view model_sha256, std::string_view config_sha256, std::string_view json) const;
  Result<std::string> GetManifest(std::string_view model_sha256, std::string_view config_sha256) const;

  const std::string& directory() const { return directory_; }

 private:
  std::string ObjectPath(std::string_view sha256) const;
  std::string ManifestPath(std::string_view model_sha256, std::string_view config_sha256) const;

  std::string directory_;
  Env* env_;
};

}  // namespace finserve::audit
