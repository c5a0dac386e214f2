// Linkage end to end: the simulator's 20,000-child city synced by the real gateway into SQLite, linked by
// `gateway link`, and the persons checked against the simulator's ground truth; then re-runs, an incremental run
// after a change, and review decisions through the CLI and the HTTP API.

#include "gateway/linkage/linker.h"
#include "gateway/model/citizen_id.h"
#include "gateway/store/store.h"

#include "tests/integration/sim/deptsim_harness.h"
#include "tests/integration/sim/gateway_setup.h"
#include "tests/support/process.h"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <regex>
#include <set>

namespace gateway::testing {
namespace {

using RecordKey = std::pair<std::string, std::string>;
using Assignment = std::map<RecordKey, std::string>;

Assignment assignments(store::Store& store) {
    Assignment result;
    for (const linkage::PersonLink& link : store.personLinks()) {
        result[{link.source, link.source_id}] = link.person_id;
    }
    return result;
}

/// Pairwise scores of `person` (per staged record) against the simulator's truth.
linkage::PairwiseScore score(const Assignment& person, const std::map<RecordKey, std::string>& truth) {
    std::vector<std::string> predicted;
    std::vector<std::string> entity;
    for (const auto& [key, id] : person) {
        predicted.push_back(id);
        const auto it = truth.find(key);
        entity.push_back(it == truth.end() ? "" : it->second);
    }
    return linkage::pairwiseScore(predicted, entity);
}

/// The baseline a plain exchange layer gets: records with the same valid citizen ID (or G+ID student number) are
/// one child, every other record is alone.
Assignment idOnlyBaseline(store::Store& store) {
    Assignment result;
    store.forEachStagedRecord(0, [&](const intake::StagedRecord& record) {
        rapidjson::Document json;
        json.Parse(record.record_json.c_str());
        std::string id = json.HasMember("id_number") ? json["id_number"].GetString() : "";
        if (id.empty() && json.HasMember("identifiers") && json["identifiers"].HasMember("student_no")) {
            const std::string number = json["identifiers"]["student_no"].GetString();
            id = number.starts_with("G") ? number.substr(1) : "";
        }
        const auto parsed = model::parseCitizenId(id);
        result[{record.source, record.source_id}] =
            parsed ? "ID" + parsed->value() : "R" + record.source + "/" + record.source_id;
    });
    return result;
}

/// Persons as sets of records.
std::map<std::string, std::set<RecordKey>> persons(const Assignment& assignment) {
    std::map<std::string, std::set<RecordKey>> result;
    for (const auto& [key, id] : assignment) {
        result[id].insert(key);
    }
    return result;
}

std::string printScore(const char* label, const linkage::PairwiseScore& s) {
    char line[200];
    std::snprintf(line, sizeof line, "%-24s precision=%.4f recall=%.4f f1=%.4f (true pairs %llu, predicted %llu)",
                  label, s.precision(), s.recall(), s.f1(), static_cast<unsigned long long>(s.true_pairs),
                  static_cast<unsigned long long>(s.predicted_pairs));
    return line;
}

class CityLinkTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        sim_ = std::make_unique<sim::DeptsimServer>(std::vector<std::string>{}, 20000, 7);
        gateway_ = std::make_unique<GatewaySetup>(*sim_);
        const auto synced = gateway_->sync();
        ASSERT_EQ(synced.exit_code, 0) << synced.err;
        const auto linked = gateway_->run({"link", "--full"});
        ASSERT_EQ(linked.exit_code, 0) << linked.err;
        std::printf("%s", linked.out.c_str());
    }
    static void TearDownTestSuite() {
        gateway_.reset();
        sim_.reset();
    }

    static std::unique_ptr<sim::DeptsimServer> sim_;
    static std::unique_ptr<GatewaySetup> gateway_;
};

std::unique_ptr<sim::DeptsimServer> CityLinkTest::sim_;
std::unique_ptr<GatewaySetup> CityLinkTest::gateway_;

TEST_F(CityLinkTest, PersonsMatchTheTruthFarBetterThanIdNumbersAlone) {
    auto store = gateway_->openStore();
    const auto truth = sim::readTruth(sim_->dir());
    const Assignment linked = assignments(*store);
    ASSERT_EQ(static_cast<std::int64_t>(linked.size()), [&] {
        std::int64_t staged = 0;
        for (const auto& source : kSources) {
            staged += store->countSourceRecords(source);
        }
        return staged;
    }()) << "every staged record belongs to a person";

    const auto ours = score(linked, truth);
    const auto baseline = score(idOnlyBaseline(*store), truth);
    std::printf("%s\n%s\n", printScore("gateway link:", ours).c_str(),
                printScore("ID-only baseline:", baseline).c_str());
    EXPECT_EQ(ours.records_without_truth, 0u);
    EXPECT_GE(ours.f1(), 0.98);
    EXPECT_GE(ours.precision(), 0.98);
    EXPECT_GT(ours.recall(), baseline.recall());
}

