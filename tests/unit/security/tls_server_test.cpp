// The API's TLS decides which machines may talk to it: only clients with a certificate from the configured CA get
// through when that is asked, the handler learns who they are, and a certificate is replaced while the server runs
// without dropping a connection, or, if the new files are broken, without losing the certificate that works.

#include "gateway/security/tls_server.h"

#include "gateway/common/error.h"
#include "tests/support/temp_dir.h"

#include <Poco/Delegate.h>
#include <Poco/File.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <set>
#include <thread>

namespace gateway::security {
namespace {

/// Issues a certificate from the CA in `dir` (ca.pem, ca.key): run with bash, arguments dir, name, subject,
/// extensions.
constexpr const char* kIssueScript = R"(set -euo pipefail
cd "$1"
openssl req -utf8 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$3" \
    -keyout "$2.key" -out "$2.csr" 2>/dev/null
openssl x509 -req -in "$2.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
    -extfile <(printf '%s\n' "$4") -out "$2.pem" 2>/dev/null
rm -f "$2.csr"
)";

constexpr const char* kServerExtensions = "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth";
constexpr const char* kClientExtensions = "extendedKeyUsage=clientAuth";

void run(const std::string& program, const std::vector<std::string>& args) {
    ASSERT_EQ(Poco::Process::launch(program, args).wait(), 0) << program << " " << (args.empty() ? "" : args[0]);
}

void issue(const std::string& dir, const std::string& name, const std::string& subject, const char* extensions) {
    run("bash", {"-c", kIssueScript, "issue", dir, name, subject, extensions});
}

/// A self-signed certificate and key that expired an hour ago, which the openssl command line of Debian 12 cannot
/// make.
void writeExpired(const std::string& cert_path, const std::string& key_path) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"),
                                                            &EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> certificate(X509_new(), &X509_free);
    ASSERT_TRUE(key && certificate);
    X509_set_version(certificate.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 7);
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -7200);
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), -3600);
    X509_set_pubkey(certificate.get(), key.get());
    X509_NAME* name = X509_get_subject_name(certificate.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1,
                               0);
    X509_set_issuer_name(certificate.get(), name);
    ASSERT_GT(X509_sign(certificate.get(), key.get(), EVP_sha256()), 0);
    std::unique_ptr<BIO, decltype(&BIO_free)> cert_out(BIO_new_file(cert_path.c_str(), "w"), &BIO_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> key_out(BIO_new_file(key_path.c_str(), "w"), &BIO_free);
    ASSERT_TRUE(cert_out && key_out);
    PEM_write_bio_X509(cert_out.get(), certificate.get());
    PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
}

void copyFile(const std::string& from, const std::string& to) {
    testing::writeFile(to, testing::readFile(from));
}

/// Replaces a file the way a deployment should: a complete new file renamed over the old one.
void replaceFile(const std::string& from, const std::string& to) {
    const std::string staging = to + ".new";
    copyFile(from, staging);
    ASSERT_EQ(std::rename(staging.c_str(), to.c_str()), 0);
}

/// Answers every request with what it knows of the caller: its certificate subject and its connection.
class WhoAmI : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        const std::optional<std::string> subject = peerSubject(request);
        const std::string body =
            (subject ? *subject : std::string("(none)")) + "|" + std::to_string(request.clientAddress().port());
        response.setContentType("text/plain");
        response.setContentLength(static_cast<std::streamsize>(body.size()));
        response.send() << body;
    }
};

class WhoAmIFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new WhoAmI;
    }
};

class HttpsServer {
public:
    explicit HttpsServer(const TlsServerContext& tls)
        : socket_(Poco::Net::SocketAddress("127.0.0.1", 0), 64, tls.context()),
          server_(new WhoAmIFactory, socket_, new Poco::Net::HTTPServerParams) {
        server_.start();
    }
    ~HttpsServer() { server_.stopAll(true); }

    Poco::UInt16 port() const { return socket_.address().port(); }

private:
    Poco::Net::SecureServerSocket socket_;
    Poco::Net::HTTPServer server_;
};

