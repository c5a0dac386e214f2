// The reconciliation routes through the router, on a real SQLite store: every level sees the runs with the findings
// of its own scope only, a township counts its villages and the city its townships, a village reads its own
// children's findings and nobody else's, a statistics-only client reads counts but no child, and the CSV a clerk opens
// carries a byte-order mark, the child's name and nothing a spreadsheet would run.

#include "gateway/api/reconcile_routes.h"

#include "gateway/api/api_server.h"
#include "gateway/common/hash.h"
#include "gateway/store/store.h"
#include "tests/support/fake_profile_store.h"
#include "tests/support/manual_clock.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <tuple>

namespace gateway::api {
namespace {

constexpr const char* kVillageA = "320411101201";
constexpr const char* kVillageB = "320411101202";
constexpr const char* kOtherTownship = "320411102001";

security::ClientRegistry clients() {
    std::string json = R"({"clients": [)";
    for (const auto& [id, roles, scope, view] :
         std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
             {"village-a", "app", kVillageA, "village"},
             {"township", "app", "320411101", "township"},
             {"city", "app", "", "city"},
             {"counter", "app", "320411", "statistics"},
             {"operator", "operator", "", ""}}) {
        json += (json.ends_with("[") ? "" : ",") + std::string(R"({"id":")") + id + R"(","roles":[")" + roles +
                R"("],"scope":")" + scope + R"(",)" + (view.empty() ? "" : R"("view":")" + view + R"(",)") +
                R"("api_key_sha256":")" + sha256Hex(id + "-key") + R"("})";
    }
    return security::ClientRegistry::parse(json + "]}", "clients.json");
}

reconcile::Finding childFinding(const std::string& kind, const std::string& person, const std::string& division) {
    reconcile::Finding finding;
    finding.kind = kind;
    finding.person_id = person;
    finding.division = division;
    finding.detail_json = R"({"rule":")" + kind +
                          R"(","departments":["police_population","school_register"],"reasons":["/age = 9"],)"
                          R"("records":["police_population/P-)" +
                          person + R"("]})";
    return finding;
}

class ReconcileRoutesTest : public ::testing::Test {
protected:
    void SetUp() override {
        store::StoreSettings settings;
        settings.sqlite_path = dir_.file("gateway.db");
        store_ = store::openStore(settings);
        store_->migrate();
        reconcile::ReconcileRun run;
        run.node = "node-a:1";
        run.trigger = "cli";
        run.started_at = "2026-11-01T02:00:00.000Z";
        run.status = "running";
        run.as_of = "2026-11-01";
        older_ = store_->startReconcileRun(run);
        run.status = "succeeded";
        run.id = older_;
        run.finished_at = "2026-11-01T02:01:00.000Z";
        store_->finishReconcileRun(run);
        run.started_at = "2026-11-02T02:00:00.000Z";
        run.status = "running";
        run.id = 0;
        run_ = store_->startReconcileRun(run);
        reconcile::Finding record;
        record.kind = "deleted_at_source";
        record.source = "school_register";
        record.source_id = "S9";
        record.detail_json = R"({"gateway_hash":"ab"})";
        store_->addFindings(run_, {childFinding("school_age_not_enrolled", "a1", kVillageA),
                                   childFinding("school_age_not_enrolled", "a2", kVillageA),
                                   childFinding("newborn_unregistered", "b1", kVillageB),
                                   childFinding("school_age_not_enrolled", "c1", kOtherTownship), record});
        profile::ProfileVersion a1;
        a1.person_id = "a1";
        a1.name = "=HYPERLINK(\"http://x\")";
        a1.birth_date = "2016-03-05";
        a1.residence_division = kVillageA;
        a1.profile_json = "{}";
        a1.content_hash = sha256Hex(a1.profile_json);
        a1.built_at = "2026-11-01T08:00:00.000Z";
        profiles_.add(a1);
        router_.setClients(&directory_);
        addReconcileRoutes(router_, *store_, profiles_, views_, divisions_, rules_, clock_);
    }

    Response get(const std::string& client, const std::string& path,
                 std::multimap<std::string, std::string> query = {}) {
        Request request;
        request.method = "GET";
        request.path = path;
        request.query = std::move(query);
        request.headers["authorization"] = "Bearer " + client + "-key";
        return dispatch(router_, request);
    }

    static rapidjson::Document json(const Response& response) {
        rapidjson::Document document;
        document.Parse(response.body.c_str());
        return document;
    }

