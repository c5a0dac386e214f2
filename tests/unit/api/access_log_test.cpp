// What dispatch() writes to the exchange log and what it refuses: every call is an entry committed before the answer
// leaves (a group-committed transaction shared by concurrent calls); a personal-data read needs a declared purpose;
// failed logins and wrong roles are entries too; personal query values are redacted; bearer tokens, client
// certificates and rate limits take part in identifying and admitting the caller.

#include "gateway/api/access_log.h"
#include "gateway/api/api_server.h"
#include "gateway/api/router.h"
#include "gateway/common/hash.h"
#include "tests/support/fake_log_store.h"

#include <Poco/JSON/Array.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>

#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace gateway::api {
namespace {

const std::string kSecret = "an HMAC secret of at least thirty-two bytes";

security::ClientRegistry registry() {
    return security::ClientRegistry::parse(
        R"({"clients": [{"id": "village-1", "roles": ["app"], "scope": "320411101201", "view": "village",
                         "api_key_sha256": ")" +
            sha256Hex("village-key") + R"("},
                        {"id": "auditor-1", "roles": ["auditor"], "api_key_sha256": ")" +
            sha256Hex("auditor-key") + R"("},
                        {"id": "school", "roles": ["operator"], "certificate_subject": "CN=school,O=Education"}]})",
        "clients.json");
}

class AccessLogTest : public ::testing::Test {
protected:
    void SetUp() override {
        log_ = std::make_unique<AccessLog>(store_);
        const auto disclose = [](const Request& request) {
            Response response = jsonResponse(200, "{}");
            response.persons = {"P2", "P1", "P2"};
            (void)request;
            return response;
        };
        routes_.add(
            {"GET", "/v1/profiles", "list", disclose, {security::Role::Admin, security::Role::App}, false, true});
        routes_.add({"GET",
                     "/v1/profiles/{id}",
                     "one",
                     [](const Request& request) {
                         Response response = jsonResponse(200, "{}");
                         response.persons = {request.path_params.at("id")};
                         return response;
                     },
                     {security::Role::Admin, security::Role::App},
                     false,
                     true});
        routes_.add({"GET",
                     "/v1/stats",
                     "counts",
                     [](const Request&) { return jsonResponse(200, "{}"); },
                     {security::Role::App, security::Role::Operator}});
        security::JwtSettings jwt;
        jwt.issuer = "https://idp.example";
        jwt.audience = "childgateway";
        jwt.algorithm = "HS256";
        jwt.secret = kSecret;
        tokens_ = std::make_unique<security::Reloadable<security::JwtVerifier>>(security::JwtVerifier(jwt));
        AccessControl access;
        access.clients = &clients_;
        access.tokens = tokens_.get();
        access.access_log = log_.get();
        access.purposes = {"case_assessment", "audit"};
        routes_.setAccessControl(access);
    }

    static Request get(const std::string& path, const std::string& key, const std::string& purpose = "") {
        Request request;
        request.method = "GET";
        request.path = path;
        request.client_address = "10.1.2.3:50123";
        if (!key.empty()) {
            request.headers["authorization"] = "Bearer " + key;
        }
        if (!purpose.empty()) {
            request.headers["x-purpose"] = purpose;
        }
        return request;
    }

    std::vector<audit::ExchangeLogEntry> entries(const std::string& action = "") {
        audit::ExchangeLogQuery query;
        query.action = action;
        query.limit = 1000;
        return store_.searchExchangeLog(query);
    }

    static rapidjson::Document detail(const audit::ExchangeLogEntry& entry) {
        rapidjson::Document json;
        json.Parse(entry.detail_json.c_str());
        return json;
    }

    static std::string token(int expires_in_seconds) {
        Poco::JWT::Token token;
        token.setIssuer("https://idp.example");
        token.setAudience("childgateway");
        token.setSubject("township-platform");
        token.setExpiration(Poco::Timestamp() + Poco::Timespan(expires_in_seconds, 0));
        Poco::JSON::Array::Ptr roles = new Poco::JSON::Array;
        roles->add(std::string("app"));
        token.payload().set("roles", roles);
        token.payload().set("scope", std::string("320411101"));
        token.payload().set("view", std::string("township"));
        Poco::JWT::Signer signer(kSecret);
        return signer.sign(token, Poco::JWT::Signer::ALGO_HS256);
    }

