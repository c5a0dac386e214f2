#include "adapters/rest/rest_adapter.h"

#include "gateway/common/error.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/adapters/scripted_http_server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Pipe.h>
#include <Poco/Process.h>

#include <gtest/gtest.h>

namespace gateway::adapters {
namespace {

using testing::ScriptedHttpServer;
using Request = ScriptedHttpServer::Request;
using Reply = ScriptedHttpServer::Reply;

/// An HTTPS server that demands a client certificate signed by the development CA made for the test.
class MutualTlsTest : public ::testing::Test {
protected:
    void SetUp() override {
        const int exit_code =
            Poco::Process::launch("bash", {GATEWAY_SOURCE_DIR "/certs/make-dev-certs.sh", dir_.path()}).wait();
        ASSERT_EQ(exit_code, 0) << "could not make test certificates";
        Poco::Net::Context::Ptr context(new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE,
                                                               dir_.file("server.key"), dir_.file("server.pem"),
                                                               dir_.file("ca.pem"), Poco::Net::Context::VERIFY_STRICT));
        // OpenSSL refuses to resume sessions for verified clients unless the server names a session context.
        context->enableSessionCache(true, "rest-tls-test");
        // Poco would also match the client's certificate against its address; a client certificate names a client,
        // not a host, so only the chain is checked.
        context->enableExtendedCertificateVerification(false);
        server_ = std::make_unique<ScriptedHttpServer>(
            [](const Request&) {
                return Reply{200, R"({"data":[{"person_id":"P1"}],"next_cursor":"c1","has_more":false})"};
            },
            Poco::Net::SecureServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context), "https");
    }

    std::unique_ptr<RestAdapter> openAdapter(const std::string& tls) {
        RestEnvironment environment;
        environment.sleeper = [](std::chrono::milliseconds) {};
        environment.seed = 1;
        auto adapter = std::make_unique<RestAdapter>(environment);
        adapter->open(AdapterConfig{
            "police_population",
            R"({"url":")" + server_->localhostUrl() + R"(","retry":{"max_attempts":1},"tls":)" + tls + "}",
            "police.json", ""});
        return adapter;
    }

    std::string clientTls() const {
        return R"({"ca_file":")" + dir_.file("ca.pem") + R"(","client_cert":")" + dir_.file("client.pem") +
               R"(","client_key":")" + dir_.file("client.key") + R"("})";
    }

    testing::TempDir dir_;
    std::unique_ptr<ScriptedHttpServer> server_;
};

TEST_F(MutualTlsTest, PullsWithAClientCertificate) {
    auto adapter = openAdapter(clientTls());
    PullBatch batch;
    try {
        batch = adapter->pull(std::nullopt, 10);
    } catch (const GatewayError& e) {
        FAIL() << e.message();
    }
    ASSERT_EQ(batch.rows.size(), 1u);
    EXPECT_EQ(batch.rows[0].json, R"({"person_id":"P1"})");
}

TEST_F(MutualTlsTest, FailsWithoutAClientCertificate) {
    auto adapter = openAdapter(R"({"ca_file":")" + dir_.file("ca.pem") + R"("})");
    try {
        adapter->pull(std::nullopt, 10);
        FAIL() << "the server accepted a client without a certificate";
    } catch (const GatewayError& e) {
        EXPECT_NE(e.message().find("failed after 1 attempt"), std::string::npos) << e.message();
    }
}

TEST_F(MutualTlsTest, RefusesAServerItCannotVerify) {
    auto adapter = openAdapter(R"({"client_cert":")" + dir_.file("client.pem") + R"(","client_key":")" +
                               dir_.file("client.key") + R"("})");
    try {
        adapter->pull(std::nullopt, 10);
        FAIL() << "an unverified server was accepted";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::SourceError) << e.message();
        EXPECT_NE(e.message().find("certificate"), std::string::npos) << e.message();
        EXPECT_EQ(server_->requestCount(), 0u);
    }
}

}  // namespace
}  // namespace gateway::adapters
