#include <utility>  // before Asio: Boost 1.74's awaitable needs std::exchange

#include "http/tls.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace finserve::http {
namespace {

namespace ssl = boost::asio::ssl;

// Mozilla's "intermediate" TLS 1.2 suites: forward secrecy and AEAD only.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::string OpenSslError() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

Status FileError(const char* flag, const std::string& path, std::string_view what) {
  return InvalidArgument("--" + std::string(flag) + " '" + path + "': " + std::string(what));
}

}  // namespace

Result<std::shared_ptr<ssl::context>> MakeServerTlsContext(const TlsOptions& o) {
  if (o.key_file.empty()) return InvalidArgument("--tls-cert needs --tls-key (the certificate's private key)");
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  ERR_clear_error();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Internal("cannot apply the TLS policy: " + OpenSslError());
  }
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                  SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1);
  if (SSL_CTX_use_certificate_chain_file(native, o.cert_file.c_str()) != 1) {
    return FileError("tls-cert", o.cert_file, "cannot load a PEM certificate chain: " + OpenSslError());
  }
  BIO* key_file = BIO_new_file(o.key_file.c_str(), "r");
  EVP_PKEY* key = key_file ? PEM_read_bio_PrivateKey(key_file, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(key_file);
  if (key == nullptr) return FileError("tls-key", o.key_file, "cannot load a PEM private key: " + OpenSslError());
  const bool matches = X509_check_private_key(SSL_CTX_get0_certificate(native), key) == 1;
  const bool used = matches && SSL_CTX_use_PrivateKey(native, key) == 1;
  EVP_PKEY_free(key);
  if (!matches) {
    ERR_clear_error();
    return FileError("tls-key", o.key_file, "does not match the certificate in '" + o.cert_file + "'");
  }
  if (!used) return FileError("tls-key", o.key_file, "cannot use the private key: " + OpenSslError());
  if (!o.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(native, o.client_ca_file.c_str(), nullptr) != 1) {
      return FileError("tls-client-ca", o.client_ca_file, "cannot load PEM CA certificates: " + OpenSslError());
    }
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.client_ca_file.c_str());
    if (names == nullptr) return FileError("tls-client-ca", o.client_ca_file, "holds no CA certificate");
    SSL_CTX_set_client_CA_list(native, names);  // takes ownership
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    // Session resumption with client certificates needs a session id context.
    static constexpr unsigned char kContext[] = "finserve";
    SSL_CTX_set_session_id_context(native, kContext, sizeof kContext - 1);
  }
  return ctx;
}

std::string PeerCertificateSubject(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) {
    X509_free(cert);
    return "";
  }
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string subject(data, static_cast<size_t>(size > 0 ? size : 0));
  BIO_free(bio);
  X509_free(cert);
  return subject;
}

}  // namespace finserve::http