    testing::FakeLogStore store_;
    std::unique_ptr<AccessLog> log_;
    security::ClientDirectory clients_{registry()};
    std::unique_ptr<security::Reloadable<security::JwtVerifier>> tokens_;
    Router routes_;
};

TEST_F(AccessLogTest, APersonalReadWithoutAPurposeIsRefusedAndTheRefusalIsLogged) {
    const Response missing = dispatch(routes_, get("/v1/profiles", "village-key"));
    EXPECT_EQ(missing.status, 400);
    EXPECT_NE(missing.body.find("X-Purpose"), std::string::npos) << missing.body;
    EXPECT_NE(missing.body.find("case_assessment"), std::string::npos) << "names the purposes: " << missing.body;
    EXPECT_EQ(dispatch(routes_, get("/v1/profiles", "village-key", "curiosity")).status, 400);
    EXPECT_EQ(dispatch(routes_, get("/v1/profiles", "village-key", "CASE_ASSESSMENT")).status, 400)
        << "codes are exact";

    const auto logged = entries("api.read");
    ASSERT_EQ(logged.size(), 3u);
    for (const auto& entry : logged) {
        EXPECT_TRUE(entry.persons.empty()) << "nothing was disclosed";
        EXPECT_STREQ(detail(entry)["failure"].GetString(), "purpose");
        EXPECT_EQ(detail(entry)["status"].GetInt(), 400);
    }
    EXPECT_STREQ(detail(logged[1])["purpose"].GetString(), "curiosity") << "what was declared is kept";
}

TEST_F(AccessLogTest, AReadIsCommittedWithWhoWhatAndWhyBeforeItsAnswerLeaves) {
    Request request = get("/v1/profiles", "village-key", "case_assessment");
    request.headers["x-case-reference"] = "FJ-2026-0042";
    request.query.emplace("division", "320411101201");
    request.query.emplace("id_number", "110101200801011234");
    const Response response = dispatch(routes_, request);
    ASSERT_EQ(response.status, 200) << response.body;

    // Committed before dispatch returned: no waiting, no flush.
    const auto logged = entries("api.read");
    ASSERT_EQ(logged.size(), 1u);
    const auto& entry = logged[0];
    EXPECT_EQ(entry.actor, "api:village-1");
    EXPECT_EQ(entry.subject, "/v1/profiles");
    EXPECT_EQ(entry.persons, (std::vector<std::string>{"P1", "P2"})) << "sorted, each once";
    const auto json = detail(entry);
    EXPECT_STREQ(json["purpose"].GetString(), "case_assessment");
    EXPECT_STREQ(json["case_reference"].GetString(), "FJ-2026-0042");
    EXPECT_STREQ(json["route"].GetString(), "/v1/profiles");
    EXPECT_STREQ(json["query"]["division"].GetString(), "320411101201");
    EXPECT_STREQ(json["query"]["id_number"].GetString(), "[redacted]");
    EXPECT_EQ(entry.detail_json.find("110101200801011234"), std::string::npos) << "no ID number in the log";
    EXPECT_EQ(json["disclosed"].GetInt(), 2);
    EXPECT_STREQ(json["auth"].GetString(), "api_key");

    // "Who read this child's file, when, and why" is one query.
    audit::ExchangeLogQuery who;
    who.person = "P1";
    who.action = "api.";
    const auto reads = store_.searchExchangeLog(who);
    ASSERT_EQ(reads.size(), 1u);
    EXPECT_EQ(reads[0].seq, entry.seq);
}

TEST_F(AccessLogTest, ACitizenNumberPutInAPathOrAnyParameterIsRedactedAndOnNoLedger) {
    Request request = get("/v1/profiles/320411201403051248", "village-key", "case_assessment");
    request.query.emplace("name", "13912345678");
    dispatch(routes_, request);
    const auto logged = entries("api.");
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_EQ(logged[0].subject, "/v1/profiles/[redacted]");
    EXPECT_STREQ(detail(logged[0])["query"]["name"].GetString(), "[redacted]");
    EXPECT_EQ(logged[0].detail_json.find("13912345678"), std::string::npos);
    EXPECT_TRUE(logged[0].persons.empty()) << "a citizen number is no person ID to index";
}