struct Reply {
    std::string subject;         // the client certificate subject the handler saw
    std::string connection;      // the client's port, as the server saw it
    std::string server_subject;  // the server certificate the client saw
    std::string server_serial;
};

/// A client of the test server, trusting `ca_file`, presenting `name`.pem/.key from `dir` unless `name` is empty.
class Client {
public:
    Client(Poco::UInt16 port, const std::string& ca_file, const std::string& dir = "", const std::string& name = "",
           int max_version = 0)
        : context_(new Poco::Net::Context(
              Poco::Net::Context::TLS_CLIENT_USE, name.empty() ? "" : dir + "/" + name + ".key",
              name.empty() ? "" : dir + "/" + name + ".pem", ca_file, Poco::Net::Context::VERIFY_RELAXED)),
          session_("127.0.0.1", port, context_) {
        if (max_version != 0) {
            SSL_CTX_set_min_proto_version(context_->sslContext(), 0);
            SSL_CTX_set_max_proto_version(context_->sslContext(), max_version);
        }
        session_.setKeepAlive(true);
    }

    /// One GET; throws what Poco throws when the TLS handshake or the exchange fails.
    Reply get() {
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/", Poco::Net::HTTPMessage::HTTP_1_1);
        session_.sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::istream& in = session_.receiveResponse(response);
        std::string body;
        Poco::StreamCopier::copyToString(in, body);
        const Poco::Net::X509Certificate server = session_.serverCertificate();
        const auto bar = body.find('|');
        return Reply{body.substr(0, bar), body.substr(bar + 1), peerSubject(server), server.serialNumber()};
    }

private:
    Poco::Net::Context::Ptr context_;
    Poco::Net::HTTPSClientSession session_;
};

/// Whether a client fails to get an answer.
bool refused(Client client) {
    try {
        client.get();
        return false;
    } catch (const Poco::Exception&) {
        return true;
    }
}

class TlsServer : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        ca_ = std::make_unique<testing::TempDir>();
        other_ca_ = std::make_unique<testing::TempDir>();
        run("bash", {GATEWAY_SOURCE_DIR "/certs/make-dev-certs.sh", ca_->path()});
        run("bash", {GATEWAY_SOURCE_DIR "/certs/make-dev-certs.sh", other_ca_->path()});
        issue(ca_->path(), "server2", "/CN=localhost-2/O=childgateway", kServerExtensions);
        issue(ca_->path(), "comma", "/CN=x,O=admin/O=childgateway", kClientExtensions);
        issue(ca_->path(), "village", "/CN=村委会 320411101201/O=childgateway", kClientExtensions);
        writeExpired(ca_->file("expired.pem"), ca_->file("expired.key"));
    }
    static void TearDownTestSuite() {
        ca_.reset();
        other_ca_.reset();
    }

    /// Settings on copies of the development server's files, so that a test may replace them.
    TlsServerSettings settings(ClientCertMode mode) {
        copyFile(ca_->file("server.pem"), dir_.file("server.pem"));
        copyFile(ca_->file("server.key"), dir_.file("server.key"));
        return TlsServerSettings{dir_.file("server.pem"), dir_.file("server.key"), ca_->file("ca.pem"), mode};
    }

    static std::string serialOf(const std::string& name) {
        return Poco::Net::X509Certificate(ca_->file(name + ".pem")).serialNumber();
    }

    static void expectInvalidConfig(const std::function<void()>& action, const std::string& file,
                                    const std::string& what) {
        try {
            action();
            ADD_FAILURE() << "accepted; expected: " << what;
        } catch (const GatewayError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
            EXPECT_NE(e.message().find(file), std::string::npos) << e.message();
            EXPECT_NE(e.message().find(what), std::string::npos) << e.message();
            EXPECT_EQ(e.message().find("BEGIN"), std::string::npos) << e.message();
        }
    }

    static std::unique_ptr<testing::TempDir> ca_;
    static std::unique_ptr<testing::TempDir> other_ca_;
    testing::TempDir dir_;
};

std::unique_ptr<testing::TempDir> TlsServer::ca_;
std::unique_ptr<testing::TempDir> TlsServer::other_ca_;

