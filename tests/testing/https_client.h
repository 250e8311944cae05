// HTTPS for integration tests: one request per TLS connection (Boost.Beast over OpenSSL), with
// control over what the client offers (CA to trust, client certificate, protocol versions), and
// test certificates made with the `openssl` command-line tool, the reference implementation.
#pragma once

#include <map>
#include <string>

#include "testing/http_client.h"

namespace finserve::testing {

struct TlsClientOptions {
  std::string ca_file;    // trust anchors for the server certificate ("" = do not verify)
  std::string cert_file;  // client certificate (mutual TLS), optional
  std::string key_file;
  int max_version = 0;    // e.g. TLS1_1_VERSION to offer only old protocols; 0 = library default
  std::string cipher_list;
};

struct HttpsResult {
  HttpResult http;            // status 0 when the handshake or transport failed (see http.error)
  std::string server_subject; // subject (RFC 2253) of the certificate the server presented
};

HttpsResult HttpsRequest(int port, const TlsClientOptions& tls, const std::string& method, const std::string& target,
                         const std::string& body = "", const std::map<std::string, std::string>& headers = {});

// Test certificates under `dir` (all P-256 keys, valid for two days), made by /usr/bin/openssl:
//   <name>.pem / <name>.key. CreateCa makes a self-signed CA; CreateCert one signed by `ca` with the
//   subject `subject` ("/O=Bank/CN=app1") and, for servers, subjectAltName IP:127.0.0.1.
bool CreateCa(const std::string& dir, const std::string& name, const std::string& subject);
bool CreateCert(const std::string& dir, const std::string& ca, const std::string& name, const std::string& subject,
                bool server);
// The subject of a certificate as `openssl x509 -noout -subject -nameopt RFC2253` prints it.
std::string OpensslSubject(const std::string& pem_file);

}  // namespace finserve::testing
