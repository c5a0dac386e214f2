// Profiles end to end: the simulator's city synced, linked and built into profiles by the real gateway, and every
// child's classifications compared with the categories the simulator knows from the true facts.

#include "tests/integration/sim/deptsim_harness.h"
#include "tests/integration/sim/gateway_setup.h"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>

namespace gateway::testing {
namespace {

const std::vector<std::string> kCategories = {"left_behind", "orphan",     "de_facto_unsupported",
                                              "poverty",     "disability", "serious_illness"};

/// entity_id → categories, from the last line of each entity in children.jsonl.
std::map<std::string, std::set<std::string>> trueCategories(const std::string& dir) {
    std::map<std::string, std::set<std::string>> result;
    std::ifstream in(dir + "/truth/children.jsonl");
    std::string line;
    while (std::getline(in, line)) {
        rapidjson::Document child;
        child.Parse(line.c_str());
        std::set<std::string> categories;
        for (const auto& category : child["categories"].GetArray()) {
            categories.insert(category.GetString());
        }
        result[child["entity_id"].GetString()] = categories;
    }
    return result;
}

struct Confusion {
    std::int64_t true_positive = 0;
    std::int64_t false_positive = 0;
    std::int64_t false_negative = 0;
    std::int64_t true_negative = 0;
};

class CityProfileTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        sim_ = std::make_unique<sim::DeptsimServer>(std::vector<std::string>{}, 20000, 7);
        gateway_ = std::make_unique<GatewaySetup>(*sim_);
        ASSERT_EQ(gateway_->sync().exit_code, 0);
        const auto linked = gateway_->run({"link", "--full"});
        ASSERT_EQ(linked.exit_code, 0) << linked.err;
    }
    static void TearDownTestSuite() {
        gateway_.reset();
        sim_.reset();
    }

    static std::unique_ptr<sim::DeptsimServer> sim_;
    static std::unique_ptr<GatewaySetup> gateway_;
};

std::unique_ptr<sim::DeptsimServer> CityProfileTest::sim_;
std::unique_ptr<GatewaySetup> CityProfileTest::gateway_;

TEST_F(CityProfileTest, ClassificationsMatchTheCategoriesOfTheTrueFacts) {
    // The simulator's facts hold on its as-of date; ages are taken on the same day.
    const auto built = gateway_->run({"profiles", "rebuild", "--set", "profile.as_of=2026-11-01"});
    ASSERT_EQ(built.exit_code, 0) << built.err;
    std::printf("%s", built.out.c_str());

    auto store = gateway_->openStore();
    const auto truth_records = sim::readTruth(sim_->dir());
    const auto truth = trueCategories(sim_->dir());
    std::map<std::string, Confusion> confusion;
    std::size_t profiles = 0;
    std::size_t exact = 0;
    std::set<std::string> seen_entities;
    store->forEachPerson([&](const std::string& person_id, const std::vector<store::StagedRecord>& records) {
        // The entity most of the person's records belong to.
        std::map<std::string, int> votes;
        for (const auto& record : records) {
            const auto it = truth_records.find({record.source, record.source_id});
            if (it != truth_records.end()) {
                ++votes[it->second];
            }
        }
        if (votes.empty()) {
            return;
        }
        const std::string entity =
            std::max_element(votes.begin(), votes.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
        if (!seen_entities.insert(entity).second || !truth.contains(entity)) {
            return;  // a child split over two persons is scored once
        }
        const auto profile = store->profile(person_id);
        ASSERT_TRUE(profile.has_value()) << person_id;
        ++profiles;
        const std::set<std::string> predicted(profile->classifications.begin(), profile->classifications.end());
        const std::set<std::string>& expected = truth.at(entity);
        bool all_right = true;
        for (const std::string& category : kCategories) {
            const bool p = predicted.contains(category);
            const bool t = expected.contains(category);
            Confusion& c = confusion[category];
            (p && t ? c.true_positive : p ? c.false_positive : t ? c.false_negative : c.true_negative) += 1;
            all_right = all_right && p == t;
        }
        exact += all_right ? 1 : 0;
    });
    std::printf("%-22s %6s %6s %6s %7s %9s %7s\n", "category", "TP", "FP", "FN", "TN", "precision", "recall");
    for (const std::string& category : kCategories) {
        const Confusion& c = confusion[category];
        const double precision = c.true_positive + c.false_positive == 0
                                     ? 1
                                     : double(c.true_positive) / (c.true_positive + c.false_positive);
        const double recall = c.true_positive + c.false_negative == 0
                                  ? 1
                                  : double(c.true_positive) / (c.true_positive + c.false_negative);
        std::printf("%-22s %6lld %6lld %6lld %7lld %9.4f %7.4f\n", category.c_str(),
                    static_cast<long long>(c.true_positive), static_cast<long long>(c.false_positive),
                    static_cast<long long>(c.false_negative), static_cast<long long>(c.true_negative), precision,
                    recall);
    }
    std::printf("children whose every category matches: %zu of %zu\n", exact, profiles);
    EXPECT_GT(profiles, 19000u);
    for (const std::string& category : kCategories) {
        EXPECT_GT(confusion[category].true_positive, 0) << category << " never found";
    }
    // Sources lag behind changes in a parent's status (the simulator's "late" rate is 30 %), so a profile can only
    // be as right as its sources; all but a few children must still be classified exactly.
    EXPECT_GT(exact, profiles * 995 / 1000);
}

TEST_F(CityProfileTest, UnchangedRecordsWriteNoNewVersionAndProfilesAreServed) {
    const auto first = gateway_->run({"profiles", "rebuild", "--set", "profile.as_of=2026-11-01"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    const auto again = gateway_->run({"profiles", "rebuild", "--set", "profile.as_of=2026-11-01"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find(" 0 new versions"), std::string::npos) << again.out;

    // A later as-of date ages every child: a child who turns 16 leaves the left-behind list that day.
    auto store = gateway_->openStore();
    store::ProfileQuery query;
    query.classification = "left_behind";
    query.limit = 100000;
    const auto left_behind = store->queryProfiles(query);
    ASSERT_FALSE(left_behind.empty());
    for (const auto& profile : left_behind) {
        EXPECT_GT(profile.birth_date, "2010-11-01") << profile.person_id << " is 16 or older on 2026-11-01";
    }
    const auto json = sim::parseJson(left_behind.front().profile_json);
    ASSERT_TRUE(json.HasMember("classifications"));
    const auto& match = json["classifications"][0];
    EXPECT_TRUE(match["reasons"].IsArray() && match["reasons"].Size() > 0);
    EXPECT_TRUE(match["provenance"].IsArray() && match["provenance"].Size() > 0);
    EXPECT_TRUE(json["identity"]["name"].HasMember("source"));
}

}  // namespace
}  // namespace gateway::testing