TEST_F(TlsServer, ServesItsCertificateWithoutAskingForTheClients) {
    TlsServerContext tls(settings(ClientCertMode::None));
    EXPECT_EQ(tls.served().subject, "CN=localhost");
    EXPECT_EQ(tls.served().serial, serialOf("server"));
    HttpsServer server(tls);

    const Reply reply = Client(server.port(), ca_->file("ca.pem")).get();
    EXPECT_EQ(reply.server_subject, "CN=localhost");
    EXPECT_EQ(reply.server_serial, serialOf("server"));
    EXPECT_EQ(reply.subject, "(none)");

    const Reply with_certificate = Client(server.port(), ca_->file("ca.pem"), ca_->path(), "client").get();
    EXPECT_EQ(with_certificate.subject, "(none)") << "a certificate that was not asked for is not sent";

    EXPECT_TRUE(refused(Client(server.port(), other_ca_->file("ca.pem")))) << "the client checks the server";
}

TEST_F(TlsServer, TlsOneTwoIsTheMinimum) {
    TlsServerContext tls(settings(ClientCertMode::None));
    HttpsServer server(tls);
    EXPECT_NO_THROW(Client(server.port(), ca_->file("ca.pem"), "", "", TLS1_2_VERSION).get());
    EXPECT_TRUE(refused(Client(server.port(), ca_->file("ca.pem"), "", "", TLS1_1_VERSION)));
}

TEST_F(TlsServer, RequiredAdmitsOnlyCertificatesFromTheCa) {
    TlsServerContext tls(settings(ClientCertMode::Required));
    HttpsServer server(tls);

    const Reply reply = Client(server.port(), ca_->file("ca.pem"), ca_->path(), "client").get();
    EXPECT_EQ(reply.subject, "CN=dev-client,O=childgateway");

    EXPECT_TRUE(refused(Client(server.port(), ca_->file("ca.pem")))) << "no certificate";
    EXPECT_TRUE(refused(Client(server.port(), ca_->file("ca.pem"), other_ca_->path(), "client")))
        << "a certificate from another CA";
    EXPECT_TRUE(refused(Client(server.port(), ca_->file("ca.pem"), ca_->path(), "server2")))
        << "a certificate for servers only";
    // The server keeps serving after refusals.
    EXPECT_EQ(Client(server.port(), ca_->file("ca.pem"), ca_->path(), "client").get().subject,
              "CN=dev-client,O=childgateway");
}

TEST_F(TlsServer, OptionalAdmitsClientsWithoutButNotWithAForeignCertificate) {
    TlsServerContext tls(settings(ClientCertMode::Optional));
    HttpsServer server(tls);
    EXPECT_EQ(Client(server.port(), ca_->file("ca.pem")).get().subject, "(none)");
    EXPECT_EQ(Client(server.port(), ca_->file("ca.pem"), ca_->path(), "client").get().subject,
              "CN=dev-client,O=childgateway");
    EXPECT_TRUE(refused(Client(server.port(), ca_->file("ca.pem"), other_ca_->path(), "client")));
}

void ignoreVerificationErrors(const void*, Poco::Net::VerificationErrorArgs& args) {
    args.setIgnoreError(true);
}

TEST_F(TlsServer, ProcessWideCertificateHandlersCannotWeakenIt) {
    TlsServerContext tls(settings(ClientCertMode::Required));
    HttpsServer server(tls);
    // What an application does to accept any certificate (Poco's AcceptCertificateHandler, e.g. in a dev mode).
    Poco::Net::SSLManager& manager = Poco::Net::SSLManager::instance();
    manager.ServerVerificationError += Poco::delegate(&ignoreVerificationErrors);
    manager.ClientVerificationError += Poco::delegate(&ignoreVerificationErrors);
    const bool foreign_refused = refused(Client(server.port(), ca_->file("ca.pem"), other_ca_->path(), "client"));
    manager.ServerVerificationError -= Poco::delegate(&ignoreVerificationErrors);
    manager.ClientVerificationError -= Poco::delegate(&ignoreVerificationErrors);
    EXPECT_TRUE(foreign_refused);
}

