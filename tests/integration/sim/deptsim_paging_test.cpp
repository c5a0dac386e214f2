#include "tests/integration/sim/deptsim_harness.h"

#include <Poco/Base64Encoder.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>

#include <algorithm>

namespace gateway::testing::sim {
namespace {

namespace fs = std::filesystem;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

std::set<std::string> asSet(const std::vector<std::string>& ids) {
    return {ids.begin(), ids.end()};
}

std::string basic(const std::string& user, const std::string& password) {
    std::ostringstream out;
    Poco::Base64Encoder encoder(out);
    encoder << user << ':' << password;
    encoder.close();
    return "Basic " + out.str();
}

TEST(DeptsimPagingTest, PolicePagingReturnsEveryRowOnceAndMatchesTheTruth) {
    DeptsimServer server;
    const PagedRun run = pagePolice(server, 37);
    EXPECT_EQ(static_cast<std::int64_t>(run.ids.size()), server.served("police_population"));
    EXPECT_EQ(asSet(run.ids).size(), run.ids.size()) << "a row came twice";
    EXPECT_EQ(asSet(run.ids), asSet(truthIds(readTruth(server.dir()), "police_population")));

    // Past the end: no rows, the same cursor back, nothing more.
    const auto end = server.police("?cursor=" + run.last_cursor).json();
    EXPECT_EQ(end["data"].Size(), 0u);
    EXPECT_EQ(std::string(end["next_cursor"].GetString()), run.last_cursor);
    EXPECT_FALSE(end["has_more"].GetBool());

    // Items carry the police field names, ordered by (updated_at, person_id).
    const auto page = server.police("?limit=1000").json();
    std::string previous;
    for (const auto& item : page["data"].GetArray()) {
        for (const char* field : {"person_id", "xm", "xb", "csrq", "gmsfhm", "mz", "hjdz_qhdm", "xzz_qhdm", "xzz", "hh",
                                  "fq", "mq", "updated_at"}) {
            EXPECT_TRUE(item.HasMember(field)) << field;
        }
        const std::string key = std::string(item["updated_at"].GetString()) + item["person_id"].GetString();
        EXPECT_LT(previous, key);
        previous = key;
    }

    // updated_since keeps only rows updated at or after it.
    const auto since = server.police("?limit=1000&updated_since=2026-01-01T00:00:00Z").json();
    for (const auto& item : since["data"].GetArray()) {
        EXPECT_GE(std::string(item["updated_at"].GetString()), "2026-01-01T00:00:00Z");
    }
    EXPECT_LT(since["data"].Size(), page["data"].Size());

    for (const char* bad : {"?limit=0", "?limit=1001", "?limit=x", "?cursor=nonsense", "?updated_since=yesterday"}) {
        const auto reply = server.police(bad);
        EXPECT_EQ(reply.status, 400) << bad;
        EXPECT_TRUE(reply.json().HasMember("error")) << bad;
    }
}

TEST(DeptsimPagingTest, CivilPagingBehindOAuthReturnsEveryCaseOnce) {
    DeptsimServer server;
    const std::string token = server.token();
    const PagedRun run = pageCivil(server, token, 13);
    EXPECT_EQ(static_cast<std::int64_t>(run.ids.size()), server.served("civil_rescue"));
    EXPECT_EQ(asSet(run.ids).size(), run.ids.size());
    EXPECT_EQ(asSet(run.ids), asSet(truthIds(readTruth(server.dir()), "civil_rescue")));
    EXPECT_GT(run.pages, 1);

    // HTTP Basic works as well as form fields.
    const auto basic_reply =
        server.post("/oauth/token", "grant_type=client_credentials",
                    {{"Authorization", basic(server.info("civil_client_id"), server.info("civil_client_secret"))}});
    ASSERT_EQ(basic_reply.status, 200) << basic_reply.body;
    const auto grant = basic_reply.json();
    EXPECT_EQ(std::string(grant["token_type"].GetString()), "Bearer");
    EXPECT_EQ(grant["expires_in"].GetInt(), 600);
    const auto record =
        server.civil("?page_size=1", grant["access_token"].GetString()).json()["records"][0].GetObject();
    for (const char* field : {"case_id", "child", "region_code", "case_type", "category", "assistance", "guardian",
                              "placement", "opened", "closed", "modified"}) {
        EXPECT_TRUE(record.HasMember(field)) << field;
    }
}

TEST(DeptsimPagingTest, CredentialsAreEnforced) {
    DeptsimServer server;
    const auto no_key = server.get("/police/v1/persons");
    EXPECT_EQ(no_key.status, 401);
    EXPECT_EQ(no_key.body, "{\"error\":\"invalid api key\"}");
    EXPECT_EQ(server.get("/police/v1/persons", {{"X-API-Key", "wrong"}}).status, 401);

    const auto no_token = server.get("/civil/v1/cases");
    EXPECT_EQ(no_token.status, 401);
    EXPECT_EQ(no_token.body, "{\"error\":\"invalid_token\"}");
    EXPECT_EQ(server.civil("", "made-up").status, 401);

    const auto wrong_secret =
        server.post("/oauth/token", "grant_type=client_credentials&client_id=gateway&client_secret=guess");
    EXPECT_EQ(wrong_secret.status, 401);
    EXPECT_EQ(wrong_secret.body, "{\"error\":\"invalid_client\"}");
    EXPECT_EQ(server
                  .post("/oauth/token", "grant_type=password&client_id=" + server.info("civil_client_id") +
                                            "&client_secret=" + server.info("civil_client_secret"))
                  .status,
              400);
    EXPECT_EQ(server.get("/nowhere").status, 404);
    EXPECT_EQ(server.post("/police/v1/persons").status, 405);
}

TEST(DeptsimPagingTest, TokensExpireAfterTheConfiguredNumberOfRequests) {
    DeptsimServer server;
    ASSERT_EQ(server.setFaults("token_expiry=2").status, 200);
    const std::string token = server.token();
    EXPECT_EQ(server.civil("?page_size=5", token).status, 200);
    EXPECT_EQ(server.civil("?page_size=5", token).status, 200);
    const auto expired = server.civil("?page_size=5", token);
    EXPECT_EQ(expired.status, 401);
    EXPECT_EQ(expired.body, "{\"error\":\"invalid_token\"}");
    EXPECT_EQ(server.civil("?page_size=5", server.token()).status, 200);
}

TEST(DeptsimPagingTest, ResumingFromCursorsAfterAChangeYieldsExactlyTheChangedRows) {
    DeptsimServer server({}, 300);
    const std::string token = server.token();
    const PagedRun police = pagePolice(server, 100);
    const PagedRun civil = pageCivil(server, token, 100);
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session school(Poco::Data::Session("SQLite", server.info("school_db")));
    Poco::Int64 watermark = 0;
    school << "SELECT MAX(updated_seq) FROM student_register", into(watermark), now;
    const auto drops_before = dropFiles(server.info("health_drop"));

    const auto reply = server.post("/control/change?fraction=0.2");
    ASSERT_EQ(reply.status, 200) << reply.body;
    const auto change = reply.json();
    EXPECT_EQ(change["change"].GetInt(), 1);

    const auto police_changed = changedIds(server.dir(), 1, "police_population");
    ASSERT_FALSE(police_changed.empty());
    EXPECT_EQ(asSet(pagePolice(server, 7, police.last_cursor).ids), asSet(police_changed));
    const auto civil_changed = changedIds(server.dir(), 1, "civil_rescue");
    EXPECT_EQ(asSet(pageCivil(server, token, 7, civil.last_cursor).ids), asSet(civil_changed));

    std::vector<Poco::Int64> school_ids;
    school << "SELECT id FROM student_register WHERE updated_seq > ? ORDER BY updated_seq", use(watermark),
        into(school_ids), now;
    std::set<std::string> school_changed;
    for (const auto id : school_ids) {
        school_changed.insert(std::to_string(id));
    }
    EXPECT_EQ(school_changed, asSet(changedIds(server.dir(), 1, "school_register")));
    EXPECT_EQ(change["school_seq_after"].GetInt64(), watermark);

    const auto drops_after = dropFiles(server.info("health_drop"));
    ASSERT_EQ(drops_after.size(), drops_before.size() + 1);
    const std::string drop = change["drop"].GetString();
    EXPECT_EQ(drops_after.back(), drop) << "the new drop sorts last";
    const auto records = parseCsv(*decodeDrop(readFile(server.info("health_drop") + "/" + drop)));
    std::set<std::string> certs;
    for (std::size_t i = 1; i < records.size(); ++i) {
        certs.insert(records[i][0]);
    }
    EXPECT_EQ(certs, asSet(changedIds(server.dir(), 1, "health_births")));

    // The same source rows, the same truth: a change rewrites rows, it does not add any.
    EXPECT_EQ(readTruth(server.dir()).size(),
              static_cast<std::size_t>(server.served("police_population") + server.served("school_register") +
                                       server.served("health_births") + server.served("civil_rescue")));

    // The CLI goes through the running server.
    const auto cli = runDeptsim({"change", "--dir", server.dir(), "--fraction", "0.1"});
    ASSERT_EQ(cli.exit_code, 0) << cli.err;
    EXPECT_EQ(parseJson(cli.out)["change"].GetInt(), 2);
    EXPECT_EQ(asSet(pagePolice(server, 50, police.last_cursor).ids), [&] {
        auto both = asSet(police_changed);
        for (const auto& id : changedIds(server.dir(), 2, "police_population")) {
            both.insert(id);
        }
        return both;
    }());
}

TEST(DeptsimPagingTest, ACursorStaysValidAcrossARestart) {
    TempDir dir;
    const std::string city = dir.file("city");
    std::vector<std::string> seen;
    std::string cursor;
    {
        DeptsimServer server({}, 200, 11, city);
        const auto page = server.police("?limit=50").json();
        for (const auto& item : page["data"].GetArray()) {
            seen.emplace_back(item["person_id"].GetString());
        }
        cursor = page["next_cursor"].GetString();
        EXPECT_EQ(server.stop(), 0);
    }
    DeptsimServer again({}, 200, 11, city);
    const PagedRun rest = pagePolice(again, 50, cursor);
    seen.insert(seen.end(), rest.ids.begin(), rest.ids.end());
    EXPECT_EQ(asSet(seen).size(), seen.size());
    EXPECT_EQ(static_cast<std::int64_t>(seen.size()), again.served("police_population"));
}

}  // namespace
}  // namespace gateway::testing::sim
