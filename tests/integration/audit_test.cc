// The decision audit trail against the real server: kill -9 during a burst, tamper cases through
// `finserve audit verify`, bit-identical replay from the archive, fail-closed/fail-open, signed
// models, and admin actions from `finserve keys` (another process) in the same chain.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "integration/example_repository.h"
#include "testing/http_client.h"
#include "testing/server_process.h"

namespace finserve::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kInfer[] = "/v2/models/credit_gbdt/infer";

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void Spit(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// Every record of every audit file, in file order.
std::vector<json> ReadRecords(const std::string& audit_dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(audit_dir)) {
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<json> records;
  for (const auto& f : files) {
    // A running server's file ends with reserved zero bytes (docs/audit.md, "File format").
    std::string text = Slurp(f);
    text.erase(text.find_last_not_of('\0') + 1);
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) records.push_back(json::parse(line));
  }
  return records;
}

std::vector<std::string> Lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void WriteLines(const std::string& path, const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  Spit(path, out);
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string root = MakeTempDir("finserve-audit");
    repository_ = CopyExampleRepository();
    std::ofstream(repository_ + "/credit_gbdt/config.yaml", std::ios::app) << "audit: {store_inputs: true}\n";
    state_dir_ = root + "/state";
    keys_ = root + "/keys";
    fs::create_directories(keys_);
    std::string out;
    ASSERT_EQ(RunCommand({FinserveBinary(), "keygen", "--private", keys_ + "/audit.pem", "--public",
                          keys_ + "/audit.pub"}, &out), 0) << out;
    Spit(keys_ + "/inputs.key", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n");
  }

  std::vector<std::string> Args(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--model-repository", repository_, "--state-dir", state_dir_,
                                     "--insecure-no-auth", "--model-control", "explicit", "--load-model", "credit_gbdt",
                                     "--audit-signing-key", keys_ + "/audit.pem",
                                     "--audit-encryption-key-file", keys_ + "/inputs.key",
                                     "--audit-checkpoint-records", "10"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  std::unique_ptr<ServerProcess> Start(std::vector<std::string> extra = {}) {
    auto server = std::make_unique<ServerProcess>(Args(std::move(extra)));
    EXPECT_TRUE(server->Start()) << server->Log();
    return server;
  }

  HttpResult Infer(HttpClient* client, const std::string& request_id) {
    return client->Post(kInfer, ExampleRequest().dump(), {{"X-Request-Id", request_id}});
  }

  int Cli(const std::vector<std::string>& args, std::string* out, std::string* err = nullptr) {
    std::vector<std::string> argv = {FinserveBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv, out, err);
  }

  int Verify(const std::string& dir, std::string* out) {
    return Cli({"audit", "verify", dir, "--public-key", keys_ + "/audit.pub"}, out);
  }

  std::string audit_dir() const { return state_dir_ + "/audit"; }
  void KillDuringABurst(const std::string& fsync);

  std::string repository_, state_dir_, keys_;
};

// Under every fsync policy: `interval` answers before fdatasync, but a killed process loses nothing
// the kernel already has.
void AuditTest::KillDuringABurst(const std::string& fsync) {
  auto server = Start({"--audit-fsync", fsync});
  std::mutex mu;
  std::set<std::string> answered;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t, port = server->port()] {
      HttpClient client(port);
      for (int i = 0; !stop; ++i) {
        const std::string id = "burst-" + std::to_string(t) + "-" + std::to_string(i);
        if (Infer(&client, id).status != 200) return;  // the server is gone
        std::lock_guard lock(mu);
        answered.insert(id);
      }
    });
  }
  ASSERT_TRUE(WaitFor([&] { std::lock_guard lock(mu); return answered.size() >= 200; }, std::chrono::seconds(60)));
  server->Stop(SIGKILL);
  stop = true;
  for (auto& c : clients) c.join();

  auto restarted = Start({"--audit-fsync", fsync});  // recovers the tail, continues the chain
  restarted->Stop(SIGTERM);
  std::string out;
  EXPECT_EQ(Verify(audit_dir(), &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("OK: "));
  std::set<std::string> recorded;
  for (const auto& r : ReadRecords(audit_dir())) {
    if (r["type"] == "decision") recorded.insert(r["request_id"].get<std::string>());
  }
  for (const auto& id : answered) EXPECT_TRUE(recorded.count(id)) << id << " was answered but has no record";
  EXPECT_THAT(restarted->Log(), HasSubstr("audit_log_open"));
}