TEST_F(TlsServer, SubjectsAreOneStableLineThatCannotBeSpoofed) {
    TlsServerContext tls(settings(ClientCertMode::Required));
    HttpsServer server(tls);
    EXPECT_EQ(Client(server.port(), ca_->file("ca.pem"), ca_->path(), "comma").get().subject,
              "CN=x\\,O=admin,O=childgateway");
    EXPECT_EQ(Client(server.port(), ca_->file("ca.pem"), ca_->path(), "village").get().subject,
              "CN=村委会 320411101201,O=childgateway");
    EXPECT_EQ(peerSubject(Poco::Net::X509Certificate(ca_->file("client.pem"))), "CN=dev-client,O=childgateway");
    EXPECT_EQ(peerSubject(Poco::Net::X509Certificate(ca_->file("ca.pem"))), "CN=childgateway development CA");
}

TEST_F(TlsServer, AReloadServesTheNewCertificateToNewConnectionsOnly) {
    TlsServerSettings tls_settings = settings(ClientCertMode::Required);
    TlsServerContext tls(tls_settings);
    HttpsServer server(tls);

    Client before(server.port(), ca_->file("ca.pem"), ca_->path(), "client");
    const Reply first = before.get();
    EXPECT_EQ(first.server_serial, serialOf("server"));

    replaceFile(ca_->file("server2.pem"), tls_settings.cert_file);
    replaceFile(ca_->file("server2.key"), tls_settings.key_file);
    EXPECT_EQ(Client(server.port(), ca_->file("ca.pem"), ca_->path(), "client").get().server_serial, serialOf("server"))
        << "nothing changes before reload()";
    tls.reload();
    EXPECT_EQ(tls.served().subject, "CN=localhost-2,O=childgateway");
    EXPECT_EQ(tls.served().serial, serialOf("server2"));

    const Reply again = before.get();
    EXPECT_EQ(again.connection, first.connection) << "the open connection goes on";
    EXPECT_EQ(again.server_serial, serialOf("server"));
    EXPECT_EQ(again.subject, "CN=dev-client,O=childgateway");

    const Reply after = Client(server.port(), ca_->file("ca.pem"), ca_->path(), "client").get();
    EXPECT_EQ(after.server_serial, serialOf("server2"));
    EXPECT_EQ(after.server_subject, "CN=localhost-2,O=childgateway");
    EXPECT_EQ(after.subject, "CN=dev-client,O=childgateway");
}

TEST_F(TlsServer, AReloadAlsoReplacesTheClientCa) {
    TlsServerSettings tls_settings = settings(ClientCertMode::Required);
    copyFile(ca_->file("ca.pem"), dir_.file("clients-ca.pem"));
    tls_settings.ca_file = dir_.file("clients-ca.pem");
    TlsServerContext tls(tls_settings);
    HttpsServer server(tls);
    EXPECT_FALSE(refused(Client(server.port(), ca_->file("ca.pem"), ca_->path(), "client")));

    replaceFile(other_ca_->file("ca.pem"), tls_settings.ca_file);
    tls.reload();
    EXPECT_TRUE(refused(Client(server.port(), ca_->file("ca.pem"), ca_->path(), "client")));
    EXPECT_EQ(Client(server.port(), ca_->file("ca.pem"), other_ca_->path(), "client").get().subject,
              "CN=dev-client,O=childgateway");
}

