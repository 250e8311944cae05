// The HTTP handling below Beast: any request line, headers and body through the RequestHandler
// (URL and content checks, routing, Authorization parsing, access, the v2 route handlers and the
// JSON codec) against the real service with the example model. An answer, never a crash.
// Input: "<method> <target>\n" then "name: value\n" header lines, an empty line, then the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/log.h"
#include "http/request_handler.h"
#include "http/routes.h"
#include "repository/manager.h"
#include "serving/auth/key_store.h"
#include "serving/model_state.h"

namespace {

namespace fs = std::filesystem;
using namespace finserve;

struct Server {
  std::unique_ptr<serving::auth::AccessController> access;
  std::unique_ptr<repository::ModelManager> manager;
  std::unique_ptr<serving::InferenceService> service;
  std::unique_ptr<http::RequestHandler> handler;

  explicit Server(const std::string& dir, bool auth) {
    serving::auth::AccessOptions access_options;
    access_options.enabled = auth;
    access_options.key_store_path = dir + "/keys.db";
    access_options.refresh_interval_ms = 60'000;
    access = serving::auth::AccessController::Create(access_options).value();
    repository::ModelManager::Options manager_options;
    manager_options.repository = dir + "/models";
    manager_options.load.prepare = serving::ModelStatePrepareHook();
    manager = std::make_unique<repository::ModelManager>(manager_options);
    serving::ServiceOptions service_options;
    service_options.model_control = serving::ModelControlMode::kExplicit;
    service_options.access = access.get();
    service = std::make_unique<serving::InferenceService>(manager.get(), service_options);
    (void)service->LoadModel("credit_gbdt");
    http::HttpLimits limits;
    limits.decode.max_elements_per_tensor = 1 << 16;
    auto live = std::make_shared<http::LiveLimits>(limits);
    http::Router router;
    http::AddV2Routes(&router, service.get(), http::RouteOptions{live});
    handler = std::make_unique<http::RequestHandler>(std::move(router), service.get(), live);
  }
};

std::string MakeStateDir() {
  std::string pattern = (fs::temp_directory_path() / "finserve-fuzz-XXXXXX").string();
  static const std::string dir = mkdtemp(pattern.data());
  std::atexit([] { std::filesystem::remove_all(dir); });
  fs::copy(std::string(FINSERVE_SOURCE_DIR) + "/examples/model-repository", dir + "/models", fs::copy_options::recursive);
  auto store = serving::auth::KeyStore::Open(dir + "/keys.db").value();
  serving::auth::NewKey key;
  key.name = "fuzz";
  key.scopes = serving::auth::ScopeSet::Parse("infer").value();
  (void)store->Create(key);
  return dir;
}

http::HttpRequest Parse(std::string_view input) {
  http::HttpRequest request;
  size_t eol = input.find('\n');
  std::string_view line = input.substr(0, eol);
  input = eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
  const size_t space = line.find(' ');
  request.method = std::string(line.substr(0, space));
  if (space != std::string_view::npos) request.target = std::string(line.substr(space + 1));
  while (!input.empty()) {
    eol = input.find('\n');
    line = input.substr(0, eol);
    input = eol == std::string_view::npos ? std::string_view() : input.substr(eol + 1);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    std::string name(line.substr(0, colon));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    request.headers.emplace_back(std::move(name), std::string(value));
  }
  request.body = std::string(input);
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = [] {
    SetLogLevel(LogLevel::kOff);  // refusals are logged per request; not what is being tested
    return true;
  }();
  (void)quiet;
  static const std::string dir = MakeStateDir();
  static Server* with_auth = new Server(dir, true);
  static Server* without_auth = new Server(dir, false);
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (Server* server : {with_auth, without_auth}) {
    int answers = 0;
    server->handler->Handle(Parse(input), [&answers](http::HttpResponse) { ++answers; });
    if (answers != 1) __builtin_trap();  // every request is answered exactly once
  }
  return 0;
}