TEST_F(AuditTest, KillDuringABurstThenEveryAnsweredRequestHasItsRecordAndTheChainVerifies) {
  for (const char* fsync : {"group", "always", "interval"}) {
    SCOPED_TRACE(std::string("--audit-fsync ") + fsync);
    KillDuringABurst(fsync);
    std::filesystem::remove_all(audit_dir());
  }
}

TEST_F(AuditTest, RecordsCarryIdentityAndAdminActionsShareTheChain) {
  auto server = Start();
  HttpClient client(server->port());
  ASSERT_EQ(Infer(&client, "identity-1").status, 200);
  ::kill(server->pid(), SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return server->Log().find("sighup") != std::string::npos; }, std::chrono::seconds(10)));
  server->Stop(SIGTERM);
  const auto records = ReadRecords(audit_dir());
  json decision;
  std::set<std::string> actions;
  for (const auto& r : records) {
    if (r["type"] == "decision") decision = r;
    if (r["type"] == "admin") actions.insert(r["action"].get<std::string>());
  }
  ASSERT_TRUE(decision.is_object());
  EXPECT_EQ(decision["request_id"], "identity-1");
  EXPECT_EQ(decision["model"], "credit_gbdt");
  EXPECT_EQ(decision["version"], 1);
  EXPECT_EQ(decision["model_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(decision["config_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(decision["principal"]["kind"], "anonymous");
  EXPECT_EQ(decision["inputs_digest"]["alg"], "hmac-sha256");
  EXPECT_EQ(decision["inputs"]["alg"], "AES-256-GCM");
  EXPECT_FALSE(decision["kernel"].get<std::string>().empty());
  EXPECT_FALSE(decision["build"].get<std::string>().empty());
  EXPECT_FALSE(decision["outputs"][0]["data"].empty());
  EXPECT_EQ(decision["outputs_sha256"].get<std::string>().size(), 64u);
  for (const char* a : {"server_started", "model_loaded", "config_reloaded", "server_stopped"}) {
    EXPECT_TRUE(actions.count(a)) << a;
  }
  EXPECT_EQ(records.back()["type"], "checkpoint");  // a clean stop signs the tail
}

TEST_F(AuditTest, TamperingIsFoundByVerify) {
  {
    auto server = Start();
    HttpClient client(server->port());
    for (int i = 0; i < 15; ++i) ASSERT_EQ(Infer(&client, "t-" + std::to_string(i)).status, 200);
    server->Stop(SIGTERM);
  }
  std::string out;
  ASSERT_EQ(Verify(audit_dir(), &out), 0) << out;
  struct Case {
    const char* name;
    std::function<void(std::vector<std::string>*)> edit;
    const char* expect;
  } cases[] = {
      {"edit one byte", [](auto* l) { (*l)[4][(*l)[4].find("\"t-") + 3] = 'X'; }, "FAILED (altered)"},
      {"delete one record", [](auto* l) { l->erase(l->begin() + 4); }, "FAILED (missing)"},
      {"swap two records", [](auto* l) { std::swap((*l)[4], (*l)[5]); }, "FAILED (reordered)"},
      {"wrong key", [](auto*) {}, "FAILED (bad_signature)"},
  };
  for (const auto& c : cases) {
    const std::string copy = MakeTempDir("finserve-audit-tamper");
    fs::copy(audit_dir(), copy, fs::copy_options::recursive);
    std::string file;
    for (const auto& e : fs::directory_iterator(copy)) {
      if (e.path().extension() == ".jsonl") file = e.path();
    }
    auto lines = Lines(file);
    c.edit(&lines);
    WriteLines(file, lines);
    if (std::string(c.name) == "wrong key") {
      ASSERT_EQ(Cli({"keygen", "--private", copy + "/other.pem", "--public", copy + "/other.pub"}, &out), 0);
      EXPECT_EQ(Cli({"audit", "verify", copy, "--public-key", copy + "/other.pub"}, &out), 1) << c.name;
    } else {
      EXPECT_EQ(Verify(copy, &out), 1) << c.name << ": " << out;
    }
    EXPECT_THAT(out, HasSubstr(c.expect)) << c.name;
    EXPECT_THAT(out, HasSubstr(file)) << c.name;
  }
}

TEST_F(AuditTest, ReplayFromTheArchiveIsBitIdenticalEvenAfterTheVersionIsGone) {
  {
    auto server = Start();
    HttpClient client(server->port());
    ASSERT_EQ(Infer(&client, "replay-1").status, 200);
    server->Stop(SIGTERM);
  }
  fs::remove_all(repository_ + "/credit_gbdt/1");
  std::string out, err;
  EXPECT_EQ(Cli({"audit", "replay", "replay-1", "--state-dir", state_dir_, "--encryption-key-file",
                 keys_ + "/inputs.key"}, &out, &err), 0) << out << err;
  EXPECT_THAT(out, HasSubstr("IDENTICAL: decision seq"));

  EXPECT_EQ(Cli({"audit", "show", "replay-1", "--state-dir", state_dir_}, &out, &err), 0) << err;
  EXPECT_THAT(out, Not(HasSubstr("inputs_decrypted")));
  EXPECT_EQ(Cli({"audit", "show", "replay-1", "--state-dir", state_dir_, "--encryption-key-file",
                 keys_ + "/inputs.key"}, &out, &err), 0) << err;
  EXPECT_THAT(out, HasSubstr("inputs_decrypted"));

  // Bad input: clear messages naming the id, the key or the flag.
  EXPECT_EQ(Cli({"audit", "show", "nope", "--state-dir", state_dir_}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("no decision with request id 'nope'"));
  Spit(keys_ + "/other.key", std::string(64, 'f'));
  EXPECT_EQ(Cli({"audit", "replay", "replay-1", "--state-dir", state_dir_, "--encryption-key-file",
                 keys_ + "/other.key"}, &out, &err), 1);
  EXPECT_THAT(err, HasSubstr("was encrypted with key aes256:"));
  EXPECT_NE(Cli({"audit", "replay", "replay-1", "--state-dir", state_dir_}, &out, &err), 0);
  EXPECT_THAT(err, HasSubstr("--encryption-key-file"));
}

TEST_F(AuditTest, ExplainAndScoreDecisionsAreRecordedWithTheirReasonsAndReplayIdentically) {
  {
    auto server = Start();
    HttpClient client(server->port());
    ASSERT_EQ(client.Post("/v2/models/credit_gbdt/explain", ExampleRequest().dump(), {{"X-Request-Id", "explain-1"}})
                  .status, 200);
    std::ifstream in(SourceDir() + "/examples/requests/credit_gbdt_score.json");
    const auto score = client.Post("/v1/models/credit_gbdt:score", json::parse(in).dump(), {{"X-Request-Id", "score-1"}});
    ASSERT_EQ(score.status, 200) << score.body;
    server->Stop(SIGTERM);
  }
  json explain, score;
  for (const auto& r : ReadRecords(audit_dir())) {
    if (r.value("request_id", "") == "explain-1") explain = r;
    if (r.value("request_id", "") == "score-1") score = r;
  }
  ASSERT_TRUE(explain.is_object() && score.is_object());
  EXPECT_EQ(explain["route"], "explain");
  EXPECT_THAT(explain["outputs"].dump(), HasSubstr("reason_codes"));
  EXPECT_EQ(score["route"], "score");
  EXPECT_TRUE(score["score"]["decision"].is_string());
  EXPECT_TRUE(score["score"]["reasons"].is_array());
  for (const char* id : {"explain-1", "score-1"}) {
    std::string out, err;
    EXPECT_EQ(Cli({"audit", "replay", id, "--state-dir", state_dir_, "--encryption-key-file", keys_ + "/inputs.key"},
                  &out, &err), 0) << id << ": " << out << err;
    EXPECT_THAT(out, HasSubstr("IDENTICAL")) << id;
  }
}

TEST_F(AuditTest, MissingEncryptionKeyRefusesModelsThatStoreInputs) {
  std::vector<std::string> args = Args();
  const auto at = std::find(args.begin(), args.end(), "--audit-encryption-key-file");
  args.erase(at, at + 2);
  ServerProcess server(args);
  ASSERT_TRUE(server.Start()) << server.Log();
  HttpClient client(server.port());
  EXPECT_EQ(Infer(&client, "x").status, 404);
  EXPECT_THAT(server.Log(), HasSubstr("--audit-encryption-key-file"));
}

// Names the next audit files so they cannot be created (a directory is in the way).
std::vector<std::string> BlockNextFiles(const std::string& audit_dir) {
  uint64_t last = 0;
  for (const auto& r : ReadRecords(audit_dir)) last = std::max<uint64_t>(last, r["seq"].get<uint64_t>());
  std::string day;
  for (const auto& e : fs::directory_iterator(audit_dir)) {
    const std::string name = e.path().filename();
    if (name.rfind("audit-", 0) == 0) day = std::max(day, name.substr(6, 8));
  }
  std::vector<std::string> blocked;
  for (uint64_t seq = last + 1; seq <= last + 20; ++seq) {
    std::string s = std::to_string(seq);
    s.insert(0, 12 - s.size(), '0');
    blocked.push_back(audit_dir + "/audit-" + day + "-" + s + ".jsonl");
    fs::create_directory(blocked.back());
  }
  return blocked;
}

TEST_F(AuditTest, UnrecordableDecisionsFailClosedOrAreMarkedWhenFailOpen) {
  for (const std::string mode : {"closed", "open"}) {
    auto server = Start({"--audit-max-file-bytes", "1", "--audit-failure", mode});
    HttpClient client(server->port());
    ASSERT_EQ(Infer(&client, "before-" + mode).status, 200);
    const auto blocked = BlockNextFiles(audit_dir());
    const HttpResult r = Infer(&client, "during-" + mode);
    if (mode == "closed") {
      EXPECT_EQ(r.status, 503) << r.body;
      EXPECT_THAT(r.body, HasSubstr("could not be recorded in the audit log"));
    } else {
      EXPECT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(json::parse(r.body)["parameters"]["audit"], "unrecorded");
    }
    for (const auto& b : blocked) fs::remove(b);
    EXPECT_EQ(Infer(&client, "after-" + mode).status, 200);
    server->Stop(SIGTERM);
  }
  std::string out;
  EXPECT_EQ(Verify(audit_dir(), &out), 0) << out;
}

TEST_F(AuditTest, KeyActionsFromTheCliJoinTheRunningServersChain) {
  std::vector<std::string> args = Args();
  args.erase(std::find(args.begin(), args.end(), "--insecure-no-auth"));
  ServerProcess server(args);
  ASSERT_TRUE(server.Start()) << server.Log();
  ASSERT_FALSE(CreateKey(state_dir_, "scorer", "infer").empty());
  std::string out;
  ASSERT_EQ(Cli({"keys", "revoke", "scorer", "--state-dir", state_dir_}, &out), 0) << out;
  auto has = [&](const std::string& action) {
    for (const auto& r : ReadRecords(audit_dir())) {
      if (r["type"] == "admin" && r["action"] == action && r.value("key", "") == "scorer") return true;
    }
    return false;
  };
  EXPECT_TRUE(WaitFor([&] { return has("key_created") && has("key_revoked"); }, std::chrono::seconds(20)));
  server.Stop(SIGTERM);
  EXPECT_EQ(Verify(audit_dir(), &out), 0) << out;
}

TEST_F(AuditTest, SignedModelsOnlyAndTheOldVersionKeepsServing) {
  std::string out, err;
  ASSERT_EQ(Cli({"keygen", "--private", keys_ + "/models.pem", "--public", keys_ + "/models.pub"}, &out), 0);
  const std::string v1 = repository_ + "/credit_gbdt/1/model.json";
  ASSERT_EQ(Cli({"sign", "--key", keys_ + "/models.pem", v1}, &out, &err), 0) << err;
  // The signature is plain Ed25519 over a documented message: OpenSSL itself agrees.
  const json sig = json::parse(Slurp(v1 + ".sig"));
  Spit(keys_ + "/message", "finserve-model-signature:v1:model.json:" + sig["sha256"].get<std::string>());
  Spit(keys_ + "/sig.b64", sig["signature"].get<std::string>());
  ASSERT_EQ(RunCommand({"/bin/sh", "-c", "base64 -d " + keys_ + "/sig.b64 > " + keys_ + "/sig.bin"}, &out), 0);
  EXPECT_EQ(RunCommand({"/usr/bin/openssl", "pkeyutl", "-verify", "-pubin", "-inkey", keys_ + "/models.pub", "-rawin", "-in",
                        keys_ + "/message", "-sigfile", keys_ + "/sig.bin"}, &out, &err), 0) << out << err;

  auto server = Start({"--require-signed-models", "--trusted-model-key", keys_ + "/models.pub"});
  HttpClient client(server->port());
  ASSERT_EQ(Infer(&client, "signed-1").status, 200);
  // Version 2: unsigned, then with version 1's signature file: refused, version 1 keeps serving.
  PublishVersion(repository_, "credit_gbdt", 2, v1);
  auto load = client.Post("/v2/repository/models/credit_gbdt/load", "");
  EXPECT_NE(load.status, 200);
  EXPECT_THAT(load.body, HasSubstr("is not signed"));
  fs::copy_file(v1 + ".sig", repository_ + "/credit_gbdt/2/model.json.sig");
  std::ofstream(repository_ + "/credit_gbdt/2/model.json", std::ios::app) << " ";
  load = client.Post("/v2/repository/models/credit_gbdt/load", "");
  EXPECT_NE(load.status, 200);
  EXPECT_THAT(load.body, HasSubstr("belongs to another model file"));
  const json answer = json::parse(Infer(&client, "signed-2").body);
  EXPECT_EQ(answer["model_version"], "1");
  server->Stop(SIGTERM);
}

}  // namespace
}  // namespace finserve::testing
