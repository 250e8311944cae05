// ServeSettings: every setting of `finserve serve`, declared once in a table (name, default,
// help, allowed values) that both the command-line flags and, later, the server config file are
// built from. A setting named "http-port" is the flag --http-port.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"

namespace finserve::cli {

struct ServeSettings {
  std::string model_repository;
  std::string http_address = "127.0.0.1";
  int64_t http_port = 8000;
  std::string model_control = "poll";
  int64_t poll_interval_s = 5;
  std::vector<std::string> load_models;
  int64_t threads = 0;
  int64_t max_body_bytes = 64ll << 20;
  int64_t max_header_bytes = 16ll << 10;
  int64_t max_json_depth = 64;
  int64_t max_tensor_elements = 1ll << 24;
  int64_t idle_timeout_ms = 60'000;
  int64_t read_timeout_ms = 30'000;
  int64_t drain_timeout_s = 30;
  std::string log_level = "info";
  std::string training_data_dir;
  int64_t training_jobs = 1;
  int64_t training_threads = 1;
  int64_t training_max_queued = 8;
  int64_t training_max_upload_bytes = 64ll << 20;
  int64_t training_max_memory = 1ll << 30;
};

struct SettingSpec {
  const char* name;  // flag name without "--"
  const char* help;
  std::variant<std::string ServeSettings::*, int64_t ServeSettings::*, std::vector<std::string> ServeSettings::*> field;
  std::vector<std::string> choices = {};  // allowed values (strings only); empty = any
  int64_t min = 0;                        // lower bound (integers only)
};

const std::vector<SettingSpec>& ServeSettingSpecs();

// Checks cross-setting rules that single flags cannot express.
Status ValidateServeSettings(const ServeSettings& settings);

}  // namespace finserve::cli
