#include "cli/serve_settings.h"

#include <algorithm>

namespace finserve::cli {

const std::vector<SettingSpec>& ServeSettingSpecs() {
  using S = ServeSettings;
  static const std::vector<SettingSpec> specs = {
      {"config", "server config file (YAML; keys are these setting names); flags override it", &S::config, {}, 0,
       false, false},
      {"model-repository", "directory of models, laid out as NAME/VERSION/model file (required)", &S::model_repository},
      {"state-dir", "server state (key store, audit log); created mode 0700; never inside the model repository",
       &S::state_dir},
      {"http-address", "IP address to listen on", &S::http_address},
      {"http-port", "TCP port for HTTP(S); 0 picks a free port and prints it", &S::http_port, {}, 0},
      {"grpc-port",
       "TCP port for gRPC (OIP v2 inference.GRPCInferenceService, on --http-address, TLS as HTTPS); -1 = off; "
       "0 picks a free port and prints it",
       &S::grpc_port, {}, -1},
      {"grpc-max-message-bytes", "largest gRPC request message accepted (RESOURCE_EXHAUSTED above)",
       &S::grpc_max_message_bytes, {}, 1024},
      {"model-control", "poll: follow the repository on disk; explicit: only the load/unload API changes models",
       &S::model_control, {"poll", "explicit"}},
      {"poll-interval-s", "seconds between repository scans in poll mode", &S::poll_interval_s, {}, 1},
      {"load-model", "explicit mode: model to load at start (repeatable; '*' loads all)", &S::load_models},
      {"threads", "HTTP I/O and inference threads; 0 = one per hardware thread", &S::threads, {}, 0},
      {"inference-threads",
       "scheduler workers that run models (compute slots); 0 = one per hardware thread; per-model queues and "
       "batching come from each model's `batching:` config",
       &S::inference_threads, {}, 0},
      {"metrics-open", "serve GET /metrics without authentication (default: needs a key with scope metrics)",
       &S::metrics_open},
      {"insecure-no-auth", "turn authentication off: every caller may do everything (logged as a warning)",
       &S::insecure_no_auth},
      {"key-refresh-ms", "how often the server checks the key store for new, changed or revoked keys",
       &S::key_refresh_ms, {}, 10},
      {"tls-cert", "PEM certificate chain: serve HTTPS (TLS 1.2+) instead of HTTP; SIGHUP re-reads the files",
       &S::tls_cert, {}, 0, true},
      {"tls-key", "PEM private key of --tls-cert", &S::tls_key, {}, 0, true},
      {"tls-client-ca", "PEM CA certificates: require client certificates they signed (mutual TLS)",
       &S::tls_client_ca, {}, 0, true},
      {"max-body-bytes", "largest request body accepted (413 above)", &S::max_body_bytes, {}, 1, true},
      {"max-header-bytes", "largest request line plus headers accepted (431 above)", &S::max_header_bytes, {}, 256,
       true},
      {"max-url-bytes", "longest request target accepted (414 above)", &S::max_url_bytes, {}, 16, true},
      {"max-json-depth", "deepest JSON nesting accepted in a request (400 above)", &S::max_json_depth, {}, 2, true},
      {"max-tensor-elements", "most elements one input tensor may have (400, gRPC INVALID_ARGUMENT above)", &S::max_tensor_elements, {}, 1,
       true},
      {"max-inputs", "most input tensors one request may have (400, gRPC INVALID_ARGUMENT above)", &S::max_inputs, {}, 1, true},
      {"max-connections", "most open connections; one more gets 503 and is closed", &S::max_connections, {}, 1,
       true},
      {"max-in-flight", "most requests handled at once (HTTP and gRPC each); more get 503 with Retry-After (gRPC UNAVAILABLE) at once", &S::max_in_flight,
       {}, 1, true},
      {"idle-timeout-ms", "close a keep-alive connection idle for this long", &S::idle_timeout_ms, {}, 1, true},
      {"read-timeout-ms", "a started request (or TLS handshake) must arrive completely within this",
       &S::read_timeout_ms, {}, 1, true},
      {"drain-timeout-s", "on SIGTERM, wait this long for in-flight requests", &S::drain_timeout_s, {}, 0, true},
      {"log-level", "debug, info, warn, error or off", &S::log_level, {"debug", "info", "warn", "error", "off"}, 0,
       true},
      {"training-data-dir", "directory whose CSV files training jobs may name as 'data_file' (empty: uploads only)",
       &S::training_data_dir},
      {"training-jobs", "training jobs that run at once (each on its own low-priority thread)", &S::training_jobs, {}, 1},
      {"training-threads", "threads one training job may use (XGBoost nthread; recorded in the lineage)",
       &S::training_threads, {}, 1},
      {"training-max-queued", "training jobs that may wait beyond the running ones; more are refused (429)",
       &S::training_max_queued, {}, 0},
      {"training-max-upload-bytes", "largest CSV a training job may upload ('data_csv')", &S::training_max_upload_bytes,
       {}, 1},
      {"training-max-memory", "memory budget for one training job's data", &S::training_max_memory, {}, 1024},
      {"audit-log", "on: record every decision and admin action in <state-dir>/audit (docs/audit.md); off: do not",
       &S::audit_log, {"on", "off"}},
      {"audit-fsync", "always: each decision is on disk (fdatasync) before its answer, concurrent ones share one; "
       "group: decisions share an fdatasync within --audit-group-commit-ms, still before their answers; interval: "
       "answered once written to the OS (survives a crash of finserve, not of the machine), fdatasync every "
       "--audit-group-commit-ms", &S::audit_fsync, {"always", "group", "interval"}},
      {"audit-group-commit-ms", "group: longest a decision waits for others to share its fdatasync; interval: time "
       "between fdatasyncs",
       &S::audit_group_commit_ms, {}, 0},
      {"audit-max-file-bytes", "start a new audit file beyond this size (files also rotate each UTC day)",
       &S::audit_max_file_bytes, {}, 1},
      {"audit-preallocate-bytes", "zero-filled space kept written ahead of the records of the audit file being "
       "written, so each fdatasync writes only data (docs/audit.md); 0: none, every write extends the file (for "
       "copy-on-write file systems, where it does not help)", &S::audit_preallocate_bytes, {}, 0},
      {"audit-checkpoint-records", "sign the chain head after this many records", &S::audit_checkpoint_records, {}, 1},
      {"audit-checkpoint-interval-ms", "sign the chain head at least this often while records arrive",
       &S::audit_checkpoint_interval_ms, {}, 1},
      {"audit-signing-key", "Ed25519 private key (PEM) that signs checkpoints; must lie outside the state directory "
       "(make one with `finserve keygen`)", &S::audit_signing_key},
      {"audit-encryption-key-file", "AES-256 key (32 bytes or 64 hex digits) that encrypts the inputs of models whose "
       "config has audit.store_inputs: true", &S::audit_encryption_key_file},
      {"audit-failure", "closed: a decision that cannot be recorded fails with 503; open: it is answered, marked "
       "\"audit\": \"unrecorded\"", &S::audit_failure, {"closed", "open"}},
      {"require-signed-models", "refuse model files without a valid <file>.sig from a --trusted-model-key",
       &S::require_signed_models},
      {"trusted-model-key", "Ed25519 public key (PEM) trusted to sign model files (repeatable)", &S::trusted_model_keys},
  };
  return specs;
}

const SettingSpec* FindSetting(std::string_view name) {
  for (const SettingSpec& spec : ServeSettingSpecs()) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

std::string SettingValueText(const SettingSpec& spec, const ServeSettings& s) {
  return std::visit(
      [&](auto field) -> std::string {
        const auto& value = s.*field;
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return value;
        } else if constexpr (std::is_same_v<T, int64_t>) {
          return std::to_string(value);
        } else if constexpr (std::is_same_v<T, bool>) {
          return value ? "true" : "false";
        } else {
          std::string out;
          for (const auto& v : value) out += (out.empty() ? "" : ",") + v;
          return out;
        }
      },
      spec.field);
}

Status CheckSetting(const SettingSpec& spec, const ServeSettings& s) {
  return std::visit(
      [&](auto field) -> Status {
        const auto& value = s.*field;
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (!spec.choices.empty() && std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end()) {
            std::string list;
            for (const auto& c : spec.choices) list += (list.empty() ? "" : ", ") + c;
            return InvalidArgument(std::string(spec.name) + " is '" + value + "'; expected one of " + list);
          }
        } else if constexpr (std::is_same_v<T, int64_t>) {
          if (value < spec.min) {
            return InvalidArgument(std::string(spec.name) + " is " + std::to_string(value) + "; the minimum is " +
                                   std::to_string(spec.min));
          }
        }
        return Status::Ok();
      },
      spec.field);
}

