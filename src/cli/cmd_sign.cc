// `finserve sign` (model-file signatures) and `finserve keygen` (Ed25519 key pairs).
#include <CLI/CLI.hpp>

#include <sys/stat.h>

#include <iostream>
#include <memory>

#include "audit/crypto.h"
#include "cli/commands.h"
#include "core/env.h"
#include "serving/version_archive.h"

namespace finserve::cli {
namespace {

struct SignOptions {
  std::string key;
  std::vector<std::string> files;
  std::string private_out;
  std::string public_out;
};

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

int Sign(const SignOptions& o) {
  auto key = audit::SigningKey::LoadPemFile(o.key);
  if (!key.ok()) return CommandFailed("sign", key.status());
  for (const auto& file : o.files) {
    auto bytes = Env::Default()->ReadFile(file);
    if (!bytes.ok()) return CommandFailed("sign", bytes.status());
    auto sig = serving::SignModelFile(*key, BaseName(file), *bytes);
    if (!sig.ok()) return CommandFailed("sign", sig.status());
    if (Status s = Env::Default()->WriteFileAtomic(file + ".sig", *sig); !s.ok()) return CommandFailed("sign", s);
    std::cout << "signed " << file << " -> " << file << ".sig (key " << key->key_id() << ")\n";
  }
  return 0;
}

int Keygen(const SignOptions& o) {
  Env* env = Env::Default();
  for (const auto& path : {o.private_out, o.public_out}) {
    if (env->FileExists(path)) return CommandFailed("keygen", AlreadyExists(path + " exists; not overwriting a key"));
  }
  auto pair = audit::GenerateEd25519();
  if (!pair.ok()) return CommandFailed("keygen", pair.status());
  const mode_t old_mask = ::umask(077);
  Status s = env->WriteFileAtomic(o.private_out, pair->private_pem);
  ::umask(old_mask);
  if (!s.ok()) return CommandFailed("keygen", s);
  if (Status p = env->WriteFileAtomic(o.public_out, pair->public_pem); !p.ok()) return CommandFailed("keygen", p);
  ::chmod(o.public_out.c_str(), 0644);
  auto key = audit::SigningKey::FromPem(pair->private_pem, o.private_out);
  std::cout << "Ed25519 key " << (key.ok() ? key->key_id() : "") << "\n  private: " << o.private_out
            << " (mode 0600; keep it off the server's state directory)\n  public:  " << o.public_out << "\n";
  return 0;
}

}  // namespace

RunCommand AddSignCommand(CLI::App* command) {
  auto o = std::make_shared<SignOptions>();
  command->add_option("--key", o->key, "Ed25519 private key (PEM), e.g. from `finserve keygen`")->required();
  command->add_option("files", o->files, "model files to sign; each gets FILE.sig next to it")->required();
  return [o] { return Sign(*o); };
}

RunCommand AddKeygenCommand(CLI::App* command) {
  auto o = std::make_shared<SignOptions>();
  command->add_option("--private", o->private_out, "where to write the private key (PEM, mode 0600)")->required();
  command->add_option("--public", o->public_out, "where to write the public key (PEM)")->required();
  return [o] { return Keygen(*o); };
}

}  // namespace finserve::cli
