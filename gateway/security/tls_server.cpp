#include "gateway/security/tls_server.h"

#include "gateway/common/clock.h"
#include "gateway/common/error.h"
#include "gateway/common/file.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <vector>

namespace gateway::security {

namespace {

// Mozilla's "intermediate" TLS 1.2 suites without DHE (which would need DH parameters): forward secrecy and AEAD
// only. TLS 1.3 suites are OpenSSL's defaults, all of them sound.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr int kVerifyDepth = 9;
// Poco's slot is among the first few OpenSSL hands out; the search only needs a bound.
constexpr int kExDataSlotsToSearch = 64;
constexpr unsigned char kSessionIdContext[] = "childgateway";

struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
    void operator()(X509* certificate) const { X509_free(certificate); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

/// A file's content that is wiped from memory when done with: the private key passes through one.
class SecretText {
public:
    SecretText() = default;
    ~SecretText() { OPENSSL_cleanse(text_.data(), text_.size()); }
    SecretText(const SecretText&) = delete;
    SecretText& operator=(const SecretText&) = delete;
    std::string& text() { return text_; }

private:
    std::string text_;
};

[[noreturn]] void fail(std::string_view key, const std::string& path, const std::string& what) {
    throw GatewayError(ErrorCode::InvalidConfig, "TLS " + std::string(key) + " " + path + ": " + what);
}

/// OpenSSL's reason for the last failure (static text, never the data), and an empty queue for the next caller.
std::string lastOpenSslReason() {
    const unsigned long code = ERR_peek_last_error();
    const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
    ERR_clear_error();
    return reason != nullptr ? reason : "unknown reason";
}

void readFile(std::string_view key, const std::string& path, std::string& into) {
    if (path.empty()) {
        throw GatewayError(ErrorCode::InvalidConfig, "TLS " + std::string(key) + " is not set");
    }
    into = readFileContent(path, "TLS " + std::string(key));
}

BioPtr memoryBio(const std::string& text) {
    return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::vector<X509Ptr> readCertificates(std::string_view key, const std::string& path) {
    std::string pem;
    readFile(key, path, pem);
    ERR_clear_error();
    const BioPtr bio = memoryBio(pem);
    std::vector<X509Ptr> certificates;
    while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        certificates.emplace_back(certificate);
    }
    // Reading stops at the end of the text ("no start line"), or earlier at a block that does not decode.
    const unsigned long code = ERR_peek_last_error();
    const bool clean_end = ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE;
    if (certificates.empty()) {
        ERR_clear_error();
        fail(key, path, "no PEM certificate in it");
    }
    if (!clean_end) {
        fail(key, path, "a certificate is not valid PEM (" + lastOpenSslReason() + ")");
    }
    ERR_clear_error();
    return certificates;
}

int refusePassphrase(char*, int, int, void*) {
    return -1;
}

PkeyPtr readPrivateKey(const std::string& path) {
    SecretText pem;
    readFile("key_file", path, pem.text());
    ERR_clear_error();
    const BioPtr bio = memoryBio(pem.text());
    // Without a callback OpenSSL would ask for a passphrase on the terminal.
    PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &refusePassphrase, nullptr));
    if (!key) {
        fail("key_file", path, "not an unencrypted PEM private key (" + lastOpenSslReason() + ")");
    }
    return key;
}

Poco::Timestamp toTimestamp(const ASN1_TIME* time) {
    std::tm parts{};
    if (ASN1_TIME_to_tm(time, &parts) != 1) {
        return Poco::Timestamp(0);
    }
    return Poco::Timestamp::fromEpochTime(timegm(&parts));
}

std::string nameLine(const X509_NAME* name) {
    // RFC 2253 escaping, but in the certificate's order and with UTF-8 left readable.
    constexpr unsigned long kFlags = XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV & ~ASN1_STRFLGS_ESC_MSB;
    const BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, kFlags) < 0) {
        ERR_clear_error();
        return {};
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string serialHex(const X509* certificate) {
    std::unique_ptr<BIGNUM, decltype(&BN_free)> number(ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr),
                                                       &BN_free);
    if (!number) {
        return {};
    }
    char* hex = BN_bn2hex(number.get());
    std::string text = hex != nullptr ? hex : "";
    OPENSSL_free(hex);
    return text;
}

int verifyMode(ClientCertMode mode) {
    switch (mode) {
        case ClientCertMode::None:
            return SSL_VERIFY_NONE;
        case ClientCertMode::Optional:
            return SSL_VERIFY_PEER;
        case ClientCertMode::Required:
            return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    }
    return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
}

