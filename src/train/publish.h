// Publishes a trained version into a model repository atomically: the files are written and
// fsynced inside a hidden temporary directory next to the versions ("<model>/.tmp-train-..."),
// which is then renamed to the next free version number without replacing anything
// (renameat2 RENAME_NOREPLACE), so a server polling the repository sees the whole version or
// nothing, and two publishers never take the same number. On any failure the temporary
// directory is removed: no partial version is ever left behind. Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace finserve::train {

// Returns the version number it took.
Result<int64_t> PublishVersion(const std::string& repository, const std::string& model,
                               const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace finserve::train
