// Any bytes as a server config file (--config server.yaml): a Status, never a crash; a file that
// applies leaves settings that pass or fail validation cleanly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cli/server_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  finserve::cli::ServeSettings settings;
  if (finserve::cli::ApplyServerConfig(text, "server.yaml", {"http-port"}, &settings).ok()) {
    (void)finserve::cli::ValidateServeSettings(settings);
  }
  return 0;
}