TEST_F(AccessLogTest, ATriedReadOfOneChildIsOnThatChildsLedgerAnsweredOrNot) {
    EXPECT_EQ(dispatch(routes_, get("/v1/profiles/P7", "village-key")).status, 400);
    EXPECT_EQ(dispatch(routes_, get("/v1/profiles/P7", "auditor-key", "audit")).status, 403);
    EXPECT_EQ(dispatch(routes_, get("/v1/profiles/P7", "village-key", "case_assessment")).status, 200);
    audit::ExchangeLogQuery who;
    who.person = "P7";
    const auto ledger = store_.searchExchangeLog(who);
    ASSERT_EQ(ledger.size(), 3u);
    EXPECT_EQ(detail(ledger[0])["status"].GetInt(), 400);
    EXPECT_EQ(detail(ledger[0])["disclosed"].GetInt(), 0);
    EXPECT_EQ(ledger[1].action, "auth.denied");
    EXPECT_EQ(detail(ledger[2])["disclosed"].GetInt(), 1);
}

TEST_F(AccessLogTest, ACaseReferenceThatIsNotPrintableTextIsRefused) {
    Request request = get("/v1/profiles", "village-key", "case_assessment");
    request.headers["x-case-reference"] = "a\nforged: line";
    EXPECT_EQ(dispatch(routes_, request).status, 400);
    request.headers["x-case-reference"] = std::string(65, 'x');
    EXPECT_EQ(dispatch(routes_, request).status, 400);
    request.headers["x-case-reference"] = std::string(64, 'x');
    EXPECT_EQ(dispatch(routes_, request).status, 200);
}

TEST_F(AccessLogTest, ARouteThatDisclosesNoPersonNeedsNoPurposeButIsLogged) {
    EXPECT_EQ(dispatch(routes_, get("/v1/stats", "village-key")).status, 200);
    const auto logged = entries("api.read");
    ASSERT_EQ(logged.size(), 1u);
    EXPECT_FALSE(detail(logged[0]).HasMember("purpose"));
}

TEST_F(AccessLogTest, FailedLoginsAndWrongRolesAreEntries) {
    EXPECT_EQ(dispatch(routes_, get("/v1/profiles", "", "case_assessment")).status, 401);
    EXPECT_EQ(dispatch(routes_, get("/v1/profiles", "guessed-key", "case_assessment")).status, 401);
    EXPECT_EQ(dispatch(routes_, get("/v1/profiles", "auditor-key", "case_assessment")).status, 403);

    const auto failures = entries("auth.failure");
    ASSERT_EQ(failures.size(), 2u);
    EXPECT_EQ(failures[0].actor, "address:10.1.2.3");
    EXPECT_STREQ(detail(failures[0])["failure"].GetString(), "no credentials");
    EXPECT_STREQ(detail(failures[1])["failure"].GetString(), "unknown API key");
    EXPECT_EQ(failures[1].detail_json.find("guessed-key"), std::string::npos) << "a key is never logged";
    const auto denied = entries("auth.denied");
    ASSERT_EQ(denied.size(), 1u);
    EXPECT_EQ(denied[0].actor, "api:auditor-1");
    EXPECT_EQ(detail(denied[0])["status"].GetInt(), 403);
}

TEST_F(AccessLogTest, BearerTokensAreCheckedAndAnExpiredOneIsRefused) {
    const Response valid = dispatch(routes_, get("/v1/profiles", token(600), "case_assessment"));
    EXPECT_EQ(valid.status, 200) << valid.body;
    const Response expired = dispatch(routes_, get("/v1/profiles", token(-600), "case_assessment"));
    EXPECT_EQ(expired.status, 401);
    EXPECT_NE(expired.body.find("expired"), std::string::npos) << expired.body;
    std::string forged = token(600);
    forged.back() = forged.back() == 'A' ? 'B' : 'A';
    EXPECT_EQ(dispatch(routes_, get("/v1/profiles", forged, "case_assessment")).status, 401);

    const auto reads = entries("api.read");
    ASSERT_EQ(reads.size(), 1u);
    EXPECT_EQ(reads[0].actor, "api:township-platform");
    EXPECT_STREQ(detail(reads[0])["auth"].GetString(), "jwt");
    const auto failures = entries("auth.failure");
    ASSERT_EQ(failures.size(), 2u);
    EXPECT_STREQ(detail(failures[0])["failure"].GetString(), "token expired");
    EXPECT_STREQ(detail(failures[1])["failure"].GetString(), "token bad signature");
}