/// What every context of the server shares. Both the context connections start on and the one they move to get it,
/// because OpenSSL reads some settings from the first (protocol versions, options, verify mode) and others from the
/// second (TLS 1.2 ciphers, CA store).
void applyPolicy(SSL_CTX* context, ClientCertMode mode) {
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(context, kTls12Ciphers);
    // No resumption: a resumed session would skip verifying the client against the current CA.
    SSL_CTX_set_options(context, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_num_tickets(context, 0);
    SSL_CTX_set_session_cache_mode(context, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_session_id_context(context, kSessionIdContext, sizeof(kSessionIdContext) - 1);
    // OpenSSL's own chain check, not Poco's callback, which defers to process-wide SSLManager handlers that an
    // application may have set to accept anything.
    SSL_CTX_set_verify(context, verifyMode(mode), nullptr);
    SSL_CTX_set_verify_depth(context, kVerifyDepth);
}

/// The latest fully loaded server context. Never modified after it is published.
struct Loaded {
    std::shared_ptr<SSL_CTX> context;
    ServedCertificate served;
};

}  // namespace

struct TlsServerContext::State {
    SSL_CTX* front = nullptr;  // owns this State (through ex_data), so it outlives it
    /// Poco finds its Context in an ex_data slot of the connection's SSL_CTX (its certificate callbacks dereference
    /// it); each loaded context gets the same slot, so nothing of Poco's breaks after the move.
    int poco_slot = -1;
    Poco::Net::Context* poco_context = nullptr;
    std::atomic<std::shared_ptr<const Loaded>> current;
};

namespace {

std::shared_ptr<const Loaded> load(const TlsServerSettings& settings, const TlsServerContext::State& state) {
    std::vector<X509Ptr> certificates = readCertificates("cert_file", settings.cert_file);
    const PkeyPtr key = readPrivateKey(settings.key_file);
    X509* leaf = certificates.front().get();
    if (X509_check_private_key(leaf, key.get()) != 1) {
        ERR_clear_error();
        fail("key_file", settings.key_file, "does not match the certificate in " + settings.cert_file);
    }
    if (X509_cmp_current_time(X509_get0_notAfter(leaf)) <= 0) {
        fail("cert_file", settings.cert_file,
             "the certificate expired on " + formatIso(toTimestamp(X509_get0_notAfter(leaf))));
    }

    std::shared_ptr<SSL_CTX> context(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
    if (!context) {
        throw GatewayError(ErrorCode::Internal, "TLS: cannot create a context (" + lastOpenSslReason() + ")");
    }
    applyPolicy(context.get(), settings.client_certs);
    if (state.poco_slot >= 0) {
        // Connections hold the Poco Context (through their socket) as long as they use this SSL_CTX.
        SSL_CTX_set_ex_data(context.get(), state.poco_slot, state.poco_context);
    }
    if (SSL_CTX_use_certificate(context.get(), leaf) != 1 || SSL_CTX_use_PrivateKey(context.get(), key.get()) != 1 ||
        SSL_CTX_check_private_key(context.get()) != 1) {
        fail("cert_file", settings.cert_file, "the certificate and key cannot be used (" + lastOpenSslReason() + ")");
    }
    for (std::size_t i = 1; i < certificates.size(); ++i) {
        if (SSL_CTX_add1_chain_cert(context.get(), certificates[i].get()) != 1) {
            fail("cert_file", settings.cert_file,
                 "chain certificate " + std::to_string(i) + " cannot be used (" + lastOpenSslReason() + ")");
        }
    }

    if (settings.client_certs != ClientCertMode::None && settings.ca_file.empty()) {
        throw GatewayError(ErrorCode::InvalidConfig, "TLS ca_file is required when client certificates are asked for");
    }
    if (!settings.ca_file.empty()) {
        const std::vector<X509Ptr> authorities = readCertificates("ca_file", settings.ca_file);
        X509_STORE* store = X509_STORE_new();
        STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
        if (store == nullptr || names == nullptr) {
            X509_STORE_free(store);
            sk_X509_NAME_free(names);
            throw GatewayError(ErrorCode::Internal, "TLS: out of memory");
        }
        SSL_CTX_set_cert_store(context.get(), store);
        SSL_CTX_set_client_CA_list(context.get(), names);
        for (const X509Ptr& authority : authorities) {
            if (X509_STORE_add_cert(store, authority.get()) != 1 ||
                SSL_CTX_add_client_CA(context.get(), authority.get()) != 1) {
                fail("ca_file", settings.ca_file, "a CA certificate cannot be used (" + lastOpenSslReason() + ")");
            }
        }
    }

    ServedCertificate served{nameLine(X509_get_subject_name(leaf)), serialHex(leaf),
                             toTimestamp(X509_get0_notAfter(leaf))};
    return std::make_shared<const Loaded>(Loaded{std::move(context), std::move(served)});
}

void freeState(void*, void* pointer, CRYPTO_EX_DATA*, int, long, void*) {
    delete static_cast<std::shared_ptr<TlsServerContext::State>*>(pointer);
}

/// The slot of SSL_CTX's ex_data that keeps a server's State alive as long as its OpenSSL context. OpenSSL's
/// indexes are process-wide by design; one is taken, once.
int stateIndex() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, &freeState);
    return index;
}

/// Runs on the first ClientHello of every connection: moves the connection onto the latest loaded context before
/// anything (certificate, CA list, cipher) is chosen from it.
int switchToLatest(SSL* ssl, int* alert, void* argument) {
    const auto* state = static_cast<const TlsServerContext::State*>(argument);
    if (SSL_get_SSL_CTX(ssl) != state->front) {
        return SSL_CLIENT_HELLO_SUCCESS;  // a second ClientHello (after a HelloRetryRequest) keeps its context
    }
    const std::shared_ptr<const Loaded> latest = state->current.load();
    // SSL_set_SSL_CTX takes its own reference: the connection keeps the context after a reload drops ours.
    if (!latest || SSL_set_SSL_CTX(ssl, latest->context.get()) != latest->context.get()) {
        *alert = SSL_AD_INTERNAL_ERROR;
        return SSL_CLIENT_HELLO_ERROR;
    }
    return SSL_CLIENT_HELLO_SUCCESS;
}

Poco::Net::Context::VerificationMode pocoMode(ClientCertMode mode) {
    switch (mode) {
        case ClientCertMode::None:
            return Poco::Net::Context::VERIFY_NONE;
        case ClientCertMode::Optional:
            return Poco::Net::Context::VERIFY_RELAXED;
        case ClientCertMode::Required:
            return Poco::Net::Context::VERIFY_STRICT;
    }
    return Poco::Net::Context::VERIFY_STRICT;
}

}  // namespace

