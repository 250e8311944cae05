#include "cli/serve_settings.h"

namespace finserve::cli {

const std::vector<SettingSpec>& ServeSettingSpecs() {
  using S = ServeSettings;
  static const std::vector<SettingSpec> specs = {
      {"model-repository", "directory holding <model>/<version>/<model file> (required)", &S::model_repository},
      {"http-address", "IP address to listen on", &S::http_address},
      {"http-port", "TCP port for HTTP; 0 picks a free port and prints it", &S::http_port, {}, 0},
      {"model-control", "poll: follow the repository on disk; explicit: only the load/unload API changes models",
       &S::model_control, {"poll", "explicit"}},
      {"poll-interval-s", "seconds between repository scans in poll mode", &S::poll_interval_s, {}, 1},
      {"load-model", "explicit mode: model to load at start (repeatable; '*' loads all)", &S::load_models},
      {"threads", "HTTP I/O and inference threads; 0 = one per hardware thread", &S::threads, {}, 0},
      {"max-body-bytes", "largest request body accepted (413 above)", &S::max_body_bytes, {}, 1},
      {"max-header-bytes", "largest request head accepted (431 above)", &S::max_header_bytes, {}, 256},
      {"max-json-depth", "deepest JSON nesting accepted in a request", &S::max_json_depth, {}, 2},
      {"max-tensor-elements", "most elements one input tensor may have", &S::max_tensor_elements, {}, 1},
      {"idle-timeout-ms", "close a keep-alive connection idle for this long", &S::idle_timeout_ms, {}, 1},
      {"read-timeout-ms", "a started request must arrive completely within this", &S::read_timeout_ms, {}, 1},
      {"drain-timeout-s", "on SIGTERM, wait this long for in-flight requests", &S::drain_timeout_s, {}, 0},
      {"log-level", "debug, info, warn, error or off", &S::log_level, {"debug", "info", "warn", "error", "off"}},
      {"training-data-dir", "directory whose CSV files training jobs may name as 'data_file' (empty: uploads only)",
       &S::training_data_dir},
      {"training-jobs", "training jobs that run at once (each on its own low-priority thread)", &S::training_jobs, {}, 1},
      {"training-threads", "threads one training job may use (XGBoost nthread; recorded in the lineage)",
       &S::training_threads, {}, 1},
      {"training-max-queued", "training jobs that may wait beyond the running ones; more are refused (429)", &S::training_max_queued, {}, 0},
      {"training-max-upload-bytes", "largest CSV a training job may upload ('data_csv')", &S::training_max_upload_bytes, {}, 1},
      {"training-max-memory", "memory budget for one training job's data", &S::training_max_memory, {}, 1024},
  };
  return specs;
}

Status ValidateServeSettings(const ServeSettings& s) {
  if (s.model_repository.empty()) return InvalidArgument("--model-repository is required");
  if (s.http_port > 65535) return InvalidArgument("--http-port must be at most 65535");
  if (!s.load_models.empty() && s.model_control != "explicit") {
    return InvalidArgument("--load-model only applies with --model-control explicit");
  }
  return Status::Ok();
}

}  // namespace finserve::cli