TEST_F(AccessLogTest, AVerifiedClientCertificateIdentifiesItsRegisteredClientOnly) {
    Request request = get("/v1/stats", "");
    request.certificate_subject = "CN=school,O=Education";
    const Response school = dispatch(routes_, request);
    EXPECT_EQ(school.status, 200) << school.body;
    request.certificate_subject = "CN=school,O=Education,OU=x";
    EXPECT_EQ(dispatch(routes_, request).status, 401);
    request.certificate_subject = "CN=school\\,O=Education";
    EXPECT_EQ(dispatch(routes_, request).status, 401);
    EXPECT_EQ(entries("api.read")[0].actor, "api:school");
}

TEST_F(AccessLogTest, ARateLimitAnswers429WithRetryAfterPerClient) {
    security::RateLimiter limiter({1.0 / 60, 2});
    AccessControl access = routes_.accessControl();
    access.rate_limiter = &limiter;
    routes_.setAccessControl(access);
    EXPECT_EQ(dispatch(routes_, get("/v1/stats", "village-key")).status, 200);
    EXPECT_EQ(dispatch(routes_, get("/v1/stats", "village-key")).status, 200);
    const Response limited = dispatch(routes_, get("/v1/stats", "village-key"));
    EXPECT_EQ(limited.status, 429);
    ASSERT_EQ(limited.headers.size(), 1u);
    EXPECT_EQ(limited.headers[0].first, "Retry-After");
    EXPECT_GE(std::stoi(limited.headers[0].second), 1);
    EXPECT_EQ(dispatch(routes_, get("/v1/stats", "auditor-key")).status, 403) << "another client has its own bucket";

    // Failed logins count against the address, and stop being logged once it is limited.
    for (int i = 0; i < 5; ++i) {
        dispatch(routes_, get("/v1/stats", "guess-" + std::to_string(i)));
    }
    EXPECT_EQ(entries("auth.failure").size(), 2u);
}

TEST(AccessLogWriter, ConcurrentCallsShareTransactionsAndGetTheirOwnNumbers) {
    testing::FakeLogStore store;
    constexpr int kThreads = 8;
    constexpr int kEach = 50;
    std::vector<std::vector<std::int64_t>> seqs(kThreads);
    std::size_t transactions = 0;
    {
        AccessLog log(store);
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
            threads.emplace_back([&, t] {
                for (int i = 0; i < kEach; ++i) {
                    audit::ExchangeLogEntry entry;
                    entry.at = "2026-11-23T08:00:00.000Z";
                    entry.actor = "api:t" + std::to_string(t);
                    entry.action = "api.read";
                    entry.subject = std::to_string(i);
                    entry.detail_json = "{}";
                    seqs[t].push_back(log.record(entry));
                }
            });
        }
        for (auto& thread : threads) {
            thread.join();
        }
        transactions = log.transactions();
    }
    std::set<std::int64_t> all;
    for (int t = 0; t < kThreads; ++t) {
        for (int i = 0; i < kEach; ++i) {
            const auto entry = store.exchangeLogEntry(seqs[t][i]);
            ASSERT_TRUE(entry);
            EXPECT_EQ(entry->actor, "api:t" + std::to_string(t)) << "the seq returned is the caller's own entry";
            EXPECT_EQ(entry->subject, std::to_string(i));
            all.insert(seqs[t][i]);
        }
    }
    EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kEach));
    EXPECT_EQ(store.exchangeLogHead().seq, kThreads * kEach);
    EXPECT_LE(transactions, static_cast<std::size_t>(kThreads * kEach));
    EXPECT_GE(transactions, 1u);
}

}  // namespace
}  // namespace gateway::api
