// The deliverer against a real HTTPS server on loopback that demands a client certificate of the development CA:
// a batch goes out signed, with its idempotency key, over mutual TLS; a subscriber whose certificate does not verify
// refuses nothing and spends no attempt; refusals turn into dead letters after max_attempts.

#include "gateway/publish/deliverer.h"
#include "gateway/common/hash.h"
#include "tests/support/fake_lease_store.h"
#include "tests/support/fake_log_store.h"
#include "tests/support/fake_outbox_store.h"
#include "tests/support/manual_clock.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/adapters/scripted_http_server.h"

#include <Poco/Net/Context.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Process.h>
#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <atomic>

namespace gateway::publish {
namespace {

using testing::ScriptedHttpServer;

const std::string kSecret = "a-subscriber-secret-of-32-bytes!";

class DelivererTest : public ::testing::Test {
protected:
    void SetUp() override {
        const int made =
            Poco::Process::launch("bash", {GATEWAY_SOURCE_DIR "/certs/make-dev-certs.sh", dir_.path()}).wait();
        ASSERT_EQ(made, 0) << "could not make test certificates";
        Poco::Net::Context::Ptr context(new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE,
                                                               dir_.file("server.key"), dir_.file("server.pem"),
                                                               dir_.file("ca.pem"), Poco::Net::Context::VERIFY_STRICT));
        context->enableSessionCache(true, "deliverer-test");
        context->enableExtendedCertificateVerification(false);
        server_ = std::make_unique<ScriptedHttpServer>(
            [this](const ScriptedHttpServer::Request&) {
                // A refusing platform that echoes the child's citizen number back.
                const int status = status_.load();
                return ScriptedHttpServer::Reply{
                    status, status < 300 ? "{}" : R"({"error":"unknown child 320411201403051248"})"};
            },
            Poco::Net::SecureServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context), "https");

        for (const char* person : {"P1", "P2", "P3"}) {
            OutboxEntry entry;
            entry.person_id = person;
            entry.version = 1;
            entry.division = "320411101201";
            entry.created_at = formatIso(clock_.now());
            entry.profile_json = std::string(R"({"person_id":")") + person + R"(","note":"儿童"})";
            store_.appendVersion(entry);
        }
    }

    Subscriber subscriber(bool client_certificate) const {
        Subscriber result;
        result.name = "village-1";
        result.url = server_->localhostUrl() + "/hooks/village-1";
        result.scope = "320411101201";
        result.view = "city";
        result.secret = kSecret;
        result.batch_size = 2;
        result.max_attempts = 2;
        result.timeout_ms = 5000;
        result.ca_file = dir_.file("ca.pem");
        if (client_certificate) {
            result.client_cert = dir_.file("client.pem");
            result.client_key = dir_.file("client.key");
        }
        return result;
    }

    Deliverer deliverer(bool client_certificate) {
        PushSettings settings;
        settings.node = "test-node:1";
        settings.backoff_initial_ms = 1000;
        return Deliverer(store_, leases_, views_, {subscriber(client_certificate)}, settings, clock_);
    }

