// Profiles end to end: the simulator's city synced, linked and built into profiles by the real gateway, and every
// child's classifications compared with the categories the simulator knows from the true facts.

#include "gateway/model/calendar_date.h"

#include "tests/integration/sim/deptsim_harness.h"
#include "tests/integration/sim/gateway_setup.h"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>

namespace gateway::testing {
namespace {

const std::vector<std::string> kCategories = {"left_behind", "orphan",     "de_facto_unsupported",
                                              "poverty",     "disability", "serious_illness"};

const std::vector<std::string> kAlerts = {"unsupervised_under_16", "school_age_not_enrolled", "newborn_unregistered",
                                          "new_rescue_case"};

std::string member(const rapidjson::Value& object, const char* name) {
    return object.IsObject() && object.HasMember(name) && object[name].IsString() ? object[name].GetString() : "";
}

/// The alerts the true facts call for on 2026-11-01, by the definitions config/profile/alerts.json implements. A new
/// rescue case is the child's main case; a short second case for temporary assistance is not in the facts.
std::set<std::string> trueAlerts(const rapidjson::Value& child) {
    std::set<std::string> alerts;
    const auto born = model::parseDate(member(child, "birth_date"));
    const int age = born ? born->ageOn(model::CalendarDate(2026, 11, 1)) : -1;
    const rapidjson::Value& father = child["father"];
    const rapidjson::Value& mother = child["mother"];
    const rapidjson::Value& guardian = child["guardian"];
    const bool other_present = guardian.IsObject() && member(guardian, "relation") != "父亲" &&
                               member(guardian, "relation") != "母亲" && member(guardian, "status") == "present";
    if (age >= 0 && age < 16 && father.IsObject() && mother.IsObject() && member(father, "status") != "present" &&
        member(mother, "status") != "present" && !other_present) {
        alerts.insert("unsupervised_under_16");
    }
    const rapidjson::Value& enrolment = child["enrolment"];
    if (age >= 6 && age < 16 && (!enrolment.IsObject() || member(enrolment, "status") == "dropped_out")) {
        alerts.insert("school_age_not_enrolled");
    }
    if (child["registered"].IsBool() && !child["registered"].GetBool()) {
        alerts.insert("newborn_unregistered");
    }
    const rapidjson::Value& item = child["case"];
    if (item.IsObject()) {
        const auto opened = model::parseDate(member(item, "opened"));
        const auto days = opened ? model::CalendarDate(2026, 11, 1).daysSinceEpoch() - opened->daysSinceEpoch() : -1;
        if (days >= 0 && days <= 30) {
            alerts.insert("new_rescue_case");
        }
    }
    return alerts;
}

/// entity_id → categories and alerts, from the last line of each entity in children.jsonl.
std::map<std::string, std::pair<std::set<std::string>, std::set<std::string>>> trueCategories(const std::string& dir) {
    std::map<std::string, std::pair<std::set<std::string>, std::set<std::string>>> result;
    std::ifstream in(dir + "/truth/children.jsonl");
    std::string line;
    while (std::getline(in, line)) {
        rapidjson::Document child;
        child.Parse(line.c_str());
        std::set<std::string> categories;
        for (const auto& category : child["categories"].GetArray()) {
            categories.insert(category.GetString());
        }
        result[child["entity_id"].GetString()] = {categories, trueAlerts(child)};
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
    store->forEachPerson([&](const std::string& person_id, const std::vector<intake::StagedRecord>& records) {
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
        std::set<std::string> predicted(profile->classifications.begin(), profile->classifications.end());
        predicted.insert(profile->alerts.begin(), profile->alerts.end());
        std::set<std::string> expected = truth.at(entity).first;
        expected.insert(truth.at(entity).second.begin(), truth.at(entity).second.end());
        bool all_right = true;
        for (const auto* codes : {&kCategories, &kAlerts}) {
            for (const std::string& code : *codes) {
                const bool p = predicted.contains(code);
                const bool t = expected.contains(code);
                Confusion& c = confusion[code];
                (p && t ? c.true_positive : p ? c.false_positive : t ? c.false_negative : c.true_negative) += 1;
                all_right = all_right && (p == t || codes == &kAlerts);
            }
        }
        exact += all_right ? 1 : 0;
    });
    std::printf("%-24s %6s %6s %6s %7s %9s %7s\n", "category or alert", "TP", "FP", "FN", "TN", "precision", "recall");
    std::vector<std::string> codes = kCategories;
    codes.insert(codes.end(), kAlerts.begin(), kAlerts.end());
    for (const std::string& category : codes) {
        const Confusion& c = confusion[category];
        const double precision = c.true_positive + c.false_positive == 0
                                     ? 1
                                     : double(c.true_positive) / (c.true_positive + c.false_positive);
        const double recall = c.true_positive + c.false_negative == 0
                                  ? 1
                                  : double(c.true_positive) / (c.true_positive + c.false_negative);
        std::printf("%-24s %6lld %6lld %6lld %7lld %9.4f %7.4f\n", category.c_str(),
                    static_cast<long long>(c.true_positive), static_cast<long long>(c.false_positive),
                    static_cast<long long>(c.false_negative), static_cast<long long>(c.true_negative), precision,
                    recall);
    }
    std::printf("children whose every classification matches: %zu of %zu\n", exact, profiles);
    EXPECT_GT(profiles, 19000u);
    for (const std::string& category : kCategories) {
        EXPECT_GT(confusion[category].true_positive, 0) << category << " never found";
    }
    for (const char* alert : {"school_age_not_enrolled", "newborn_unregistered", "new_rescue_case"}) {
        const Confusion& c = confusion[alert];
        EXPECT_GT(c.true_positive, 0) << alert << " never raised";
        EXPECT_GE(c.true_positive * 10, (c.true_positive + c.false_positive) * 9) << alert << ": precision below 0.9";
        EXPECT_GE(c.true_positive * 10, (c.true_positive + c.false_negative) * 9) << alert << ": recall below 0.9";
    }
    // The simulator gives every child a present guardian; an alert needs a guardian recorded as not present.
    EXPECT_EQ(confusion["unsupervised_under_16"].false_positive, 0);
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
    profile::ProfileQuery query;
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

TEST_F(CityProfileTest, EveryChildLeavesAtEighteenAndThePurgeErasesTheCityLater) {
    const auto built = gateway_->run({"profiles", "rebuild", "--set", "profile.as_of=2026-11-01"});
    ASSERT_EQ(built.exit_code, 0) << built.err;
    auto store = gateway_->openStore();
    profile::ProfileQuery live;
    live.limit = 100000;
    const std::size_t children = store->queryProfiles(live).size();
    ASSERT_GT(children, 1000U);

    // By 2050 every child of 2026 is of age: each profile is replaced by a removal that holds nothing personal.
    const auto aged = gateway_->run({"profiles", "rebuild", "--set", "profile.as_of=2050-01-01"});
    ASSERT_EQ(aged.exit_code, 0) << aged.err;
    EXPECT_TRUE(store->queryProfiles(live).empty());
    profile::ProfileQuery removed;
    removed.include_removed = true;
    removed.limit = 100000;
    // A few persons were adults already on 2026-11-01 (records that disagree on a birth date).
    const std::size_t profiled = store->queryProfiles(removed).size();
    ASSERT_GE(profiled, children);

    const auto purge = [&](const std::string& as_of, bool dry_run) {
        std::vector<std::string> args{
            "profiles", "purge", "--set", "profile.as_of=" + as_of, "--set", "profile.purge_after_days=30"};
        if (dry_run) {
            args.push_back("--dry-run");
        }
        return gateway_->run(args);
    };
    const auto early = purge("2050-01-30", true);
    ASSERT_EQ(early.exit_code, 0) << early.err;
    // 29 days after 2050-01-01 only those removed on 2026-11-01 are due.
    EXPECT_EQ(static_cast<std::size_t>(std::count(early.out.begin(), early.out.end(), '\n')), profiled - children)
        << early.out;
    EXPECT_NE(early.err.find("removed as adult on or before 2049-12-31 would be purged"), std::string::npos)
        << early.err;
    const auto due = purge("2050-01-31", true);
    ASSERT_EQ(due.exit_code, 0) << due.err;
    EXPECT_NE(due.err.find("200 or more persons"), std::string::npos) << due.err;
    EXPECT_GT(store->forEachStagedRecord(0, [](const intake::StagedRecord&) {}), 0) << "a dry run erases nothing";

    const auto purged = purge("2050-01-31", false);
    ASSERT_EQ(purged.exit_code, 0) << purged.err;
    EXPECT_NE(purged.out.find("purged " + std::to_string(profiled) + " persons"), std::string::npos)
        << purged.out << " (" << profiled << " profiles)";

    // Nothing personal is left in the profiles or the staged records, and each purge is in the exchange log.
    std::size_t staged = 0;
    store->forEachStagedRecord(0, [&](const intake::StagedRecord&) { ++staged; });
    EXPECT_EQ(staged, 0U);
    std::size_t persons = 0;
    store->forEachPerson([&](const std::string&, const std::vector<intake::StagedRecord>&) { ++persons; });
    EXPECT_EQ(persons, 0U);
    std::size_t versions = 0;
    for (const auto& profile : store->queryProfiles(removed)) {
        for (const auto& version : store->profileHistory(profile.person_id)) {
            ++versions;
            EXPECT_TRUE(version.name.empty() && version.id_number.empty() && version.birth_date.empty())
                << profile.person_id << " version " << version.version;
            EXPECT_EQ(version.profile_json.find("\"identity\""), std::string::npos) << version.profile_json;
        }
    }
    EXPECT_GE(versions, 2 * children);
    audit::ExchangeLogQuery log;
    log.action = "profile.purge";
    log.limit = 100000;
    EXPECT_EQ(store->searchExchangeLog(log).size(), profiled);
    const auto verified = gateway_->run({"audit", "verify"});
    EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;

    // Nothing left to do; a later build writes nothing.
    EXPECT_NE(purge("2050-06-01", false).out.find("purged 0 persons"), std::string::npos);
    const auto rebuilt = gateway_->run({"profiles", "rebuild", "--full", "--set", "profile.as_of=2050-06-01"});
    ASSERT_EQ(rebuilt.exit_code, 0) << rebuilt.err;
    EXPECT_NE(rebuilt.out.find(" 0 new versions"), std::string::npos) << rebuilt.out;
}

}  // namespace
}  // namespace gateway::testing