Status ValidateServeSettings(const ServeSettings& s) {
  for (const SettingSpec& spec : ServeSettingSpecs()) FS_RETURN_IF_ERROR(CheckSetting(spec, s));
  if (s.model_repository.empty()) return InvalidArgument("--model-repository is required");
  if (s.state_dir.empty()) return InvalidArgument("--state-dir must not be empty");
  if (s.http_port > 65535) return InvalidArgument("--http-port must be at most 65535");
  if (s.grpc_port > 65535) return InvalidArgument("--grpc-port must be at most 65535");
  if (s.grpc_port > 0 && s.grpc_port == s.http_port) {
    return InvalidArgument("--grpc-port and --http-port are both " + std::to_string(s.http_port) + "; give them different ports");
  }
  if (s.grpc_max_message_bytes > 0x7fffffff) {
    return InvalidArgument("--grpc-max-message-bytes must be at most 2147483647 (gRPC's limit)");
  }
  if (s.max_header_bytes > (1ll << 30)) return InvalidArgument("--max-header-bytes must be at most 1 GiB");
  if (s.max_url_bytes > s.max_header_bytes) {
    return InvalidArgument("--max-url-bytes (" + std::to_string(s.max_url_bytes) + ") must not exceed --max-header-bytes (" +
                           std::to_string(s.max_header_bytes) + "): the request line is part of the head");
  }
  if (!s.load_models.empty() && s.model_control != "explicit") {
    return InvalidArgument("--load-model only applies with --model-control explicit");
  }
  if (s.tls_cert.empty() != s.tls_key.empty()) return InvalidArgument("--tls-cert and --tls-key go together");
  if (!s.tls_client_ca.empty() && s.tls_cert.empty()) return InvalidArgument("--tls-client-ca needs --tls-cert and --tls-key");
  return Status::Ok();
}

std::string SettingsMarkdownTable() {
  const ServeSettings defaults;
  std::string out = "| setting | default | SIGHUP | what it does |\n| --- | --- | --- | --- |\n";
  for (const SettingSpec& spec : ServeSettingSpecs()) {
    std::string value = SettingValueText(spec, defaults);
    value = value.empty() ? "(none)" : "`" + value + "`";
    std::string help = spec.help;
    if (!spec.in_file) help += " (flag only)";
    out += "| `" + std::string(spec.name) + "` | " + value + " | " + (spec.reloadable ? "applies" : "restart") + " | " +
           help + " |\n";
  }
  return out;
}

}  // namespace finserve::cli