TEST_F(CityLinkTest, PersonIdsSurviveAFullRerunAndAnIncrementalRunAfterAChange) {
    auto store = gateway_->openStore();
    const Assignment before = assignments(*store);

    const auto again = gateway_->run({"link", "--full"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(assignments(*store), before) << "a second full run over the same records changed a person ID";

    const auto nothing = gateway_->run({"link"});
    ASSERT_EQ(nothing.exit_code, 0) << nothing.err;
    EXPECT_NE(nothing.out.find("0 linked"), std::string::npos) << nothing.out;

    ASSERT_EQ(sim_->post("/control/change?fraction=0.05&seed=3").status, 200);
    const auto synced = gateway_->sync();
    ASSERT_EQ(synced.exit_code, 0) << synced.err;
    const auto incremental = gateway_->run({"link"});
    ASSERT_EQ(incremental.exit_code, 0) << incremental.err;
    EXPECT_NE(incremental.out.find("incremental link"), std::string::npos) << incremental.out;
    std::printf("%s", incremental.out.c_str());

    const Assignment after = assignments(*store);
    // A person whose records are still exactly one person keeps its ID.
    const auto after_persons = persons(after);
    std::size_t unchanged = 0;
    std::size_t kept = 0;
    for (const auto& [id, records] : persons(before)) {
        const std::string now = after.at(*records.begin());
        if (after_persons.at(now) == records) {
            ++unchanged;
            kept += now == id ? 1 : 0;
            EXPECT_EQ(now, id) << "an unchanged cluster got a new ID";
        }
    }
    EXPECT_GT(unchanged, persons(before).size() * 9 / 10);
    EXPECT_EQ(kept, unchanged);
    const auto truth = sim::readTruth(sim_->dir());
    const auto quality = score(after, truth);
    std::printf("%s\n", printScore("after incremental run:", quality).c_str());
    EXPECT_GE(quality.f1(), 0.98);
}

TEST_F(CityLinkTest, ReviewDecisionsApplyAtOnceAndNoLaterRunUndoesThem) {
    auto store = gateway_->openStore();
    const auto open = store->reviewQueue("open", 0, 1000);
    ASSERT_GE(open.size(), 2u) << "the city should leave some pairs to a reviewer";

    // Link one pair on the command line.
    const linkage::ReviewItem first = open[0];
    const auto linked = gateway_->run(
        {"review", "decide", first.pair_id, "--decision", "link", "--reviewer", "王科长", "--comment", "同一儿童"});
    ASSERT_EQ(linked.exit_code, 0) << linked.err;
    EXPECT_EQ(store->personOf(first.left_source, first.left_id), store->personOf(first.right_source, first.right_id));

    // Refuse another over HTTP, after showing its explanation.
    const linkage::ReviewItem second = open[1];
    GatewayProcess server({"serve", "--config", gateway_->config(), "--set", "server.port=0", "--set",
                           "linkage.schedule_seconds=0", "--set", "sources.schedule=off"});
    const std::string banner = server.readLine();
    std::smatch match;
    ASSERT_TRUE(std::regex_search(banner, match, std::regex("listening on (http://127\\.0\\.0\\.1:\\d+)"))) << banner;
    const std::string url = match[1];

    const std::map<std::string, std::string> kPurpose{{"X-Purpose", "case_assessment"}};
    const auto queue = sim::httpRequest(url, "GET", "/v1/review?limit=1", kPurpose);
    ASSERT_EQ(queue.status, 200) << queue.body;
    const auto page = queue.json();
    ASSERT_EQ(page["items"].Size(), 1u);
    EXPECT_TRUE(page["next_cursor"].IsString());
    const auto shown = sim::httpRequest(url, "GET", "/v1/review/" + second.pair_id, kPurpose);
    ASSERT_EQ(shown.status, 200) << shown.body;
    EXPECT_TRUE(shown.json()["explanation"]["comparisons"].IsArray());
    const std::string left = second.left_source + "/" + second.left_id;
    const std::string right = second.right_source + "/" + second.right_id;
    const auto explained = sim::httpRequest(url, "GET", "/v1/links/explain?left=" + left + "&right=" + right, kPurpose);
    ASSERT_EQ(explained.status, 200) << explained.body;
    EXPECT_EQ(std::string(explained.json()["left"].GetString()), left);

    const auto bad = sim::httpRequest(url, "POST", "/v1/review/" + second.pair_id,
                                      {{"Content-Type", "application/json"}, {"X-Purpose", "case_assessment"}},
                                      R"({"decision":"maybe","reviewer":"x"})");
    EXPECT_EQ(bad.status, 400) << bad.body;
    const auto unknown = sim::httpRequest(url, "POST", "/v1/review/0000000000000000",
                                          {{"Content-Type", "application/json"}, {"X-Purpose", "case_assessment"}},
                                          R"({"decision":"link","reviewer":"x"})");
    EXPECT_EQ(unknown.status, 404) << unknown.body;
    const auto refused = sim::httpRequest(url, "POST", "/v1/review/" + second.pair_id,
                                          {{"Content-Type", "application/json"}, {"X-Purpose", "case_assessment"}},
                                          R"({"decision":"no_link","reviewer":"李审核","comment":"不同儿童"})");
    ASSERT_EQ(refused.status, 200) << refused.body;
    EXPECT_EQ(std::string(refused.json()["status"].GetString()), "decided");
    EXPECT_EQ(server.terminate(), 0);
    EXPECT_NE(store->personOf(second.left_source, second.left_id),
              store->personOf(second.right_source, second.right_id));

    // A full re-link obeys both decisions.
    const auto relinked = gateway_->run({"link", "--full"});
    ASSERT_EQ(relinked.exit_code, 0) << relinked.err;
    EXPECT_EQ(store->personOf(first.left_source, first.left_id), store->personOf(first.right_source, first.right_id));
    EXPECT_NE(store->personOf(second.left_source, second.left_id),
              store->personOf(second.right_source, second.right_id));
    EXPECT_EQ(store->reviewItem(first.pair_id)->status, "decided");

    // Both decisions are in the exchange log.
    std::size_t decisions = 0;
    for (const auto& entry : store->exchangeLog(0, 100000)) {
        decisions += entry.action == "review.decision" ? 1 : 0;
    }
    EXPECT_EQ(decisions, 2u);
}

}  // namespace
}  // namespace gateway::testing