    testing::TempDir dir_;
    std::unique_ptr<ScriptedHttpServer> server_;
    std::atomic<int> status_{200};
    testing::ManualClock clock_;
    testing::FakeLogStore log_;
    testing::FakeOutboxStore store_{log_, clock_};
    testing::FakeLeaseStore leases_;
    profile::ProfileViews views_ = profile::ProfileViews::builtin();
};

TEST_F(DelivererTest, SendsSignedBatchesOverMutualTls) {
    auto push = deliverer(true);
    const DeliveryReport report = push.deliver(push.subscribers().front());
    EXPECT_EQ(report.error, "");
    EXPECT_EQ(report.delivered, 3);
    EXPECT_TRUE(report.caught_up);
    const auto requests = server_->requests();
    ASSERT_EQ(requests.size(), 2u) << "batches of two";
    for (const auto& request : requests) {
        EXPECT_EQ(request.method, "POST");
        EXPECT_EQ(request.path, "/hooks/village-1");
        EXPECT_EQ(request.header("X-Gateway-Signature"), "sha256=" + hmacSha256Hex(kSecret, request.body));
        EXPECT_EQ(request.header("Content-Type"), "application/json");
        EXPECT_FALSE(request.header("Idempotency-Key").empty());
    }
    rapidjson::Document first;
    first.Parse(requests[0].body.c_str());
    ASSERT_TRUE(first.IsObject()) << requests[0].body;
    EXPECT_EQ(std::string(first["events"][0]["idempotency_key"].GetString()), "P1:1");
    EXPECT_EQ(std::string(first["events"][1]["profile"]["note"].GetString()), "儿童");
    const auto state = store_.pushState("village-1");
    EXPECT_EQ(state.delivered, 3);
    EXPECT_EQ(state.delivered_through, store_.outboxHead());
    audit::ExchangeLogQuery deliveries;
    deliveries.action = "push.delivery";
    EXPECT_EQ(log_.searchExchangeLog(deliveries).size(), 2u) << "one entry per batch";
    EXPECT_FALSE(leases_.leaseHolder("push:village-1").has_value()) << "given back once caught up";
}

TEST_F(DelivererTest, AnotherNodeDeliveringToTheSubscriberIsWaitedFor) {
    ASSERT_TRUE(leases_.claimLease("push:village-1", "node-b", "2000-01-01T00:00:00.000Z", "2999-01-01T00:00:00.000Z"));
    auto push = deliverer(true);
    const DeliveryReport report = push.deliver(push.subscribers().front());
    EXPECT_TRUE(report.waiting);
    EXPECT_EQ(report.delivered, 0);
    EXPECT_TRUE(server_->requests().empty());
    EXPECT_EQ(store_.pushState("village-1").delivered_through, 0);
    EXPECT_EQ(leases_.leaseHolder("push:village-1"), "node-b");
}

TEST_F(DelivererTest, ACertificateTheServerRefusesSpendsNoAttempt) {
    auto push = deliverer(false);
    for (int round = 0; round < 3; ++round) {
        const DeliveryReport report = push.deliver(push.subscribers().front());
        EXPECT_EQ(report.delivered, 0);
        EXPECT_FALSE(report.error.empty());
        clock_.advance(std::chrono::seconds(3600));
    }
    const auto state = store_.pushState("village-1");
    EXPECT_EQ(state.attempts, 3) << "the wait grows with each failure";
    EXPECT_EQ(state.refusals, 0) << "the connection never carried the batch";
    EXPECT_EQ(state.dead_letters, 0);
    EXPECT_EQ(state.delivered_through, 0);
}

TEST_F(DelivererTest, RefusalsBecomeDeadLettersAndBackoffIsRespected) {
    status_ = 422;
    auto push = deliverer(true);
    DeliveryReport report = push.deliver(push.subscribers().front());
    EXPECT_EQ(report.dead_lettered, 0);
    EXPECT_NE(report.error.find("HTTP 422"), std::string::npos) << report.error;
    EXPECT_NE(report.error.find("unknown child [redacted]"), std::string::npos) << report.error;
    EXPECT_EQ(store_.pushState("village-1").last_error, report.error) << "kept without the number";
    report = push.deliver(push.subscribers().front());
    EXPECT_TRUE(report.waiting) << "the backoff has not passed";
    EXPECT_EQ(server_->requests().size(), 1u);
    clock_.advance(std::chrono::seconds(2));
    report = push.deliver(push.subscribers().front());
    EXPECT_EQ(report.dead_lettered, 2) << "the first batch ran out of its two attempts";
    const auto state = store_.pushState("village-1");
    EXPECT_EQ(state.dead_letters, 2);
    EXPECT_EQ(state.refusals, 1) << "the stream went on: the second batch was refused once";
    audit::ExchangeLogQuery dead;
    dead.action = "push.dead_letter";
    EXPECT_EQ(log_.searchExchangeLog(dead).size(), 1u);

    status_ = 503;  // busy, not a refusal: the second batch waits without spending an attempt
    clock_.advance(std::chrono::seconds(3600));
    report = push.deliver(push.subscribers().front());
    EXPECT_NE(report.error.find("HTTP 503"), std::string::npos) << report.error;
    EXPECT_EQ(store_.pushState("village-1").refusals, 1);
    EXPECT_EQ(store_.pushState("village-1").dead_letters, 2);

    status_ = 200;
    clock_.advance(std::chrono::seconds(3600));
    EXPECT_EQ(store_.requestRedelivery("village-1", std::nullopt, "operator"), 2);
    report = push.deliver(push.subscribers().front());
    EXPECT_EQ(report.redelivered, 2);
    EXPECT_EQ(report.delivered, 3) << "the two dead letters, then the rest of the stream";
    EXPECT_EQ(store_.pushState("village-1").dead_letters, 0);
}

}  // namespace
}  // namespace gateway::publish
