#include <utility>

#include "testing/https_client.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <fstream>

#include "testing/server_process.h"

namespace finserve::testing {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

constexpr char kOpenssl[] = "/usr/bin/openssl";

std::string Subject(X509* cert) {
  if (cert == nullptr) return "";
  BIO* bio = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n > 0 ? n : 0));
  BIO_free(bio);
  return out;
}

void Configure(ssl::context& ctx, const TlsClientOptions& o) {
  if (!o.ca_file.empty()) {
    ctx.load_verify_file(o.ca_file);
    ctx.set_verify_mode(ssl::verify_peer);
  } else {
    ctx.set_verify_mode(ssl::verify_none);
  }
  if (!o.cert_file.empty()) {
    ctx.use_certificate_chain_file(o.cert_file);
    ctx.use_private_key_file(o.key_file, ssl::context::pem);
  }
  if (o.max_version != 0) {
    SSL_CTX_set_min_proto_version(ctx.native_handle(), 0);
    SSL_CTX_set_max_proto_version(ctx.native_handle(), o.max_version);
  }
  if (!o.cipher_list.empty()) SSL_CTX_set_cipher_list(ctx.native_handle(), o.cipher_list.c_str());
}

}  // namespace

HttpsResult HttpsRequest(int port, const TlsClientOptions& tls, const std::string& method, const std::string& target,
                         const std::string& body, const std::map<std::string, std::string>& headers) {
  HttpsResult result;
  try {
    net::io_context ioc;
    ssl::context ctx(ssl::context::tls_client);
    Configure(ctx, tls);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
    beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    stream.handshake(ssl::stream_base::client);
    X509* cert = SSL_get1_peer_certificate(stream.native_handle());
    result.server_subject = Subject(cert);
    X509_free(cert);
    bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
    req.set(bhttp::field::host, "localhost");
    if (!body.empty()) req.set(bhttp::field::content_type, "application/json");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(stream, buffer, res);
    result.http.status = static_cast<int>(res.result_int());
    result.http.body = res.body();
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      result.http.headers[name] = std::string(field.value());
    }
    beast::error_code ignored;
    stream.shutdown(ignored);
  } catch (const std::exception& e) {
    result.http.error = e.what();
  }
  return result;
}

bool CreateCa(const std::string& dir, const std::string& name, const std::string& subject) {
  std::string out;
  return RunCommand({kOpenssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", dir + "/" + name + ".key", "-out", dir + "/" + name + ".pem", "-days", "2", "-subj",
                     subject},
                    &out, &out) == 0;
}

bool CreateCert(const std::string& dir, const std::string& ca, const std::string& name, const std::string& subject,
                bool server) {
  const std::string base = dir + "/" + name;
  std::string out;
  if (RunCommand({kOpenssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                  base + ".key", "-out", base + ".csr", "-subj", subject},
                 &out, &out) != 0) {
    return false;
  }
  std::ofstream(base + ".ext") << (server ? "subjectAltName=IP:127.0.0.1,DNS:localhost\n" : "extendedKeyUsage=clientAuth\n");
  return RunCommand({kOpenssl, "x509", "-req", "-in", base + ".csr", "-CA", dir + "/" + ca + ".pem", "-CAkey",
                     dir + "/" + ca + ".key", "-CAcreateserial", "-out", base + ".pem", "-days", "2", "-extfile",
                     base + ".ext"},
                    &out, &out) == 0;
}

std::string OpensslSubject(const std::string& pem_file) {
  std::string out;
  RunCommand({kOpenssl, "x509", "-noout", "-subject", "-nameopt", "RFC2253", "-in", pem_file}, &out);
  const std::string prefix = "subject=";
  if (out.rfind(prefix, 0) == 0) out = out.substr(prefix.size());
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace finserve::testing