TlsServerContext::TlsServerContext(TlsServerSettings settings)
    : settings_(std::move(settings)), state_(std::make_shared<State>()) {
    Poco::Net::Context::Params params;
    params.verificationMode = pocoMode(settings_.client_certs);
    params.verificationDepth = kVerifyDepth;
    params.loadDefaultCAs = false;
    params.cipherList = kTls12Ciphers;
    // The certificate, key and CAs are not given here: connections only start on this context, and move to the
    // loaded one at their first ClientHello.
    context_ = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    context_->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    // Poco would match a client's certificate against its address; a client certificate names a client, not a host.
    context_->enableExtendedCertificateVerification(false);

    SSL_CTX* front = context_->sslContext();
    applyPolicy(front, settings_.client_certs);
    state_->front = front;
    state_->poco_context = context_.get();
    for (int slot = 0; slot < kExDataSlotsToSearch; ++slot) {
        if (SSL_CTX_get_ex_data(front, slot) == context_.get()) {
            state_->poco_slot = slot;
            break;
        }
    }
    state_->current.store(load(settings_, *state_));
    auto* owner = new std::shared_ptr<State>(state_);
    if (SSL_CTX_set_ex_data(front, stateIndex(), owner) != 1) {
        delete owner;
        throw GatewayError(ErrorCode::Internal, "TLS: cannot attach the reload state (" + lastOpenSslReason() + ")");
    }
    SSL_CTX_set_client_hello_cb(front, &switchToLatest, state_.get());
}

TlsServerContext::~TlsServerContext() = default;

void TlsServerContext::reload() {
    const std::lock_guard lock(reload_mutex_);
    state_->current.store(load(settings_, *state_));
}

ServedCertificate TlsServerContext::served() const {
    return state_->current.load()->served;
}

std::string peerSubject(const Poco::Net::X509Certificate& certificate) {
    return nameLine(X509_get_subject_name(certificate.certificate()));
}

std::optional<std::string> peerSubject(Poco::Net::HTTPServerRequest& request) {
    auto* server_request = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
    if (server_request == nullptr) {
        return std::nullopt;
    }
    auto* secure = dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(server_request->socket().impl());
    if (secure == nullptr || !secure->havePeerCertificate()) {
        return std::nullopt;
    }
    return peerSubject(secure->peerCertificate());
}

}  // namespace gateway::security
