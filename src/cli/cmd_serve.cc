#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>
#include <memory>
#include <pthread.h>

#include "cli/commands.h"
#include "cli/serve_settings.h"
#include "core/build_info.h"
#include "core/log.h"
#include "http/routes.h"
#include "http/server.h"
#include "repository/manager.h"
#include "repository/poller.h"
#include "serving/inference_service.h"
#include "serving/model_extension.h"

namespace finserve::cli {
namespace {

void AddSettingFlags(CLI::App* command, ServeSettings* settings) {
  for (const SettingSpec& spec : ServeSettingSpecs()) {
    const std::string flag = std::string("--") + spec.name;
    std::visit(
        [&](auto field) {
          using T = std::remove_reference_t<decltype(settings->*field)>;
          CLI::Option* option = command->add_option(flag, settings->*field, spec.help)->capture_default_str();
          if constexpr (std::is_same_v<T, std::string>) {
            if (!spec.choices.empty()) option->check(CLI::IsMember(spec.choices));
          } else if constexpr (std::is_same_v<T, int64_t>) {
            option->check(CLI::Range(spec.min, std::numeric_limits<int64_t>::max()));
          }
        },
        spec.field);
  }
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

int Serve(const ServeSettings& s) {
  LogLevel level;
  if (ParseLogLevel(s.log_level, &level)) SetLogLevel(level);
  if (Status valid = ValidateServeSettings(s); !valid.ok()) {
    std::cerr << "finserve serve: " << valid.message() << "\n";
    return 2;
  }
  // Signals are taken synchronously by this thread (sigwait); block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  repository::ModelManager::Options manager_options;
  manager_options.repository = s.model_repository;
  manager_options.load.prepare = serving::MakePrepareHook();
  repository::ModelManager manager(manager_options);
  serving::ServiceOptions service_options;
  service_options.server_version = std::string(BuildVersion());
  service_options.model_control =
      s.model_control == "explicit" ? serving::ModelControlMode::kExplicit : serving::ModelControlMode::kPoll;
  serving::InferenceService service(&manager, service_options);

  http::Router router;
  http::RouteOptions route_options;
  route_options.limits.max_depth = static_cast<size_t>(s.max_json_depth);
  route_options.limits.max_elements_per_tensor = s.max_tensor_elements;
  http::AddV2Routes(&router, &service, route_options);
  http::AddExplainRoutes(&router, &service, route_options);
  http::ServerOptions http_options;
  http_options.address = s.http_address;
  http_options.port = static_cast<uint16_t>(s.http_port);
  http_options.threads = static_cast<int>(s.threads);
  http_options.max_body_bytes = static_cast<uint64_t>(s.max_body_bytes);
  http_options.max_header_bytes = static_cast<uint32_t>(s.max_header_bytes);
  http_options.idle_timeout_ms = s.idle_timeout_ms;
  http_options.read_timeout_ms = s.read_timeout_ms;
  auto server = http::HttpServer::Create(http_options, std::move(router));
  if (!server.ok()) {
    std::cerr << "finserve serve: " << server.status().message() << "\n";
    return 1;
  }

  std::unique_ptr<repository::RepositoryPoller> poller;
  if (service_options.model_control == serving::ModelControlMode::kPoll) {
    poller = std::make_unique<repository::RepositoryPoller>(&manager, s.poll_interval_s * 1000);
    poller->Start();
  } else {
    LoadExplicitModels(s, &service, &manager);
  }
  (*server)->Start();
  service.set_ready(true);
  const uint16_t port = (*server)->port();
  FS_LOG(kInfo, "server_started")
      .With("address", s.http_address)
      .With("port", static_cast<int64_t>(port))
      .With("build", BuildId())
      .With("model_control", s.model_control);
  std::cout << "finserve: listening on http://" << s.http_address << ":" << port << std::endl;

  for (;;) {
    int sig = 0;
    sigwait(&signals, &sig);
    if (sig == SIGHUP) {
      FS_LOG(kInfo, "sighup").With("action", "rescan repository");
      if (poller) (void)manager.ReconcileAll();
      continue;
    }
    break;
  }
  FS_LOG(kInfo, "server_draining").With("timeout_s", s.drain_timeout_s);
  service.set_ready(false);
  (*server)->Drain(s.drain_timeout_s * 1000);
  if (poller) poller->Stop();
  FS_LOG(kInfo, "server_stopped");
  return 0;
}

}  // namespace

RunCommand AddServeCommand(CLI::App* command) {
  auto settings = std::make_shared<ServeSettings>();
  AddSettingFlags(command, settings.get());
  return [settings] { return Serve(*settings); };
}

}  // namespace finserve::cli
