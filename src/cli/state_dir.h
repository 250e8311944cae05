// The server's state directory (key store, audit log, other server state): resolved ("~" is the
// home directory), created with mode 0700 when missing, refused when group or others may use it,
// and never inside the model repository (whoever may write models must not reach the keys).
// Pure function of the file system; thread-compatible.
#pragma once

#include <string>

#include "core/env.h"
#include "core/status.h"

namespace finserve::cli {

// Returns the absolute path of the ready state directory. `model_repository` may be "" (keys
// commands); otherwise the state directory must not lie inside it.
Result<std::string> PrepareStateDir(const std::string& configured, const std::string& model_repository,
                                    Env* env = Env::Default());

}  // namespace finserve::cli
