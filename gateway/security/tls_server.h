#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Timestamp.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace Poco::Net {
class HTTPServerRequest;
class X509Certificate;
}  // namespace Poco::Net

namespace gateway::security {

/// Whether the server asks clients for a certificate. Optional admits clients without one, but a certificate that
/// is presented must chain to the CA like with Required.
enum class ClientCertMode { None, Optional, Required };

struct TlsServerSettings {
    /// PEM: the server certificate first, then any intermediates.
    std::string cert_file;
    /// PEM private key, unencrypted (the file's permissions protect it).
    std::string key_file;
    /// PEM CA certificates that client certificates must chain to; required unless client_certs is None.
    std::string ca_file;
    ClientCertMode client_certs = ClientCertMode::None;
};

/// The certificate new handshakes are served, for the log line after a start or a reload.
struct ServedCertificate {
    /// One-line subject, as peerSubject() writes it.
    std::string subject;
    /// Upper-case hex serial number.
    std::string serial;
    Poco::Timestamp not_after;
};

/// A TLS server context whose certificate, key and client CAs can be replaced while the server runs.
///
/// context() is given once to a Poco::Net::SecureServerSocket. Each handshake is moved, from its first
/// ClientHello, onto the latest fully loaded OpenSSL context; reload() loads the files into a new one and swaps it in
/// atomically. A context is never changed once handshakes may use it, so a handshake or a connection in progress
/// keeps what it started with, and new handshakes get the new certificate. TLS 1.2 is the minimum; sessions are
/// never resumed, so every connection is verified against the current CA.
class TlsServerContext {
public:
    /// Loads the files; throws GatewayError(InvalidConfig) naming the file and the problem.
    explicit TlsServerContext(TlsServerSettings settings);
    ~TlsServerContext();
    TlsServerContext(const TlsServerContext&) = delete;
    TlsServerContext& operator=(const TlsServerContext&) = delete;

    /// For Poco::Net::SecureServerSocket. It may outlive this object (it then keeps serving the last certificate).
    Poco::Net::Context::Ptr context() const { return context_; }

    /// Re-reads cert_file, key_file and ca_file. On any problem (unreadable file, bad PEM, a key that does not match
    /// the certificate, an expired certificate, an empty CA file) throws GatewayError(InvalidConfig) naming the file,
    /// and the certificate in use stays. Safe to call from any thread, e.g. on SIGHUP.
    void reload();

    ServedCertificate served() const;
    const TlsServerSettings& settings() const { return settings_; }

    /// Shared with the OpenSSL callbacks in tls_server.cpp; not for use elsewhere.
    struct State;

private:
    TlsServerSettings settings_;
    std::shared_ptr<State> state_;
    Poco::Net::Context::Ptr context_;
    std::mutex reload_mutex_;
};

/// A certificate's subject on one line in RFC 4514 form but in the certificate's own order, e.g.
/// "CN=dev-client,O=childgateway": stable for mapping a certificate to a client. Special characters in a value are
/// escaped (a CN of "x,O=admin" reads "CN=x\,O=admin"), so one subject cannot pose as another; UTF-8 stays as it is.
std::string peerSubject(const Poco::Net::X509Certificate& certificate);

/// The subject of the client certificate of the connection a request came on, or nullopt when the connection is
/// not TLS or the client sent no certificate. Only verified certificates reach a handler: an unverified one fails the
/// handshake.
std::optional<std::string> peerSubject(Poco::Net::HTTPServerRequest& request);

}  // namespace gateway::security
