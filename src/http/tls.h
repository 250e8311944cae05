// TLS for the HTTP server (private to finserve_http): builds the server's OpenSSL context from PEM
// files and reads a verified client certificate's subject.
//
// Policy: TLS 1.2 and 1.3 only; for TLS 1.2 only ECDHE key exchange with AEAD ciphers (AES-GCM,
// ChaCha20-Poly1305), the server's preference first; no compression, no renegotiation. With a
// client CA file, a client must present a certificate that chains to it or the handshake fails
// (mutual TLS). Thread-safe once built (OpenSSL contexts are shared read-only).
#pragma once

#include <memory>
#include <string>

#include <boost/asio/ssl.hpp>

#include "core/status.h"
#include "http/server.h"

namespace finserve::http {

Result<std::shared_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const TlsOptions& options);

// The subject of the peer's verified certificate in RFC 2253 form ("CN=app,O=Bank"), or "".
std::string PeerCertificateSubject(SSL* ssl);

}  // namespace finserve::http