    std::vector<std::string> personsOf(const std::string& client, std::multimap<std::string, std::string> query = {}) {
        const Response response = get(client, "/v1/reconciliations/" + std::to_string(run_) + "/findings", query);
        EXPECT_EQ(response.status, 200) << response.body;
        std::vector<std::string> persons;
        const auto body = json(response);
        for (const auto& item : body["findings"].GetArray()) {
            persons.emplace_back(item["person_id"].GetString());
        }
        return persons;
    }

    testing::TempDir dir_;
    std::unique_ptr<store::Store> store_;
    testing::FakeProfileStore profiles_;
    profile::ProfileViews views_ = profile::ProfileViews::builtin();
    model::DivisionDirectory divisions_ = model::DivisionDirectory::loadBuiltin();
    reconcile::GapRules rules_ = reconcile::GapRules::builtin();
    security::ClientDirectory directory_{clients()};
    testing::ManualClock clock_;
    Router router_;
    std::int64_t older_ = 0;
    std::int64_t run_ = 0;
};

TEST_F(ReconcileRoutesTest, EveryLevelSeesTheRunsWithTheFindingsOfItsScope) {
    const Response village = get("village-a", "/v1/reconciliations");
    ASSERT_EQ(village.status, 200) << village.body;
    auto body = json(village);
    ASSERT_EQ(body["runs"].Size(), 2u);
    EXPECT_EQ(body["runs"][0]["id"].GetInt64(), run_) << "newest first";
    EXPECT_EQ(body["runs"][0]["findings"]["school_age_not_enrolled"].GetInt64(), 2);
    EXPECT_FALSE(body["runs"][0]["findings"].HasMember("newborn_unregistered")) << "village B's";
    EXPECT_EQ(body["runs"][1]["findings"].MemberCount(), 0u);

    body = json(get("city", "/v1/reconciliations"));
    EXPECT_EQ(body["runs"][0]["findings"]["school_age_not_enrolled"].GetInt64(), 3);
    EXPECT_EQ(body["runs"][0]["findings"]["deleted_at_source"].GetInt64(), 1) << "the whole city sees unlinked records";

    body = json(get("city", "/v1/reconciliations", {{"limit", "1"}}));
    ASSERT_EQ(body["runs"].Size(), 1u);
    ASSERT_TRUE(body["next_cursor"].IsInt64());
    body = json(get("city", "/v1/reconciliations", {{"cursor", std::to_string(body["next_cursor"].GetInt64())}}));
    ASSERT_EQ(body["runs"].Size(), 1u);
    EXPECT_EQ(body["runs"][0]["id"].GetInt64(), older_);

    EXPECT_EQ(get("village-a", "/v1/reconciliations", {{"division", "320411101"}}).status, 403);
    EXPECT_EQ(get("operator", "/v1/reconciliations").status, 200) << "counts are for operators too";
}

TEST_F(ReconcileRoutesTest, ARunIsCountedPerVillageForATownshipAndPerTownshipForTheCity) {
    const std::string path = "/v1/reconciliations/" + std::to_string(run_);
    auto body = json(get("township", path));
    EXPECT_STREQ(body["division"].GetString(), "320411101");
    const auto township = model::DivisionCode::parse("320411101000");
    ASSERT_TRUE(township);
    const std::string name = divisions_.name(*township.code).value_or("");
    EXPECT_FALSE(name.empty());
    EXPECT_EQ(body["division_name"].GetString(), name);
    ASSERT_EQ(body["parts"].Size(), 2u);
    EXPECT_STREQ(body["parts"][0]["division"].GetString(), kVillageA);
    EXPECT_EQ(body["parts"][0]["findings"]["school_age_not_enrolled"].GetInt64(), 2);
    EXPECT_STREQ(body["parts"][1]["division"].GetString(), kVillageB);
    EXPECT_TRUE(body["kinds"].HasMember("identity_contradiction"));
    EXPECT_TRUE(body["summary"].IsObject());

    body = json(get("city", path, {{"division", "320411"}}));
    ASSERT_EQ(body["parts"].Size(), 2u);
    EXPECT_STREQ(body["parts"][0]["division"].GetString(), "320411101");
    EXPECT_EQ(body["parts"][0]["findings"]["school_age_not_enrolled"].GetInt64(), 2);
    EXPECT_EQ(body["parts"][0]["findings"]["newborn_unregistered"].GetInt64(), 1);
    EXPECT_STREQ(body["parts"][1]["division"].GetString(), "320411102");

    for (const std::string bad : {"999", "abc", "", "99999999999999999999"}) {
        EXPECT_EQ(get("city", "/v1/reconciliations/" + bad).status, 404) << bad;
    }
}