TEST_F(TlsServer, ABrokenReloadKeepsTheWorkingCertificate) {
    TlsServerSettings tls_settings = settings(ClientCertMode::Required);
    TlsServerContext tls(tls_settings);
    HttpsServer server(tls);
    const std::string cert = tls_settings.cert_file;
    const std::string key = tls_settings.key_file;
    const auto restore = [&] {
        copyFile(ca_->file("server.pem"), cert);
        copyFile(ca_->file("server.key"), key);
    };
    const auto reload = [&] { tls.reload(); };

    testing::writeFile(key, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
    expectInvalidConfig(reload, key, "not an unencrypted PEM private key");
    testing::writeFile(key, "");
    expectInvalidConfig(reload, key, "not an unencrypted PEM private key");
    copyFile(ca_->file("server2.key"), key);
    expectInvalidConfig(reload, key, "does not match the certificate in " + cert);
    restore();

    testing::writeFile(cert, "garbage");
    expectInvalidConfig(reload, cert, "no PEM certificate");
    const std::string pem = testing::readFile(ca_->file("server.pem"));
    testing::writeFile(cert, pem.substr(0, pem.size() / 2));
    expectInvalidConfig(reload, cert, "no PEM certificate");
    testing::writeFile(cert, pem + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    expectInvalidConfig(reload, cert, "not valid PEM");
    Poco::File(cert).remove();
    expectInvalidConfig(reload, cert, "cannot read the TLS cert_file: No such file or directory");
    copyFile(ca_->file("expired.pem"), cert);
    copyFile(ca_->file("expired.key"), key);
    expectInvalidConfig(reload, cert, "expired");
    restore();

    const Reply reply = Client(server.port(), ca_->file("ca.pem"), ca_->path(), "client").get();
    EXPECT_EQ(reply.server_serial, serialOf("server"));
    EXPECT_EQ(tls.served().serial, serialOf("server"));

    // Fixed files load again.
    replaceFile(ca_->file("server2.pem"), cert);
    replaceFile(ca_->file("server2.key"), key);
    tls.reload();
    EXPECT_EQ(Client(server.port(), ca_->file("ca.pem"), ca_->path(), "client").get().server_serial,
              serialOf("server2"));
}

TEST_F(TlsServer, BadSettingsStopTheStart) {
    TlsServerSettings no_ca = settings(ClientCertMode::Required);
    no_ca.ca_file.clear();
    expectInvalidConfig([&] { TlsServerContext tls(no_ca); }, "ca_file", "required");

    TlsServerSettings empty_ca = settings(ClientCertMode::Optional);
    empty_ca.ca_file = dir_.file("empty-ca.pem");
    testing::writeFile(empty_ca.ca_file, "");
    expectInvalidConfig([&] { TlsServerContext tls(empty_ca); }, empty_ca.ca_file, "no PEM certificate");

    TlsServerSettings missing_key = settings(ClientCertMode::None);
    missing_key.key_file = dir_.file("missing.key");
    expectInvalidConfig([&] { TlsServerContext tls(missing_key); }, missing_key.key_file,
                        "cannot read the TLS key_file: No such file or directory");

    TlsServerSettings unset = settings(ClientCertMode::None);
    unset.cert_file.clear();
    expectInvalidConfig([&] { TlsServerContext tls(unset); }, "cert_file", "not set");
}

TEST_F(TlsServer, ReloadsWhileClientsConnectNeverBreakAHandshake) {
    TlsServerSettings tls_settings = settings(ClientCertMode::Required);
    TlsServerContext tls(tls_settings);
    HttpsServer server(tls);

    std::atomic<bool> done{false};
    std::atomic<int> reloads{0};
    std::thread reloader([&] {
        for (int i = 0; !done; ++i) {
            const std::string name = i % 2 == 0 ? "server2" : "server";
            replaceFile(ca_->file(name + ".pem"), tls_settings.cert_file);
            replaceFile(ca_->file(name + ".key"), tls_settings.key_file);
            try {
                tls.reload();
                ++reloads;
            } catch (const GatewayError&) {
                // Replacing two files is not atomic: a reload between the renames sees a key that does not match
                // and keeps the previous pair, as it should.
            }
        }
    });
    std::set<std::string> serials;
    for (int i = 0; i < 40; ++i) {
        try {
            serials.insert(Client(server.port(), ca_->file("ca.pem"), ca_->path(), "client").get().server_serial);
        } catch (const Poco::Exception& e) {
            ADD_FAILURE() << "connection " << i << " failed: " << e.displayText();
        }
    }
    done = true;
    reloader.join();
    EXPECT_GT(reloads.load(), 0);
    EXPECT_FALSE(serials.empty());
    for (const std::string& serial : serials) {
        EXPECT_TRUE(serial == serialOf("server") || serial == serialOf("server2")) << serial;
    }
}

}  // namespace
}  // namespace gateway::security
