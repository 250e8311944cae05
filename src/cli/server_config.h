// The server config file: a YAML map whose keys are the names of ServeSettingSpecs() (the flag
// names without "--"), e.g.
//
//   model-repository: /srv/models
//   http-port: 8443
//   tls-cert: /etc/finserve/server.pem
//   load-model: [credit_gbdt, fraud]
//
// Unknown keys, wrong types and values outside a setting's range are errors naming the file and
// line. Settings given on the command line are skipped (flags override the file). Pure functions.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "cli/serve_settings.h"
#include "core/status.h"

namespace finserve::cli {

// Applies the YAML text of `file` onto `settings`, except the settings named in `skip`.
Status ApplyServerConfig(std::string_view yaml_text, std::string_view file, const std::set<std::string>& skip,
                         ServeSettings* settings);

}  // namespace finserve::cli
