#include <CLI/CLI.hpp>

#include <sys/resource.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <pthread.h>
#include <set>
#include <thread>

#include "cli/commands.h"
#include "cli/serve_settings.h"
#include "cli/server_config.h"
#include "cli/state_dir.h"
#include "core/build_info.h"
#include "core/env.h"
#include "core/log.h"
#include "core/metrics.h"
#include "grpc/server.h"
#include "http/routes.h"
#include "http/server.h"
#include "repository/manager.h"
#include "repository/poller.h"
#include "serving/audit_runtime.h"
#include "serving/auth/access_controller.h"
#include "serving/inference_service.h"
#include "serving/model_state.h"

namespace finserve::cli {
namespace {

// The command line as given: values (defaults where absent) and which settings were given.
struct CommandLine {
  ServeSettings values;
  std::map<std::string, CLI::Option*> options;
  std::set<std::string> Given() const {
    std::set<std::string> given;
    for (const auto& [name, option] : options) {
      if (option->count() > 0) given.insert(name);
    }
    return given;
  }
};

void AddSettingFlags(CLI::App* command, CommandLine* line) {
  for (const SettingSpec& spec : ServeSettingSpecs()) {
    const std::string flag = std::string("--") + spec.name;
    std::visit(
        [&](auto field) {
          auto& value = line->values.*field;
          using T = std::remove_reference_t<decltype(value)>;
          CLI::Option* option = nullptr;
          if constexpr (std::is_same_v<T, bool>) {
            option = command->add_flag(flag, value, spec.help);
          } else {
            option = command->add_option(flag, value, spec.help)->capture_default_str();
          }
          // A setting given twice takes the last value (scripts add defaults, callers override them).
          if constexpr (!std::is_same_v<T, std::vector<std::string>>) {
            option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
          }
          if constexpr (std::is_same_v<T, std::string>) {
            if (!spec.choices.empty()) option->check(CLI::IsMember(spec.choices));
          } else if constexpr (std::is_same_v<T, int64_t>) {
            option->check(CLI::Range(spec.min, std::numeric_limits<int64_t>::max()));
          }
          line->options[spec.name] = option;
        },
        spec.field);
  }
}

// Defaults < config file < flags.
Result<ServeSettings> EffectiveSettings(const CommandLine& line) {
  ServeSettings s = line.values;
  if (!s.config.empty()) {
    FS_ASSIGN_OR_RETURN(std::string text, Env::Default()->ReadFile(s.config));
    FS_RETURN_IF_ERROR(ApplyServerConfig(text, s.config, line.Given(), &s));
  }
  FS_RETURN_IF_ERROR(ValidateServeSettings(s));
  return s;
}

http::HttpLimits LimitsFrom(const ServeSettings& s) {
  http::HttpLimits l;
  l.max_body_bytes = static_cast<uint64_t>(s.max_body_bytes);
  l.max_header_bytes = static_cast<uint32_t>(s.max_header_bytes);
  l.max_url_bytes = static_cast<uint32_t>(s.max_url_bytes);
  l.idle_timeout_ms = s.idle_timeout_ms;
  l.read_timeout_ms = s.read_timeout_ms;
  l.max_connections = s.max_connections;
  l.max_in_flight = s.max_in_flight;
  l.decode.max_depth = static_cast<size_t>(s.max_json_depth);
  l.decode.max_elements_per_tensor = s.max_tensor_elements;
  l.decode.max_inputs = static_cast<size_t>(s.max_inputs);
  return l;
}

http::TlsOptions TlsFrom(const ServeSettings& s) { return {s.tls_cert, s.tls_key, s.tls_client_ca}; }

grpc::GrpcLimits GrpcLimitsFrom(const ServeSettings& s) {
  grpc::GrpcLimits l;
  l.max_in_flight = s.max_in_flight;
  l.decode.max_elements_per_tensor = s.max_tensor_elements;
  l.decode.max_inputs = static_cast<size_t>(s.max_inputs);
  return l;
}

grpc::GrpcServerOptions GrpcOptionsFrom(const ServeSettings& s) {
  return {s.http_address, static_cast<uint16_t>(s.grpc_port), s.grpc_max_message_bytes,
          {s.tls_cert, s.tls_key, s.tls_client_ca}};
}

serving::TrainingOptions TrainingFrom(const ServeSettings& s, const serving::ServiceOptions& service) {
  serving::TrainingOptions o;
  o.repository = s.model_repository;
  o.data_directory = s.training_data_dir;
  o.concurrent_jobs = static_cast<int>(s.training_jobs);
  o.threads_per_job = static_cast<int>(s.training_threads);
  o.max_queued_jobs = static_cast<int>(s.training_max_queued);
  o.max_upload_bytes = s.training_max_upload_bytes;
  o.max_memory_bytes = s.training_max_memory;
  o.reload_after_publish = service.model_control == serving::ModelControlMode::kPoll;
  return o;
}

serving::AuditRuntimeOptions AuditFrom(const ServeSettings& s, const std::string& state_dir) {
  serving::AuditRuntimeOptions o;
  o.state_dir = state_dir;
  o.enabled = s.audit_log == "on";
  o.log.fsync = s.audit_fsync == "always"     ? audit::FsyncPolicy::kAlways
                : s.audit_fsync == "interval" ? audit::FsyncPolicy::kInterval
                                              : audit::FsyncPolicy::kGroup;
  o.log.group_commit_ms = s.audit_group_commit_ms;
  o.log.max_file_bytes = s.audit_max_file_bytes;
  o.log.preallocate_bytes = s.audit_preallocate_bytes;
  o.log.checkpoint_every_records = s.audit_checkpoint_records;
  o.log.checkpoint_interval_ms = s.audit_checkpoint_interval_ms;
  o.signing_key_file = s.audit_signing_key;
  o.encryption_key_file = s.audit_encryption_key_file;
  o.fail_open = s.audit_failure == "open";
  o.signatures.require = s.require_signed_models;
  o.trusted_key_files = s.trusted_model_keys;
  return o;
}

// Logs every setting SIGHUP changed, and those it could not (they need a restart); returns
// {setting: {from, to, applied}} for the audit log.
nlohmann::json LogSettingChanges(const ServeSettings& before, const ServeSettings& after) {
  nlohmann::json changes = nlohmann::json::object();
  for (const SettingSpec& spec : ServeSettingSpecs()) {
    const std::string old_value = SettingValueText(spec, before);
    const std::string new_value = SettingValueText(spec, after);
    if (old_value == new_value) continue;
    changes[spec.name] = {{"from", old_value}, {"to", new_value}, {"applied", spec.reloadable}};
    FS_LOG(kInfo, "setting_changed")
        .With("applied", spec.reloadable ? "now" : "after a restart")
        .With("setting", spec.name)
        .With("from", old_value)
        .With("to", new_value);
  }
  return changes;
}

// A server holds a descriptor per connection: take the whole hard limit.
void RaiseOpenFileLimit(int64_t max_connections) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  if (limit.rlim_cur != RLIM_INFINITY && static_cast<int64_t>(limit.rlim_cur) < max_connections + 64) {
    FS_LOG(kWarn, "open_file_limit_low")
        .With("limit", static_cast<int64_t>(limit.rlim_cur))
        .With("max_connections", max_connections);
  }
}

void ApplyLogLevel(const ServeSettings& s) {
  LogLevel level;
  if (ParseLogLevel(s.log_level, &level)) SetLogLevel(level);
}

// Loads what the control mode asks for at start; in poll mode the poller's first scan does it.
void LoadExplicitModels(const ServeSettings& s, serving::InferenceService* service,
                        repository::ModelManager* manager) {
  std::vector<std::string> names = s.load_models;
  if (std::find(names.begin(), names.end(), "*") != names.end()) {
    auto on_disk = manager->ModelsOnDisk();
    names = on_disk.ok() ? *on_disk : std::vector<std::string>{};
  }
  for (const auto& name : names) {
    Status st = service->LoadModel(name);
    if (!st.ok()) FS_LOG(kError, "model_load_at_start").With("model", name).With("status", st.ToString());
  }
}

// One running server: everything `serve` builds, and what SIGHUP and SIGTERM do to it.
class ServeRun {
 public:
  explicit ServeRun(ServeSettings settings) : settings_(std::move(settings)) {}

