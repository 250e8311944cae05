// ServeSettings: every setting of `finserve serve`, declared once in a table (name, default,
// help, allowed values, whether SIGHUP applies it) that the command-line flags, the server config
// file (--config server.yaml) and docs/configuration.md are all built from. A setting named
// "http-port" is the flag --http-port and the YAML key `http-port:`.
//
// Precedence: built-in default < config file < command-line flag. Value types; the table is
// immutable and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"

namespace finserve::cli {

struct ServeSettings {
  std::string config;  // the server config file (a flag only)
  std::string model_repository;
  std::string state_dir = "~/.local/state/finserve";
  std::string http_address = "127.0.0.1";
  int64_t http_port = 8000;
  int64_t grpc_port = -1;  // off
  int64_t grpc_max_message_bytes = 64ll << 20;
  std::string model_control = "poll";
  int64_t poll_interval_s = 5;
  std::vector<std::string> load_models;
  int64_t threads = 0;
  int64_t inference_threads = 0;
  bool metrics_open = false;
  bool insecure_no_auth = false;
  int64_t key_refresh_ms = 200;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  int64_t max_body_bytes = 64ll << 20;
  int64_t max_header_bytes = 16ll << 10;
  int64_t max_url_bytes = 8ll << 10;
  int64_t max_json_depth = 64;
  int64_t max_tensor_elements = 1ll << 24;
  int64_t max_inputs = 64;
  int64_t max_connections = 10'000;
  int64_t max_in_flight = 1024;
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
  std::string audit_log = "on";
  std::string audit_fsync = "always";
  int64_t audit_group_commit_ms = 2;
  int64_t audit_max_file_bytes = 64ll << 20;
  int64_t audit_preallocate_bytes = 8ll << 20;
  int64_t audit_checkpoint_records = 1000;
  int64_t audit_checkpoint_interval_ms = 60'000;
  std::string audit_signing_key;
  std::string audit_encryption_key_file;
  std::string audit_failure = "closed";
  bool require_signed_models = false;
  std::vector<std::string> trusted_model_keys;
};

using SettingField = std::variant<std::string ServeSettings::*, int64_t ServeSettings::*, bool ServeSettings::*,
                                  std::vector<std::string> ServeSettings::*>;

struct SettingSpec {
  const char* name;  // flag name without "--"; the config file's key
  const char* help;
  SettingField field;
  std::vector<std::string> choices = {};  // allowed values (strings only); empty = any
  int64_t min = 0;                        // lower bound (integers only)
  bool reloadable = false;                // SIGHUP applies a changed value without a restart
  bool in_file = true;                    // may appear in the config file
};

const std::vector<SettingSpec>& ServeSettingSpecs();
const SettingSpec* FindSetting(std::string_view name);

// The value of one setting as text ("8000", "true", "a,b", "" for an empty string).
std::string SettingValueText(const SettingSpec& spec, const ServeSettings& settings);

// Checks one setting's value against its spec (choices, minimum); InvalidArgument naming it.
Status CheckSetting(const SettingSpec& spec, const ServeSettings& settings);
// Checks cross-setting rules that single flags cannot express.
Status ValidateServeSettings(const ServeSettings& settings);

// The Markdown table of docs/configuration.md: setting, default, SIGHUP, description.
std::string SettingsMarkdownTable();

}  // namespace finserve::cli
