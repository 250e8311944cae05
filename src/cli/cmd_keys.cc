// `finserve keys create | list | revoke`: administration of the key store in the state directory.
// A running server notices every change within --key-refresh-ms (default 200 ms).
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/state_dir.h"
#include "audit/spool.h"
#include "core/env.h"
#include "core/json_writer.h"
#include "serving/auth/glob.h"
#include "serving/audit_runtime.h"
#include "serving/auth/key_store.h"

namespace finserve::cli {
namespace {

namespace auth = serving::auth;

struct KeysOptions {
  std::string state_dir = "~/.local/state/finserve";
  std::string name;
  std::string scopes;
  std::string models;
  double rate = 0;
  int64_t burst = 0;
  std::string expires;
  std::string subject;
  bool json = false;
};

Result<std::unique_ptr<auth::KeyStore>> OpenStore(const KeysOptions& o) {
  FS_ASSIGN_OR_RETURN(std::string dir, PrepareStateDir(o.state_dir, ""));
  return auth::KeyStore::Open(dir + "/" + auth::kKeyStoreFileName);
}

Result<auth::NewKey> BuildNewKey(const KeysOptions& o) {
  auth::NewKey k;
  k.name = o.name;
  FS_ASSIGN_OR_RETURN(k.scopes, auth::ScopeSet::Parse(o.scopes));
  FS_ASSIGN_OR_RETURN(k.model_globs, auth::ParseGlobList(o.models));
  k.rate.per_second = o.rate;
  k.rate.burst = o.burst;
  if (o.rate > 0 && o.burst == 0) k.rate.burst = std::max<int64_t>(1, static_cast<int64_t>(o.rate));
  if (!o.expires.empty()) {
    FS_ASSIGN_OR_RETURN(k.expires_unix_s, auth::ParseUtcTime(o.expires));
  }
  k.subject = o.subject;
  return k;
}

// Hands the action to the server's audit chain through the admin spool (audit/spool.h).
Status SpoolKeyAction(const KeysOptions& o, std::string_view action, const std::string& details_json) {
  FS_ASSIGN_OR_RETURN(std::string dir, PrepareStateDir(o.state_dir, ""));
  const char* user = std::getenv("USER");
  JsonWriter w;
  w.BeginObject().Field("type", "admin").Field("action", action).Field("key", o.name);
  w.Field("time", FormatUtcMicros(Env::Default()->NowUnixMicros()));
  w.Key("by").BeginObject().Field("uid", static_cast<int64_t>(::getuid())).Field("user", user ? user : "");
  w.Field("tool", "finserve keys").EndObject();
  if (!details_json.empty()) w.Key("details").Raw(details_json);
  w.EndObject();
  return audit::WriteSpoolEntry(serving::AuditRuntime::AuditDirectory(dir), w.str());
}

int SpoolFailed(const Status& status) {
  std::cerr << "finserve keys: the change is made, but it could not be queued for the audit log: " << status.message()
            << "\n";
  return 1;
}

std::string RateText(const auth::RateLimit& rate) {
  if (!rate.limited()) return "unlimited";
  std::ostringstream out;
  out << rate.per_second << "/s burst " << rate.burst;
  return out.str();
}

std::string ModelsText(const std::vector<std::string>& globs) {
  std::string out;
  for (const auto& g : globs) out += (out.empty() ? "" : ",") + g;
  return out.empty() ? "*" : out;
}

int Create(const KeysOptions& o) {
  auto spec = BuildNewKey(o);
  if (!spec.ok()) return CommandFailed("keys", spec.status());
  auto store = OpenStore(o);
  if (!store.ok()) return CommandFailed("keys", store.status());
  auto key = (*store)->Create(*spec);
  if (!key.ok()) return CommandFailed("keys", key.status());
  JsonWriter details;
  details.BeginObject().Field("scopes", spec->scopes.ToString()).Field("models", ModelsText(spec->model_globs));
  if (!spec->subject.empty()) details.Field("subject", spec->subject);
  details.EndObject();
  if (Status s = SpoolKeyAction(o, spec->subject.empty() ? "key_created" : "grant_created", details.str()); !s.ok()) {
    return SpoolFailed(s);
  }
  std::cout << (spec->subject.empty() ? "created key '" : "created grant '") << spec->name << "'"
            << (spec->subject.empty() ? "" : " for client certificate subject '" + spec->subject + "'")
            << "\n  scopes:  " << spec->scopes.ToString() << "\n  models:  " << ModelsText(spec->model_globs)
            << "\n  rate:    " << RateText(spec->rate) << "\n  expires: "
            << (spec->expires_unix_s ? auth::FormatUtcSeconds(*spec->expires_unix_s) : "never")
            << "\n  store:   " << (*store)->path() << "\n";
  if (!spec->subject.empty()) return 0;
  std::cout << "The key is shown only now and stored only as a hash; keep it secret.\n"
            << "Clients send it as the header 'Authorization: Bearer <key>'. The key:\n"
            << *key << std::endl;
  return 0;
}

std::string StatusText(const auth::KeyRecord& r, int64_t now_s) {
  if (r.revoked_unix_s) return "revoked " + auth::FormatUtcSeconds(*r.revoked_unix_s);
  if (r.expired(now_s)) return "expired";
  return "active";
}

void ListJson(const std::vector<auth::KeyRecord>& records, int64_t now_s) {
  JsonWriter w;
  w.BeginArray();
  for (const auto& r : records) {
    w.BeginObject().Field("name", r.name).Field("kind", r.kind == auth::KeyRecord::Kind::kApiKey ? "key" : "subject");
    if (!r.subject.empty()) w.Field("subject", r.subject);
    w.Field("scopes", r.scopes.ToString()).Field("models", ModelsText(r.model_globs));
    w.Field("rate_per_s", r.rate.per_second).Field("burst", r.rate.burst);
    if (r.expires_unix_s) w.Field("expires", auth::FormatUtcSeconds(*r.expires_unix_s));
    w.Field("created", auth::FormatUtcSeconds(r.created_unix_s));
    if (r.revoked_unix_s) w.Field("revoked", auth::FormatUtcSeconds(*r.revoked_unix_s));
    w.Field("status", StatusText(r, now_s).substr(0, 7)).EndObject();
  }
  w.EndArray();
  std::cout << w.str() << "\n";
}

int List(const KeysOptions& o) {
  auto store = OpenStore(o);
  if (!store.ok()) return CommandFailed("keys", store.status());
  auto records = (*store)->List();
  if (!records.ok()) return CommandFailed("keys", records.status());
  const int64_t now_s = Env::Default()->NowUnixMicros() / 1'000'000;
  if (o.json) {
    ListJson(*records, now_s);
    return 0;
  }
  std::cout << std::left << std::setw(20) << "NAME" << std::setw(16) << "SCOPES" << std::setw(16) << "MODELS"
            << std::setw(20) << "RATE" << std::setw(22) << "EXPIRES" << "STATUS\n";
  for (const auto& r : *records) {
    const std::string name = r.subject.empty() ? r.name : r.name + " (" + r.subject + ")";
    std::cout << std::setw(20) << name << std::setw(16) << r.scopes.ToString() << std::setw(16)
              << ModelsText(r.model_globs) << std::setw(20) << RateText(r.rate) << std::setw(22)
              << (r.expires_unix_s ? auth::FormatUtcSeconds(*r.expires_unix_s) : "never") << StatusText(r, now_s)
              << "\n";
  }
  return 0;
}

int Revoke(const KeysOptions& o) {
  auto store = OpenStore(o);
  if (!store.ok()) return CommandFailed("keys", store.status());
  if (Status s = (*store)->Revoke(o.name); !s.ok()) return CommandFailed("keys", s);
  if (Status s = SpoolKeyAction(o, "key_revoked", ""); !s.ok()) return SpoolFailed(s);
  std::cout << "revoked '" << o.name << "'; running servers refuse it within their --key-refresh-ms\n";
  return 0;
}

void AddStateDir(CLI::App* command, KeysOptions* o) {
  command->add_option("--state-dir", o->state_dir, "the server's state directory (holds keys.db)")
      ->capture_default_str();
}

}  // namespace

RunCommand AddKeysCommand(CLI::App* command) {
  auto o = std::make_shared<KeysOptions>();
  command->require_subcommand(1);
  CLI::App* create = command->add_subcommand("create", "create an API key (printed once, on the last line)");
  AddStateDir(create, o.get());
  create->add_option("--name", o->name, "unique name of the key (appears in logs and the audit log)")->required();
  create->add_option("--scopes", o->scopes, "comma-separated: infer, explain, admin, train, metrics")->required();
  create->add_option("--models", o->models, "comma-separated model-name globs the key may use (default: all)");
  create->add_option("--rate", o->rate, "requests per second (token bucket; default: unlimited)")
      ->check(CLI::Range(0.001, 1e9));
  create->add_option("--burst", o->burst, "bucket size in requests (default: the rate, at least 1)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  create->add_option("--expires", o->expires, "UTC date or time after which the key stops working (2027-01-01)");
  create->add_option("--subject", o->subject,
                     "grant for a TLS client certificate subject (RFC 2253, e.g. 'CN=app,O=Bank') instead of a key");
  CLI::App* list = command->add_subcommand("list", "list keys and grants (never the keys themselves)");
  AddStateDir(list, o.get());
  list->add_flag("--json", o->json, "print JSON");
  CLI::App* revoke = command->add_subcommand("revoke", "revoke a key or grant; running servers refuse it within a second");
  AddStateDir(revoke, o.get());
  revoke->add_option("name", o->name, "the key's name")->required();
  return [o, create, list] {
    if (create->parsed()) return Create(*o);
    if (list->parsed()) return List(*o);
    return Revoke(*o);
  };
}

}  // namespace finserve::cli