  // Returns the process exit code on failure, 0 once serving.
  int Start();
  void Reload(const CommandLine& line);
  void Stop();

 private:
  Status StartAccess(const std::string& state_dir);
  Status StartGrpc();
  void WarnAboutExposure() const;

  ServeSettings settings_;
  std::unique_ptr<serving::auth::AccessController> access_;
  std::unique_ptr<serving::AuditRuntime> audit_;  // before manager_: its hooks outlive the manager
  std::unique_ptr<repository::ModelManager> manager_;
  std::unique_ptr<serving::InferenceService> service_;
  std::unique_ptr<serving::TrainingService> training_;  // after service_: its jobs stop before the manager goes
  std::shared_ptr<http::LiveLimits> limits_;
  std::unique_ptr<http::HttpServer> server_;
  std::shared_ptr<grpc::LiveGrpcLimits> grpc_limits_;
  std::unique_ptr<grpc::GrpcServer> grpc_server_;  // off unless --grpc-port is given
  std::unique_ptr<repository::RepositoryPoller> poller_;
};

Status ServeRun::StartAccess(const std::string& state_dir) {
  serving::auth::AccessOptions options;
  options.enabled = !settings_.insecure_no_auth;
  options.key_store_path = state_dir + "/" + serving::auth::kKeyStoreFileName;
  options.refresh_interval_ms = settings_.key_refresh_ms;
  FS_ASSIGN_OR_RETURN(access_, serving::auth::AccessController::Create(options));
  if (!access_->enabled()) {
    FS_LOG(kWarn, "authentication_off")
        .With("flag", "--insecure-no-auth")
        .With("effect", "every caller may infer, administer the repository and read everything");
  } else if (access_->active_keys() == 0) {
    FS_LOG(kWarn, "no_api_keys")
        .With("key_store", options.key_store_path)
        .With("hint", "every call but health answers 401 until a key exists: finserve keys create --state-dir " +
                          state_dir + " --name NAME --scopes infer");
  }
  return Status::Ok();
}

// The gRPC front end, when --grpc-port is given: same service, address, TLS files and limits.
Status ServeRun::StartGrpc() {
  if (settings_.grpc_port < 0) return Status::Ok();
  grpc_limits_ = std::make_shared<grpc::LiveGrpcLimits>(GrpcLimitsFrom(settings_));
  FS_ASSIGN_OR_RETURN(grpc_server_, grpc::GrpcServer::Create(GrpcOptionsFrom(settings_), service_.get(), grpc_limits_));
  FS_LOG(kInfo, "grpc_server_started")
      .With("address", settings_.http_address)
      .With("port", static_cast<int64_t>(grpc_server_->port()))
      .With("tls", grpc_server_->tls())
      .With("max_message_bytes", settings_.grpc_max_message_bytes);
  return Status::Ok();
}

void ServeRun::WarnAboutExposure() const {
  const bool loopback = settings_.http_address == "127.0.0.1" || settings_.http_address == "::1";
  if (!loopback && settings_.tls_cert.empty()) {
    FS_LOG(kWarn, "plaintext_on_network")
        .With("address", settings_.http_address)
        .With("hint", "keys and data cross the network unencrypted; serve with --tls-cert and --tls-key");
  }
}

int ServeRun::Start() {
  ApplyLogLevel(settings_);
  RaiseOpenFileLimit(settings_.max_connections);
  auto state_dir = PrepareStateDir(settings_.state_dir, settings_.model_repository);
  if (!state_dir.ok()) {
    std::cerr << "finserve serve: " << state_dir.status().message() << "\n";
    return 2;
  }
  if (Status s = StartAccess(*state_dir); !s.ok()) {
    std::cerr << "finserve serve: " << s.message() << "\n";
    return 1;
  }
  // One registry for every /metrics family: the audit log's and the serving layer's.
  auto metrics = std::make_shared<MetricsRegistry>();
  serving::AuditRuntimeOptions audit_options = AuditFrom(settings_, *state_dir);
  audit_options.log.metrics = metrics;
  auto audit = serving::AuditRuntime::Create(std::move(audit_options));
  if (!audit.ok()) {
    std::cerr << "finserve serve: " << audit.status().message() << "\n";
    return 1;
  }
  audit_ = std::move(audit).value();
  repository::ModelManager::Options manager_options;
  manager_options.repository = settings_.model_repository;
  manager_options.load.prepare = audit_->WrapPrepare(serving::ModelStatePrepareHook());
  manager_options.load.check_file = audit_->FileCheck();
  manager_options.on_event = audit_->Events();
  manager_ = std::make_unique<repository::ModelManager>(manager_options);
  serving::ServiceOptions service_options;
  service_options.server_version = std::string(BuildVersion());
  service_options.model_control =
      settings_.model_control == "explicit" ? serving::ModelControlMode::kExplicit : serving::ModelControlMode::kPoll;
  service_options.access = access_.get();
  service_options.inference_threads = static_cast<int>(settings_.inference_threads);
  service_options.audit = audit_->auditor();
  service_options.metrics_registry = metrics;
  service_ = std::make_unique<serving::InferenceService>(manager_.get(), service_options);

  limits_ = std::make_shared<http::LiveLimits>(LimitsFrom(settings_));
  http::Router router;
  http::AddV2Routes(&router, service_.get(), http::RouteOptions{limits_});
  http::AddExplainRoutes(&router, service_.get(), http::RouteOptions{limits_});
  http::AddTfServingRoutes(&router, service_.get(), http::RouteOptions{limits_});
  http::AddMetricsRoutes(&router, service_.get(), settings_.metrics_open);
  training_ = std::make_unique<serving::TrainingService>(manager_.get(), TrainingFrom(settings_, service_options));
  http::AddTrainingRoutes(&router, training_.get());
  auto handler = std::make_shared<const http::RequestHandler>(std::move(router), service_.get(), limits_);
  http::ServerOptions http_options{settings_.http_address, static_cast<uint16_t>(settings_.http_port),
                                   static_cast<int>(settings_.threads), TlsFrom(settings_)};
  auto server = http::HttpServer::Create(http_options, handler);
  if (!server.ok()) {
    std::cerr << "finserve serve: " << server.status().message() << "\n";
    return 1;
  }
  server_ = std::move(server).value();
  if (Status grpc = StartGrpc(); !grpc.ok()) {
    std::cerr << "finserve serve: " << grpc.message() << "\n";
    return 1;
  }
  if (service_options.model_control == serving::ModelControlMode::kPoll) {
    poller_ = std::make_unique<repository::RepositoryPoller>(manager_.get(), settings_.poll_interval_s * 1000);
    poller_->Start();
  } else {
    LoadExplicitModels(settings_, service_.get(), manager_.get());
  }
  server_->Start();
  service_->set_ready(true);
  WarnAboutExposure();
  const uint16_t port = server_->port();
  const char* scheme = server_->tls() ? "https" : "http";
  FS_LOG(kInfo, "server_started")
      .With("address", settings_.http_address)
      .With("port", static_cast<int64_t>(port))
      .With("tls", server_->tls())
      .With("mutual_tls", !settings_.tls_client_ca.empty())
      .With("auth", access_->enabled())
      .With("state_dir", *state_dir)
      .With("build", BuildId())
      .With("model_control", settings_.model_control);
  if (grpc_server_) {
    // Before the HTTP line: whoever waits for that line may read this one already.
    std::cout << "finserve: gRPC listening on " << (grpc_server_->tls() ? "grpcs://" : "grpc://")
              << settings_.http_address << ":" << grpc_server_->port() << std::endl;
  }
  std::cout << "finserve: listening on " << scheme << "://" << settings_.http_address << ":" << port << std::endl;
  return 0;
}

// SIGHUP: re-read the config file, apply limits, log level and TLS files, reload keys and rescan
// the repository; connections stay open. A bad config file changes nothing.
void ServeRun::Reload(const CommandLine& line) {
  FS_LOG(kInfo, "sighup").With("config", settings_.config);
  auto fresh = EffectiveSettings(line);
  if (!fresh.ok()) {
    FS_LOG(kError, "reload_refused").With("status", fresh.status().ToString()).With("effect", "settings unchanged");
    audit_->RecordAdmin("config_reload_refused", {{"config", settings_.config}, {"reason", fresh.status().message()}});
  } else {
    const ServeSettings before = settings_;
    for (const SettingSpec& spec : ServeSettingSpecs()) {
      if (!spec.reloadable) continue;  // keep the running value of restart-only settings
      std::visit([&](auto field) { settings_.*field = (*fresh).*field; }, spec.field);
    }
    limits_->Set(LimitsFrom(settings_));
    if (grpc_limits_) grpc_limits_->Set(GrpcLimitsFrom(settings_));
    ApplyLogLevel(settings_);
    // Logged once applied: whoever reads "applied":"now" may rely on it (the test of this did not).
    audit_->RecordAdmin("config_reloaded", {{"config", settings_.config}, {"changes", LogSettingChanges(before, *fresh)}});
    if (server_->tls()) {
      Status tls = server_->ReloadTls(TlsFrom(settings_));
      if (tls.ok()) FS_LOG(kInfo, "tls_reloaded").With("cert", settings_.tls_cert);
      else FS_LOG(kError, "tls_reload_failed").With("status", tls.ToString()).With("effect", "old certificate kept");
    }
  }
  if (access_->enabled()) {
    auto keys = access_->Reload();
    if (!keys.ok()) FS_LOG(kError, "key_reload_failed").With("status", keys.status().ToString());
    else serving::auth::LogKeyChanges(*keys, "SIGHUP");
  }
  if (poller_) (void)manager_->ReconcileAll();
}

void ServeRun::Stop() {
  FS_LOG(kInfo, "server_draining").With("timeout_s", settings_.drain_timeout_s);
  service_->set_ready(false);
  // Both front ends drain at once, within the one timeout.
  std::thread grpc_drain;
  if (grpc_server_) grpc_drain = std::thread([this] { grpc_server_->Shutdown(settings_.drain_timeout_s * 1000); });
  server_->Drain(settings_.drain_timeout_s * 1000);
  if (grpc_drain.joinable()) grpc_drain.join();
  if (poller_) poller_->Stop();
  if (Status closed = audit_->Close(); !closed.ok()) FS_LOG(kError, "audit_close_failed").With("status", closed.ToString());
  FS_LOG(kInfo, "server_stopped");
}

int Serve(const CommandLine& line) {
  auto settings = EffectiveSettings(line);
  if (!settings.ok()) {
    std::cerr << "finserve serve: " << settings.status().message() << "\n";
    return 2;
  }
  // Signals are taken synchronously by this thread (sigwait); block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  ServeRun run(*settings);
  if (int code = run.Start(); code != 0) return code;
  for (;;) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig != SIGHUP) break;
    run.Reload(line);
  }
  run.Stop();
  return 0;
}

}  // namespace

RunCommand AddServeCommand(CLI::App* command) {
  auto line = std::make_shared<CommandLine>();
  AddSettingFlags(command, line.get());
  return [line] { return Serve(*line); };
}

}  // namespace finserve::cli
