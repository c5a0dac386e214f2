// The auditor's routes read the exchange log as the store holds it: filters, cursor paging, one entry, its proof
// against a signed checkpoint (409 until one covers it), the signing backlog as JSON and as Prometheus text.

#include "gateway/api/audit_routes.h"
#include "gateway/api/api_server.h"
#include "gateway/audit/checkpoint.h"
#include "gateway/audit/log_json.h"
#include "gateway/audit/log_verify.h"
#include "gateway/audit/proof.h"
#include "gateway/jobs/audit_job.h"
#include "tests/support/fake_lease_store.h"
#include "tests/support/fake_log_store.h"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

namespace gateway::api {
namespace {

class AuditRoutesTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::vector<audit::ExchangeLogEntry> entries;
        for (int i = 1; i <= 25; ++i) {
            audit::ExchangeLogEntry entry;
            entry.at = "2026-11-" + std::string(i <= 10 ? "01" : "02") + "T08:00:" + (i < 10 ? "0" : "") +
                       std::to_string(i) + ".000Z";
            entry.actor = i % 2 == 0 ? "api:village-1" : "gateway";
            entry.action = i % 2 == 0 ? "api.read" : "profile.version";
            entry.subject = i % 2 == 0 ? "/v1/profiles" : "P" + std::to_string(i);
            entry.detail_json = "{}";
            if (i % 2 == 0) {
                entry.persons = {"P" + std::to_string(i - 1)};
            }
            entries.push_back(entry);
        }
        log_.appendExchangeLog(entries);
        addAuditRoutes(router_, log_);
    }

    Response get(const std::string& path, std::multimap<std::string, std::string> query = {}) {
        Request request;
        request.method = "GET";
        request.path = path;
        request.query = std::move(query);
        return dispatch(router_, request);
    }

    static rapidjson::Document json(const Response& response) {
        rapidjson::Document document;
        document.Parse(response.body.c_str());
        return document;
    }

    testing::FakeLogStore log_;
    testing::FakeLeaseStore leases_;
    Router router_;
};

TEST_F(AuditRoutesTest, FiltersAndCursorPagingWalkEveryMatchOnce) {
    std::vector<std::int64_t> seen;
    std::string cursor;
    for (int page = 0; page < 10; ++page) {
        std::multimap<std::string, std::string> query{{"action", "api."}, {"limit", "4"}};
        if (!cursor.empty()) {
            query.emplace("cursor", cursor);
        }
        const auto response = get("/v1/audit", query);
        ASSERT_EQ(response.status, 200) << response.body;
        const auto body = json(response);
        for (const auto& item : body["items"].GetArray()) {
            EXPECT_STREQ(item["action"].GetString(), "api.read");
            seen.push_back(item["seq"].GetInt64());
        }
        if (body["next_cursor"].IsNull()) {
            break;
        }
        cursor = body["next_cursor"].GetString();
    }
    EXPECT_EQ(seen, (std::vector<std::int64_t>{2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24}));

    // Who read P9: the read that returned it, not the entry about it by another actor.
    const auto p9 = json(get("/v1/audit", {{"person", "P9"}, {"action", "api.read"}}));
    ASSERT_EQ(p9["items"].Size(), 1u);
    EXPECT_EQ(p9["items"][0]["seq"].GetInt64(), 10);

    const auto second_day = json(get("/v1/audit", {{"from", "2026-11-02"}, {"to", "2026-11-02T08:00:13Z"}}));
    ASSERT_EQ(second_day["items"].Size(), 2u) << "from inclusive, to exclusive, Z accepted";
    EXPECT_EQ(second_day["items"][0]["seq"].GetInt64(), 11);
    EXPECT_EQ(second_day["items"][1]["seq"].GetInt64(), 12);
}

TEST_F(AuditRoutesTest, BadParametersAre400AndAnUnknownEntry404) {
    for (const auto& [name, value] :
         std::vector<std::pair<std::string, std::string>>{{"from", "2026-11-02T08:00:00+08:00"},
                                                          {"to", "yesterday"},
                                                          {"cursor", "-1"},
                                                          {"limit", "0"},
                                                          {"limit", "1001"},
                                                          {"actor", "\xff\xfe"}}) {
        EXPECT_EQ(get("/v1/audit", {{name, value}}).status, 400) << name << "=" << value;
    }
    const auto injection = get("/v1/audit", {{"actor", "x' OR '1'='1"}});
    ASSERT_EQ(injection.status, 200);
    EXPECT_EQ(json(injection)["items"].Size(), 0u);
    for (const std::string seq : {"0", "26", "abc", "1e3", "-1", "99999999999999999999"}) {
        EXPECT_EQ(get("/v1/audit/" + seq).status, 404) << seq;
    }
    const auto entry = json(get("/v1/audit/7"));
    EXPECT_EQ(entry["seq"].GetInt64(), 7);
    EXPECT_STREQ(entry["subject"].GetString(), "P7");
}

TEST_F(AuditRoutesTest, AProofWaitsForACheckpointThenChecksWithThePublicKeyAlone) {
    EXPECT_EQ(get("/v1/audit/5/proof").status, 409);
    const auto status = json(get("/v1/audit/status"));
    EXPECT_EQ(status["entries"].GetInt64(), 25);
    EXPECT_EQ(std::string(status["head_hash"].GetString()), log_.exchangeLogHead().hash);
    EXPECT_STREQ(status["algorithm"].GetString(), "sha256");
    EXPECT_TRUE(status["signing_key_id"].IsNull());  // the API holds no signing key
    EXPECT_EQ(status["unsigned_entries"].GetInt64(), 25);
    EXPECT_TRUE(status["latest_checkpoint"].IsNull());
    const auto metrics = get("/metrics");
    EXPECT_EQ(metrics.content_type.rfind("text/plain", 0), 0u);
    EXPECT_NE(metrics.body.find("\ngateway_exchange_log_unsigned_entries 25\n"), std::string::npos) << metrics.body;
    EXPECT_EQ(status["unindexed_entries"].GetInt64(), 25);
    EXPECT_EQ(status["persons_hashed_from"].GetInt64(), 1);
    EXPECT_NE(metrics.body.find("\ngateway_exchange_log_unindexed_entries 25\n"), std::string::npos) << metrics.body;
    EXPECT_EQ(audit::indexExchangeLog(log_), 25);
    EXPECT_EQ(json(get("/v1/audit/status"))["unindexed_entries"].GetInt64(), 0);

    const auto signer =
        audit::CheckpointSigner::fromPem(audit::generateSigningKeyPem(audit::SignatureScheme::Ed25519), "test key");
    ASSERT_TRUE(jobs::writeCheckpoint(log_, leases_, signer, "test"));
    const auto response = get("/v1/audit/5/proof");
    ASSERT_EQ(response.status, 200) << response.body;
    const auto proof = audit::parseProof(response.body);
    EXPECT_EQ(proof.entry.seq, 5);
    const auto key = audit::CheckpointVerifier::fromPem(signer.publicKeyPem(), "public key");
    std::string why;
    EXPECT_TRUE(audit::checkProof(proof, key, &why)) << why;
    EXPECT_EQ(json(get("/v1/audit/status"))["unsigned_entries"].GetInt64(), 0);
    EXPECT_NE(get("/metrics").body.find("\ngateway_exchange_log_checkpoint_age_seconds "), std::string::npos);
    EXPECT_EQ(get("/v1/audit/5/proof", {{"size", "3"}}).status, 404) << "no checkpoint of 3 entries";
}

}  // namespace
}  // namespace gateway::api