TEST_F(ReconcileRoutesTest, AVillageReadsItsOwnChildrensFindingsAndAStatisticsClientNone) {
    EXPECT_EQ(personsOf("village-a"), (std::vector<std::string>{"a1", "a2"}));
    EXPECT_EQ(personsOf("township"), (std::vector<std::string>{"a1", "a2", "b1"}));
    EXPECT_EQ(personsOf("township", {{"kind", "newborn_unregistered"}}), (std::vector<std::string>{"b1"}));
    EXPECT_EQ(personsOf("city").size(), 5u);
    EXPECT_EQ(personsOf("city", {{"limit", "2"}}).size(), 2u);

    const std::string path = "/v1/reconciliations/" + std::to_string(run_) + "/findings";
    const Response response = get("village-a", path);
    EXPECT_EQ(response.persons, (std::vector<std::string>{"a1", "a2"})) << "each child read is logged";
    EXPECT_EQ(get("village-a", path, {{"division", kVillageB}}).status, 403);
    EXPECT_EQ(get("village-a", path, {{"kind", "no_such_kind"}}).status, 400);
    EXPECT_EQ(get("counter", path).status, 403) << "a statistics view reads no child";
    EXPECT_EQ(get("operator", path).status, 403);
    EXPECT_EQ(get("counter", "/v1/reconciliations/" + std::to_string(run_)).status, 200);
}

TEST_F(ReconcileRoutesTest, TheCsvOfOneKindOpensInASpreadsheetInChineseAndRunsNothing) {
    const std::string path = "/v1/reconciliations/" + std::to_string(run_) + "/findings.csv";
    const Response response = get("village-a", path, {{"kind", "school_age_not_enrolled"}});
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(response.content_type, "text/csv; charset=utf-8");
    EXPECT_EQ(response.body.substr(0, 3), "\xEF\xBB\xBF");
    std::vector<std::string> lines;
    for (std::size_t at = 3; at < response.body.size();) {
        const std::size_t end = response.body.find("\r\n", at);
        ASSERT_NE(end, std::string::npos);
        lines.push_back(response.body.substr(at, end - at));
        at = end + 2;
    }
    ASSERT_EQ(lines.size(), 3u) << response.body;
    EXPECT_TRUE(lines[0].starts_with("编号,发现类型,儿童编号,姓名")) << lines[0];
    EXPECT_NE(lines[1].find(",a1,\"'=HYPERLINK(\"\"http://x\"\")\",2016-03-05,320411101000,"), std::string::npos)
        << lines[1];
    EXPECT_NE(lines[1].find("police_population、school_register"), std::string::npos) << lines[1];
    EXPECT_NE(lines[2].find(",a2,,,"), std::string::npos) << "no profile: no name" << lines[2];
    EXPECT_EQ(response.persons, (std::vector<std::string>{"a1", "a2"}));
    EXPECT_EQ(get("village-a", path).status, 400) << "one list per kind";
    EXPECT_EQ(get("counter", path, {{"kind", "school_age_not_enrolled"}}).status, 403);
}

TEST_F(ReconcileRoutesTest, TheReportOfARunIsOnePageOfTheCallersScopeWithItsTrend) {
    const std::string path = "/v1/reconciliations/" + std::to_string(run_) + "/report.html";
    const Response township = get("township", path);
    ASSERT_EQ(township.status, 200) << township.body;
    EXPECT_EQ(township.content_type, "text/html; charset=utf-8");
    EXPECT_NE(township.body.find("<svg"), std::string::npos);
    EXPECT_NE(township.body.find(kVillageA), std::string::npos);
    EXPECT_EQ(township.body.find(kOtherTownship), std::string::npos) << "another township's village";
    EXPECT_NE(township.body.find("2026-11-01"), std::string::npos);
    EXPECT_EQ(township.body.find("http://"), std::string::npos);
    EXPECT_TRUE(township.persons.empty()) << "counts name no child";
    EXPECT_EQ(get("counter", path).status, 200);
    EXPECT_EQ(get("village-a", path, {{"division", "320411"}}).status, 403);
    EXPECT_EQ(get("city", "/v1/reconciliations/999/report.html").status, 404);
}

}  // namespace
}  // namespace gateway::api
