// The profile API end to end: a small simulator city synced, linked and built into profiles by the real gateway,
// then `gateway serve` asked for single profiles, histories, filtered and paged lists and division statistics, and
// every answer compared with what the store itself says (Store::profile, profileHistory, queryProfiles,
// profileCounts), with ages and filters also recomputed here from the stored rows. Bad and hostile parameters must
// give a 400 (or an empty or otherwise correct result), never a 500, never rows the filter does not select.

#include "gateway/model/citizen_id.h"
#include "gateway/profile/profile_view.h"
#include "gateway/store/store.h"
#include "tests/integration/sim/deptsim_harness.h"
#include "tests/integration/sim/gateway_setup.h"
#include "tests/support/encoding.h"
#include "tests/support/process.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/LocalDateTime.h>
#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace gateway::testing {
namespace {

constexpr const char* kAsOf = "2026-11-01";
constexpr const char* kFirstBuild = "2026-11-01T08:00:00Z";
constexpr const char* kSecondBuild = "2026-11-01T09:00:00Z";

/// Age in whole years on kAsOf of an ISO birth date, or -1 when there is none.
int ageOnAsOf(const std::string& birth_date) {
    if (birth_date.size() != 10) {
        return -1;
    }
    const int year = std::stoi(birth_date.substr(0, 4));
    const std::string month_day = birth_date.substr(5);
    return 2026 - year - (month_day > "11-01" ? 1 : 0);
}

std::vector<std::string> idsOf(const std::vector<profile::ProfileVersion>& profiles) {
    std::vector<std::string> ids;
    for (const auto& profile : profiles) {
        ids.push_back(profile.person_id);
    }
    return ids;
}

profile::ProfileQuery inDivision(const std::string& prefix) {
    profile::ProfileQuery query;
    query.division_prefix = prefix;
    return query;
}

bool holds(const std::vector<std::string>& codes, const std::string& code) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
}

/// Checks the error body shape {"error":{"code":CODE,"message":"…"}}.
void expectError(const sim::HttpReply& reply, int status, const std::string& code, const std::string& what) {
    EXPECT_EQ(reply.status, status) << what << ": " << reply.body.substr(0, 300);
    rapidjson::Document json;
    json.Parse(reply.body.c_str(), reply.body.size());
    ASSERT_FALSE(json.HasParseError()) << what << ": not JSON: " << reply.body.substr(0, 300);
    ASSERT_TRUE(json.IsObject() && json.HasMember("error") && json["error"].IsObject()) << what << ": " << reply.body;
    const auto& error = json["error"];
    ASSERT_TRUE(error.HasMember("code") && error["code"].IsString()) << what << ": " << reply.body;
    EXPECT_EQ(std::string(error["code"].GetString()), code) << what;
    ASSERT_TRUE(error.HasMember("message") && error["message"].IsString()) << what << ": " << reply.body;
    EXPECT_GT(error["message"].GetStringLength(), 0u) << what;
}

/// The string leaves of a JSON value.
void stringLeaves(const rapidjson::Value& value, std::vector<std::string>& out) {
    if (value.IsString()) {
        out.emplace_back(value.GetString(), value.GetStringLength());
    } else if (value.IsObject()) {
        for (const auto& member : value.GetObject()) {
            stringLeaves(member.value, out);
        }
    } else if (value.IsArray()) {
        for (const auto& item : value.GetArray()) {
            stringLeaves(item, out);
        }
    }
}

/// What `shown` (a profile as a view shows it) gives away of the numbers the view withholds, rebuilding them the way
/// a reader would: the number itself anywhere (a student number is G + the ID), characters of it kept by a mask, and
/// an ID whose hidden middle is a birth date shown beside it (its check character follows from the rest).
std::vector<std::string> rebuiltNumbers(const std::string& full_json, const std::string& shown, bool ids_withheld,
                                        bool phones_withheld, std::size_t& checked) {
    static const std::regex kId("[A-Z]?([0-9]{17}[0-9X]|[0-9]{15})");
    static const std::regex kPhone("1[3-9][0-9]{9}");
    static const std::regex kDate("([0-9]{4})-([0-9]{2})-([0-9]{2})");
    std::vector<std::string> full_leaves;
    std::vector<std::string> shown_leaves;
    stringLeaves(sim::parseJson(full_json), full_leaves);
    stringLeaves(sim::parseJson(shown), shown_leaves);
    std::set<std::string> withheld;
    for (const std::string& leaf : full_leaves) {
        std::smatch match;
        if (ids_withheld && std::regex_match(leaf, match, kId)) {
            withheld.insert(match[1]);
        } else if (phones_withheld && std::regex_match(leaf, kPhone)) {
            withheld.insert(leaf);
        }
    }
    std::vector<std::string> dates;
    for (const std::string& leaf : shown_leaves) {
        std::smatch match;
        if (std::regex_match(leaf, match, kDate)) {
            dates.push_back(std::string(match[1]) + std::string(match[2]) + std::string(match[3]));
        }
    }
    std::vector<std::string> leaks;
    for (const std::string& number : withheld) {
        ++checked;
        if (shown.find(number) != std::string::npos) {
            leaks.push_back(number + " is shown whole");
            continue;
        }
        for (const std::string& leaf : shown_leaves) {
            if (leaf.size() != number.size() || leaf.find('*') == std::string::npos) {
                continue;
            }
            std::size_t kept = 0;
            bool same = true;
            for (std::size_t i = 0; i < leaf.size() && same; ++i) {
                if (leaf[i] != '*') {
                    same = leaf[i] == number[i];
                    kept += same ? 1 : 0;
                }
            }
            if (!same || kept == 0) {
                continue;
            }
            leaks.push_back(number + " shows " + std::to_string(kept) + " characters in " + leaf);
            if (number.size() == 18) {
                for (const std::string& date : dates) {
                    std::string rebuilt = leaf.substr(0, 6) + date + leaf.substr(14);
                    rebuilt[17] = model::CitizenId::checkCharacter(rebuilt.substr(0, 17)).value_or('?');
                    if (rebuilt == number) {
                        leaks.push_back(number + " is rebuilt whole from " + leaf + " and the date " + date);
                    }
                }
            }
        }
    }
    return leaks;
}

class ProfileApiTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        sim_ = std::make_unique<sim::DeptsimServer>(std::vector<std::string>{}, 2000, 43);
        gateway_ = std::make_unique<GatewaySetup>(*sim_);
        const auto synced = gateway_->sync();
        ASSERT_EQ(synced.exit_code, 0) << synced.err;
        const auto linked = gateway_->run({"link", "--full"});
        ASSERT_EQ(linked.exit_code, 0) << linked.err;
        // The builds run on clocks an hour apart, so that what was built when never rests on the machine's speed.
        const auto built = gateway_->run({"profiles", "rebuild", "--set", std::string("profile.as_of=") + kAsOf},
                                         {{"GATEWAY_CLOCK_START", kFirstBuild}});
        ASSERT_EQ(built.exit_code, 0) << built.err;
        std::printf("%s", built.out.c_str());
        std::string banner;
        server_ = gateway_->serve({"--set", std::string("profile.as_of=") + kAsOf}, url_, banner);
        ASSERT_FALSE(url_.empty()) << banner;
    }
    static void TearDownTestSuite() {
        if (server_) {
            EXPECT_EQ(server_->terminate(), 0);
        }
        server_.reset();
        gateway_.reset();
        sim_.reset();
    }

    void SetUp() override {
        ASSERT_FALSE(url_.empty()) << "the server did not start";
        store_ = gateway_->openStore();
    }

    static sim::HttpReply get(const std::string& path_and_query) {
        return sim::httpRequest(url_, "GET", path_and_query, {{"X-Purpose", "case_assessment"}});
    }

    /// Every current (non-removed) profile, from the store.
    std::vector<profile::ProfileVersion> reference(profile::ProfileQuery query = {}) const {
        query.limit = 1000000;
        return store_->queryProfiles(query);
    }

    /// Every person ID /v1/profiles?QUERY lists, following next_cursor with `limit` per page; checks each page.
    static std::vector<std::string> listAll(const std::string& query, int limit = 500) {
        std::vector<std::string> ids;
        std::string cursor;
        for (int pages = 0; pages < 100000; ++pages) {
            const std::string path = "/v1/profiles?" + query + (query.empty() ? "" : "&") +
                                     "limit=" + std::to_string(limit) + (cursor.empty() ? "" : "&cursor=" + cursor);
            const auto reply = get(path);
            EXPECT_EQ(reply.status, 200) << path << ": " << reply.body.substr(0, 300);
            if (reply.status != 200) {
                return ids;
            }
            const auto page = reply.json();
            const auto& items = page["items"];
            EXPECT_LE(items.Size(), static_cast<rapidjson::SizeType>(limit)) << path;
            for (const auto& item : items.GetArray()) {
                ids.emplace_back(item["person_id"].GetString());
            }
            if (page["next_cursor"].IsNull()) {
                return ids;
            }
            EXPECT_TRUE(page["next_cursor"].IsString()) << path;
            EXPECT_EQ(items.Size(), static_cast<rapidjson::SizeType>(limit)) << path << ": a short page with a cursor";
            EXPECT_EQ(std::string(page["next_cursor"].GetString()), ids.back()) << path;
            cursor = encode(page["next_cursor"].GetString());
        }
        ADD_FAILURE() << "paging never ended for " << query;
        return ids;
    }

    /// The most common 12-digit village code of residence that is not a township's own code.
    std::string busiestVillage() const {
        std::map<std::string, int> count;
        for (const auto& profile : reference()) {
            const std::string& code = profile.residence_division;
            if (code.size() == 12 && !code.ends_with("000")) {
                ++count[code];
            }
        }
        EXPECT_FALSE(count.empty()) << "no profile has a village of residence";
        if (count.empty()) {
            return "";
        }
        return std::max_element(count.begin(), count.end(), [](auto& a, auto& b) { return a.second < b.second; })
            ->first;
    }

    static std::unique_ptr<sim::DeptsimServer> sim_;
    static std::unique_ptr<GatewaySetup> gateway_;
    static std::unique_ptr<GatewayProcess> server_;
    static std::string url_;
    std::unique_ptr<store::Store> store_;
};

std::unique_ptr<sim::DeptsimServer> ProfileApiTest::sim_;
std::unique_ptr<GatewaySetup> ProfileApiTest::gateway_;
std::unique_ptr<GatewayProcess> ProfileApiTest::server_;
std::string ProfileApiTest::url_;

TEST_F(ProfileApiTest, OneProfileIsServedWithProvenanceAndAnUnknownOneIs404) {
    const auto all = reference();
    ASSERT_GT(all.size(), 1500u) << "a 2,000-child city should give most children a profile";
    const std::set<std::string> sources(kSources.begin(), kSources.end());
    for (std::size_t i = 0; i < all.size(); i += all.size() / 25) {
        const auto& expected = all[i];
        const auto reply = get("/v1/profiles/" + encode(expected.person_id));
        ASSERT_EQ(reply.status, 200) << expected.person_id << ": " << reply.body.substr(0, 300);
        const auto json = reply.json();
        EXPECT_EQ(std::string(json["person_id"].GetString()), expected.person_id);
        EXPECT_EQ(json["version"].GetInt64(), expected.version);
        EXPECT_EQ(std::string(json["built_at"].GetString()), expected.built_at);
        ASSERT_TRUE(json["profile"].IsObject());
        const auto stored = sim::parseJson(store_->profile(expected.person_id)->profile_json);
        EXPECT_TRUE(json["profile"] == stored) << expected.person_id << ": the served profile is not the stored one";

        const auto& profile = json["profile"];
        EXPECT_EQ(std::string(profile["person_id"].GetString()), expected.person_id);
        EXPECT_EQ(std::string(profile["as_of"].GetString()), kAsOf);
        ASSERT_TRUE(profile.HasMember("identity") && profile["identity"].IsObject()) << reply.body;
        ASSERT_TRUE(profile["identity"].HasMember("name")) << reply.body;
        for (const auto& field : profile["identity"].GetObject()) {
            const std::string name = field.name.GetString();
            ASSERT_TRUE(field.value.IsObject()) << expected.person_id << " identity/" << name;
            EXPECT_TRUE(field.value.HasMember("value")) << expected.person_id << " identity/" << name;
            ASSERT_TRUE(field.value.HasMember("source") && field.value["source"].IsString())
                << expected.person_id << " identity/" << name;
            EXPECT_TRUE(sources.contains(field.value["source"].GetString()))
                << expected.person_id << " identity/" << name << " from " << field.value["source"].GetString();
            ASSERT_TRUE(field.value.HasMember("source_id") && field.value["source_id"].IsString())
                << expected.person_id << " identity/" << name;
            // The record the value came from is one of this child's records.
            EXPECT_EQ(store_->personOf(field.value["source"].GetString(), field.value["source_id"].GetString()),
                      expected.person_id)
                << expected.person_id << " identity/" << name;
        }
        for (const auto& record : profile["records"].GetArray()) {
            EXPECT_EQ(store_->personOf(record["source"].GetString(), record["source_id"].GetString()),
                      expected.person_id);
        }
    }

    for (const std::string& unknown :
         {std::string("P0000000000000000"), std::string("nobody"), std::string("' OR 1=1 --"),
          std::string("../../etc/passwd"), std::string("\0", 1), std::string("\xFF\xFE"), std::string(4000, 'P')}) {
        const std::string what = "GET /v1/profiles/" + encode(unknown).substr(0, 60);
        const auto reply = get("/v1/profiles/" + encode(unknown));
        expectError(reply, 404, "not_found", what);
        const auto history = get("/v1/profiles/" + encode(unknown) + "/history");
        expectError(history, 404, "not_found", what + "/history");
    }
}

TEST_F(ProfileApiTest, ListFiltersSelectExactlyWhatTheStoreHolds) {
    const auto all = reference();
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(listAll(""), idsOf(all)) << "no filter lists every current profile in person order";

    // Division: a village by its 12-digit code, its district by 6 digits and by its 12-digit code, its township by
    // the 12-digit code ending in 000.
    const std::string village = busiestVillage();
    ASSERT_FALSE(village.empty());
    const std::string district = village.substr(0, 6);
    const std::string township = village.substr(0, 9);
    const auto in = [&](const std::string& prefix) {
        std::vector<std::string> ids;
        for (const auto& profile : all) {
            if (profile.residence_division.starts_with(prefix)) {
                ids.push_back(profile.person_id);
            }
        }
        return ids;
    };
    const auto village_ids = in(village);
    const auto township_ids = in(township);
    const auto district_ids = in(district);
    ASSERT_FALSE(village_ids.empty());
    EXPECT_LT(village_ids.size(), township_ids.size()) << "the township should hold more than its busiest village";
    EXPECT_LE(township_ids.size(), district_ids.size());
    EXPECT_EQ(listAll("division=" + village), village_ids) << village;
    EXPECT_EQ(listAll("division=" + township + "000"), township_ids) << township << "000";
    EXPECT_EQ(listAll("division=" + township), township_ids) << township;
    EXPECT_EQ(listAll("division=" + district), district_ids) << district;
    EXPECT_EQ(listAll("division=" + district + "000000"), district_ids) << district << "000000";
    EXPECT_EQ(idsOf(reference(inDivision(township))), township_ids);
    EXPECT_TRUE(listAll("division=999999").empty());

    // Classification and alert: every code that occurs, and one that does not.
    std::set<std::string> classifications;
    std::set<std::string> alerts;
    for (const auto& profile : all) {
        classifications.insert(profile.classifications.begin(), profile.classifications.end());
        alerts.insert(profile.alerts.begin(), profile.alerts.end());
    }
    EXPECT_TRUE(classifications.contains("left_behind")) << "the city should have left-behind children";
    EXPECT_FALSE(alerts.empty());
    for (const std::string& code : classifications) {
        std::vector<std::string> expected;
        for (const auto& profile : all) {
            if (holds(profile.classifications, code)) {
                expected.push_back(profile.person_id);
            }
        }
        profile::ProfileQuery query;
        query.classification = code;
        EXPECT_EQ(idsOf(reference(query)), expected) << code;
        EXPECT_EQ(listAll("classification=" + encode(code)), expected) << code;
    }
    for (const std::string& code : alerts) {
        std::vector<std::string> expected;
        for (const auto& profile : all) {
            if (holds(profile.alerts, code)) {
                expected.push_back(profile.person_id);
            }
        }
        profile::ProfileQuery query;
        query.alert = code;
        EXPECT_EQ(idsOf(reference(query)), expected) << code;
        EXPECT_EQ(listAll("alert=" + encode(code)), expected) << code;
    }
    // An unknown code is a mistake the caller should hear of, not an empty list.
    for (const std::string& query : {std::string("classification=no_such_code"), std::string("alert=no_such_code"),
                                     std::string("classification=LEFT_BEHIND")}) {
        const auto reply = get("/v1/profiles?" + query);
        expectError(reply, 400, "invalid_argument", query);
        EXPECT_NE(reply.body.find(query.substr(0, query.find('='))), std::string::npos) << reply.body;
    }

    // Ages on the as-of date, recomputed here from the stored birth dates.
    for (int n : {0, 1, 5, 6, 15, 16, 17}) {
        std::vector<std::string> at_least;
        std::vector<std::string> at_most;
        for (const auto& profile : all) {
            const int age = ageOnAsOf(profile.birth_date);
            if (age >= 0 && age >= n) {
                at_least.push_back(profile.person_id);
            }
            if (age >= 0 && age <= n) {
                at_most.push_back(profile.person_id);
            }
        }
        EXPECT_EQ(listAll("age_min=" + std::to_string(n)), at_least) << "age_min=" << n;
        EXPECT_EQ(listAll("age_max=" + std::to_string(n)), at_most) << "age_max=" << n;
    }
    {
        std::vector<std::string> school_age;
        for (const auto& profile : all) {
            const int age = ageOnAsOf(profile.birth_date);
            if (age >= 6 && age <= 15) {
                school_age.push_back(profile.person_id);
            }
        }
        EXPECT_EQ(listAll("age_min=6&age_max=15"), school_age);
        EXPECT_TRUE(listAll("age_min=10&age_max=9").empty());
    }
    // A child who is exactly 16 on the as-of date (born 2010-11-01) is 16, not 15; one born a day later is 15.
    std::size_t birthdays = 0;
    for (const auto& profile : all) {
        if (profile.birth_date != "2010-11-01" && profile.birth_date != "2010-11-02" &&
            profile.birth_date != "2010-10-31") {
            continue;
        }
        const bool sixteen = profile.birth_date <= "2010-11-01";
        birthdays += profile.birth_date == "2010-11-01" ? 1 : 0;
        const std::string id_query = profile.id_number.empty() ? "" : "&id_number=" + encode(profile.id_number);
        const auto contains = [&](const std::string& query) {
            const auto ids = listAll(query + id_query);
            return std::find(ids.begin(), ids.end(), profile.person_id) != ids.end();
        };
        EXPECT_EQ(contains("age_min=16"), sixteen) << profile.person_id << " born " << profile.birth_date;
        EXPECT_EQ(contains("age_max=15"), !sixteen) << profile.person_id << " born " << profile.birth_date;
        EXPECT_TRUE(contains(sixteen ? "age_min=16&age_max=16" : "age_min=15&age_max=15"))
            << profile.person_id << " born " << profile.birth_date;
    }
    EXPECT_GT(birthdays, 0u) << "the seed was chosen to give a child born 2010-11-01";

    // ID number: exact, never a prefix.
    std::size_t id_checks = 0;
    for (const auto& profile : all) {
        if (profile.id_number.size() != 18 || id_checks >= 10) {
            continue;
        }
        ++id_checks;
        std::vector<std::string> expected;
        for (const auto& other : all) {
            if (other.id_number == profile.id_number) {
                expected.push_back(other.person_id);
            }
        }
        EXPECT_EQ(listAll("id_number=" + profile.id_number), expected) << profile.id_number;
        expectError(get("/v1/profiles?id_number=" + profile.id_number.substr(0, 17)), 400, "invalid_argument",
                    "a 17-character id_number");
    }
    EXPECT_EQ(id_checks, 10u);

    // updated_since: on or after a build time.
    std::set<std::string> built;
    for (const auto& profile : all) {
        built.insert(profile.built_at);
    }
    for (const std::string& since : {*built.begin(), *built.rbegin(), std::string("2000-01-01T00:00:00Z")}) {
        std::vector<std::string> expected;
        for (const auto& profile : all) {
            if (profile.built_at >= since) {
                expected.push_back(profile.person_id);
            }
        }
        EXPECT_EQ(listAll("updated_since=" + encode(since)), expected) << since;
    }
    EXPECT_TRUE(listAll("updated_since=2999-01-01T00:00:00Z").empty());

    // Filters combine.
    std::vector<std::string> combined;
    for (const auto& profile : all) {
        const int age = ageOnAsOf(profile.birth_date);
        if (profile.residence_division.starts_with(district) && holds(profile.classifications, "left_behind") &&
            age >= 0 && age <= 12) {
            combined.push_back(profile.person_id);
        }
    }
    EXPECT_EQ(listAll("division=" + district + "&classification=left_behind&age_max=12"), combined);

    // The summary of each item agrees with the stored row.
    const auto reply = get("/v1/profiles?division=" + village + "&limit=500");
    ASSERT_EQ(reply.status, 200) << reply.body;
    const auto reply_json = reply.json();  // outlives the loop over its items
    for (const auto& item : reply_json["items"].GetArray()) {
        const auto stored = store_->profile(item["person_id"].GetString());
        ASSERT_TRUE(stored.has_value());
        EXPECT_EQ(item["version"].GetInt64(), stored->version);
        EXPECT_EQ(std::string(item["name"].GetString()), stored->name);
        EXPECT_EQ(std::string(item["birth_date"].GetString()), stored->birth_date);
        EXPECT_EQ(std::string(item["residence_division"].GetString()), stored->residence_division);
        std::vector<std::string> codes;
        for (const auto& code : item["classifications"].GetArray()) {
            codes.emplace_back(code.GetString());
        }
        EXPECT_EQ(codes, stored->classifications);
        EXPECT_FALSE(item.HasMember("removed"));
    }
}

TEST_F(ProfileApiTest, CursorPagingWalksEveryResultExactlyOnce) {
    const auto all = idsOf(reference());
    ASSERT_GT(all.size(), 7u);
    std::vector<std::string> walked;
    std::string cursor;
    int pages = 0;
    for (;;) {
        const auto reply = get("/v1/profiles?limit=7" + (cursor.empty() ? "" : "&cursor=" + encode(cursor)));
        ASSERT_EQ(reply.status, 200) << reply.body;
        const auto page = reply.json();
        ++pages;
        const auto& items = page["items"];
        for (const auto& item : items.GetArray()) {
            walked.emplace_back(item["person_id"].GetString());
        }
        if (page["next_cursor"].IsNull()) {
            EXPECT_LE(items.Size(), 7u);
            break;
        }
        ASSERT_TRUE(page["next_cursor"].IsString()) << reply.body;
        ASSERT_EQ(items.Size(), 7u) << "page " << pages << " is short but has a next cursor";
        cursor = page["next_cursor"].GetString();
        ASSERT_LT(pages, 100000);
    }
    EXPECT_EQ(walked, all) << "paging must list every profile once, in person order";
    EXPECT_EQ(std::set<std::string>(walked.begin(), walked.end()).size(), walked.size()) << "a profile twice";
    EXPECT_EQ(pages, static_cast<int>((all.size() + 6) / 7)) << "pages of 7, the last one ending with a null cursor";

    // A result that fills its last page exactly ends with a null cursor, not an empty extra page.
    const std::string village = busiestVillage();
    const auto in_village = idsOf(reference(inDivision(village)));
    ASSERT_FALSE(in_village.empty());
    const auto exact = get("/v1/profiles?division=" + village +
                           "&limit=" + std::to_string(std::min<std::size_t>(in_village.size(), 500)));
    ASSERT_EQ(exact.status, 200) << exact.body;
    const auto exact_page = exact.json();
    EXPECT_TRUE(exact_page["next_cursor"].IsNull()) << exact.body.substr(0, 300);
    EXPECT_EQ(exact_page["items"].Size(), std::min<std::size_t>(in_village.size(), 500));

    // A cursor past the end gives an empty page.
    const auto past = get("/v1/profiles?cursor=" + encode(all.back()));
    ASSERT_EQ(past.status, 200) << past.body;
    EXPECT_EQ(past.json()["items"].Size(), 0u);
    EXPECT_TRUE(past.json()["next_cursor"].IsNull());
}

TEST_F(ProfileApiTest, BadParametersAre400WithAMessage) {
    for (const char* query : {"limit=0",
                              "limit=501",
                              "limit=-1",
                              "limit=abc",
                              "limit=1.5",
                              "limit=7x",
                              "limit=99999999999999999999",
                              "age_min=-1",
                              "age_min=abc",
                              "age_min=151",
                              "age_min=1e3",
                              "age_min=+5",
                              "age_max=-1",
                              "age_max=x",
                              "division=32x",
                              "division=320",
                              "division=3204111012010",
                              "division=320411%20",
                              "division=-32041",
                              "division=%EF%BC%93%EF%BC%92%EF%BC%90%EF%BC%94"}) {
        const auto reply = get(std::string("/v1/profiles?") + query);
        expectError(reply, 400, "invalid_argument", query);
    }
    expectError(get("/v1/stats"), 400, "invalid_argument", "stats without division");
    expectError(get("/v1/stats?division="), 400, "invalid_argument", "stats with an empty division");
    expectError(get("/v1/stats?division=32x"), 400, "invalid_argument", "stats division=32x");
    // A query string that does not decode.
    const auto undecodable = get("/v1/profiles?classification=%zz");
    EXPECT_TRUE(undecodable.status == 400 || undecodable.status == 200) << undecodable.status;
    EXPECT_NE(undecodable.status, 500);
}

TEST_F(ProfileApiTest, HostileStringsNeverFailAndNeverWidenAResult) {
    const std::vector<std::string> hostile = {
        "' OR 1=1 --",
        "' OR '1'='1",
        "1; DROP TABLE profiles; --",
        "\" OR \"\"=\"",
        "../../etc/passwd",
        std::string("\0", 1),
        std::string("3204\0' OR 1=1 --", 16),
        "%",
        "%_",
        "*",
        "\xFF\xFE",
        "<script>alert(1)</script>",
        "320411%",
        std::string(4000, 'A'),
        [] {
            std::string text;
            for (int i = 0; i < 300; ++i) {
                text += "' OR 1=1 --";
            }
            return text;
        }(),
        std::string(3000, '9'),
    };
    // Filters that can only narrow: a hostile value matches no real profile.
    const std::vector<std::string> narrowing = {"division", "classification", "alert", "id_number", "updated_since"};
    for (const std::string& value : hostile) {
        const std::string shown = encode(value).substr(0, 60);
        for (const std::string& parameter : narrowing) {
            const std::string what = parameter + "=" + shown;
            const auto reply = get("/v1/profiles?" + parameter + "=" + encode(value));
            ASSERT_NE(reply.status, 500) << what << ": " << reply.body.substr(0, 300);
            if (reply.status == 400) {
                expectError(reply, 400, "invalid_argument", what);
                continue;
            }
            ASSERT_EQ(reply.status, 200) << what << ": " << reply.body.substr(0, 300);
            const auto page = reply.json();
            EXPECT_EQ(page["items"].Size(), 0u) << what << " selected " << page["items"].Size() << " profiles";
            EXPECT_TRUE(page["next_cursor"].IsNull()) << what;
        }
        for (const std::string parameter : {"age_min", "age_max", "limit"}) {
            const std::string what = std::string(parameter) + "=" + shown;
            expectError(get("/v1/profiles?" + std::string(parameter) + "=" + encode(value)), 400, "invalid_argument",
                        what);
        }
        // A cursor is a position: the page after it is what the store gives after that string, or a 400.
        {
            const std::string what = "cursor=" + shown;
            const auto reply = get("/v1/profiles?limit=50&cursor=" + encode(value));
            ASSERT_NE(reply.status, 500) << what << ": " << reply.body.substr(0, 300);
            if (reply.status == 400) {
                expectError(reply, 400, "invalid_argument", what);
            } else {
                ASSERT_EQ(reply.status, 200) << what;
                profile::ProfileQuery query;
                query.after_person = value;
                query.limit = 50;
                std::vector<std::string> served;
                const auto reply_json = reply.json();  // outlives the loop over its items
                for (const auto& item : reply_json["items"].GetArray()) {
                    served.emplace_back(item["person_id"].GetString());
                }
                EXPECT_EQ(served, idsOf(store_->queryProfiles(query))) << what;
            }
        }
        // Combined with a real filter, a hostile value never widens it.
        {
            const std::string what = "classification=orphan&id_number=" + shown;
            const auto reply = get("/v1/profiles?classification=orphan&id_number=" + encode(value));
            ASSERT_NE(reply.status, 500) << what;
            if (reply.status == 200) {
                EXPECT_EQ(reply.json()["items"].Size(), 0u) << what;
            }
        }
        {
            const std::string what = "stats division=" + shown;
            const auto reply = get("/v1/stats?division=" + encode(value));
            ASSERT_NE(reply.status, 500) << what;
            if (reply.status == 400) {
                expectError(reply, 400, "invalid_argument", what);
            } else {
                ASSERT_EQ(reply.status, 200) << what;
                const auto json = reply.json();
                ASSERT_GE(json["divisions"].Size(), 1u);
                EXPECT_EQ(json["divisions"][0]["children"].GetInt64(), 0) << what;
            }
        }
    }

    // A request line far beyond any sane length is refused by the HTTP layer, not the handler.
    const auto huge = get("/v1/profiles?classification=" + std::string(40000, 'A'));
    EXPECT_NE(huge.status, 500);
    EXPECT_NE(huge.status, 200);
    EXPECT_GE(huge.status, 400);
    EXPECT_LT(huge.status, 500);

    // The server is still answering, and its data are untouched.
    const auto after = get("/v1/profiles?limit=1");
    EXPECT_EQ(after.status, 200);
    EXPECT_EQ(listAll(""), idsOf(reference()));
}

TEST_F(ProfileApiTest, StatsOfADistrictSplitIntoItsTownships) {
    const std::string village = busiestVillage();
    ASSERT_FALSE(village.empty());
    const std::string district = village.substr(0, 6);
    for (const std::string& asked : {district + "000000", district}) {
        const auto reply = get("/v1/stats?division=" + asked);
        ASSERT_EQ(reply.status, 200) << asked << ": " << reply.body;
        const auto json = reply.json();
        ASSERT_TRUE(json["divisions"].IsArray());
        const auto& divisions = json["divisions"];
        ASSERT_GE(divisions.Size(), 2u) << reply.body;

        const auto& own = divisions[0];
        EXPECT_EQ(std::string(own["division"].GetString()), district);
        const auto in_district = reference(inDivision(district));
        EXPECT_EQ(own["children"].GetInt64(), static_cast<std::int64_t>(in_district.size()));

        // Each classification and alert count is the number of profiles the list would give.
        std::map<std::string, std::int64_t> classifications;
        std::map<std::string, std::int64_t> alerts;
        for (const auto& profile : in_district) {
            for (const auto& code : profile.classifications) {
                ++classifications[code];
            }
            for (const auto& code : profile.alerts) {
                ++alerts[code];
            }
        }
        std::map<std::string, std::int64_t> served_classifications;
        for (const auto& member : own["classifications"].GetObject()) {
            served_classifications[member.name.GetString()] = member.value.GetInt64();
            profile::ProfileQuery query;
            query.division_prefix = district;
            query.classification = member.name.GetString();
            EXPECT_EQ(member.value.GetInt64(), static_cast<std::int64_t>(reference(query).size()))
                << member.name.GetString();
        }
        EXPECT_EQ(served_classifications, classifications);
        std::map<std::string, std::int64_t> served_alerts;
        for (const auto& member : own["alerts"].GetObject()) {
            served_alerts[member.name.GetString()] = member.value.GetInt64();
        }
        EXPECT_EQ(served_alerts, alerts);

        // One element per township below it, in order, summing to the district.
        std::int64_t children = 0;
        std::map<std::string, std::int64_t> summed_classifications;
        std::map<std::string, std::int64_t> summed_alerts;
        std::set<std::string> townships;
        std::string previous;
        for (rapidjson::SizeType i = 1; i < divisions.Size(); ++i) {
            const auto& township = divisions[i];
            const std::string code = township["division"].GetString();
            EXPECT_EQ(code.size(), 9u) << code;
            EXPECT_TRUE(code.starts_with(district)) << code;
            EXPECT_LT(previous, code) << "townships in order";
            previous = code;
            townships.insert(code);
            const auto in_township = reference(inDivision(code));
            EXPECT_EQ(township["children"].GetInt64(), static_cast<std::int64_t>(in_township.size())) << code;
            children += township["children"].GetInt64();
            for (const auto& member : township["classifications"].GetObject()) {
                summed_classifications[member.name.GetString()] += member.value.GetInt64();
                profile::ProfileQuery query;
                query.division_prefix = code;
                query.classification = member.name.GetString();
                EXPECT_EQ(member.value.GetInt64(), static_cast<std::int64_t>(reference(query).size()))
                    << code << " " << member.name.GetString();
            }
            for (const auto& member : township["alerts"].GetObject()) {
                summed_alerts[member.name.GetString()] += member.value.GetInt64();
            }
        }
        EXPECT_EQ(children, own["children"].GetInt64()) << "townships do not add up to the district";
        EXPECT_EQ(summed_classifications, served_classifications);
        EXPECT_EQ(summed_alerts, served_alerts);
        std::set<std::string> expected_townships;
        for (const auto& profile : in_district) {
            expected_townships.insert(profile.residence_division.substr(0, 9));
        }
        EXPECT_EQ(townships, expected_townships);

        // The same numbers as the store's own counts.
        const auto counts = store_->profileCounts(district, 9);
        ASSERT_EQ(counts.size(), divisions.Size());
        for (std::size_t i = 0; i < counts.size(); ++i) {
            EXPECT_EQ(counts[i].division_prefix,
                      divisions[static_cast<rapidjson::SizeType>(i)]["division"].GetString());
            EXPECT_EQ(counts[i].children, divisions[static_cast<rapidjson::SizeType>(i)]["children"].GetInt64());
        }
    }

    // A township splits into its villages; a division with no children gives one element of zeros.
    const auto township = get("/v1/stats?division=" + village.substr(0, 9) + "000");
    ASSERT_EQ(township.status, 200) << township.body;
    const auto township_json = township.json();
    EXPECT_EQ(std::string(township_json["divisions"][0]["division"].GetString()), village.substr(0, 9));
    bool found_village = false;
    for (const auto& element : township_json["divisions"].GetArray()) {
        found_village = found_village || element["division"].GetString() == village;
    }
    EXPECT_TRUE(found_village) << village;
    const auto empty = get("/v1/stats?division=999999");
    ASSERT_EQ(empty.status, 200) << empty.body;
    ASSERT_EQ(empty.json()["divisions"].Size(), 1u) << empty.body;
    EXPECT_EQ(empty.json()["divisions"][0]["children"].GetInt64(), 0);
}

TEST_F(ProfileApiTest, OpenApiListsTheProfileRoutes) {
    const auto reply = get("/openapi.json");
    ASSERT_EQ(reply.status, 200);
    const auto json = reply.json();
    for (const char* path : {"/v1/profiles/{id}", "/v1/profiles/{id}/history", "/v1/profiles", "/v1/stats"}) {
        ASSERT_TRUE(json["paths"].HasMember(path)) << path;
        EXPECT_TRUE(json["paths"][path].HasMember("get")) << path;
    }
    // The served document is the running router's: its query parameters, and the purposes api.purposes allows.
    std::set<std::string> names;
    std::set<std::string> purposes;
    for (const auto& parameter : json["paths"]["/v1/profiles"]["get"]["parameters"].GetArray()) {
        names.insert(parameter["name"].GetString());
        if (std::string(parameter["name"].GetString()) == "X-Purpose") {
            for (const auto& code : parameter["schema"]["enum"].GetArray()) {
                purposes.insert(code.GetString());
            }
        }
    }
    for (const char* name : {"division", "classification", "age_max", "id_number", "name", "cursor", "X-Purpose"}) {
        EXPECT_TRUE(names.contains(name)) << name;
    }
    EXPECT_TRUE(purposes.contains("case_assessment") && purposes.contains("audit")) << purposes.size();
}

// For every configured view, over every child of the city: no number the view withholds (ID numbers, phones) can
// be found or rebuilt from what it shows of the child.
TEST_F(ProfileApiTest, NoViewGivesAwayANumberItWithholds) {
    const auto views = profile::ProfileViews::builtin();
    const auto profiles = reference();
    ASSERT_GT(profiles.size(), 1000u);
    for (const std::string& name : views.names()) {
        const profile::ProfileView& view = *views.find(name);
        if (!view.profiles) {
            continue;
        }
        const bool ids_withheld = view.mask.contains("/identity/id_number/value");
        const bool phones_withheld = view.mask.contains("/guardians/*/phone/value");
        std::size_t checked = 0;
        std::vector<std::string> leaks;
        for (const auto& profile : profiles) {
            for (auto& leak : rebuiltNumbers(profile.profile_json, view.apply(profile.profile_json), ids_withheld,
                                             phones_withheld, checked)) {
                leaks.push_back(profile.person_id + ": " + leak);
            }
        }
        EXPECT_TRUE(leaks.empty()) << name << ": " << leaks.size() << " numbers given away, e.g. " << leaks.front();
        if (ids_withheld || phones_withheld) {
            EXPECT_GT(checked, profiles.size()) << name << ": the city's children should have numbers to withhold";
        }
        std::printf("view %s: %zu withheld numbers checked over %zu children\n", name.c_str(), checked,
                    profiles.size());
    }
}

// Last, since it changes the city: a change at the simulator, synced, linked and rebuilt while the server runs,
// gives changed children a second version, listed oldest first.
TEST_F(ProfileApiTest, HistoryListsVersionsOldestFirstAndGrowsAfterAChange) {
    const auto before = reference();
    ASSERT_FALSE(before.empty());
    for (std::size_t i = 0; i < before.size(); i += before.size() / 10) {
        const auto reply = get("/v1/profiles/" + encode(before[i].person_id) + "/history");
        ASSERT_EQ(reply.status, 200) << reply.body.substr(0, 300);
        const auto versions = reply.json()["versions"].GetArray();
        ASSERT_EQ(versions.Size(), 1u);
        EXPECT_EQ(versions[0]["version"].GetInt64(), 1);
        EXPECT_TRUE(versions[0]["profile"] == sim::parseJson(before[i].profile_json));
    }

    ASSERT_EQ(sim_->post("/control/change?fraction=0.1&seed=5").status, 200);
    const auto synced = gateway_->sync();
    ASSERT_EQ(synced.exit_code, 0) << synced.err;
    const auto linked = gateway_->run({"link"});
    ASSERT_EQ(linked.exit_code, 0) << linked.err;
    const auto built = gateway_->run({"profiles", "rebuild", "--set", std::string("profile.as_of=") + kAsOf},
                                     {{"GATEWAY_CLOCK_START", kSecondBuild}});
    ASSERT_EQ(built.exit_code, 0) << built.err;
    std::printf("%s", built.out.c_str());

    const auto after = reference();
    std::size_t changed = 0;
    for (const auto& profile : after) {
        if (profile.version < 2) {
            continue;
        }
        ++changed;
        const auto history = store_->profileHistory(profile.person_id);
        if (std::any_of(history.begin(), history.end(), [](const auto& version) { return version.removed; })) {
            // Of age on the first build (the change moved the birth date): history leaves removed versions out.
            continue;
        }
        const auto reply = get("/v1/profiles/" + encode(profile.person_id) + "/history");
        ASSERT_EQ(reply.status, 200) << reply.body.substr(0, 300);
        const auto json = reply.json();
        const auto& versions = json["versions"];
        ASSERT_EQ(versions.Size(), history.size()) << profile.person_id;
        ASSERT_EQ(versions.Size(), static_cast<rapidjson::SizeType>(profile.version)) << profile.person_id;
        std::string previous_built;
        for (rapidjson::SizeType i = 0; i < versions.Size(); ++i) {
            EXPECT_EQ(versions[i]["version"].GetInt64(), static_cast<std::int64_t>(i + 1)) << "oldest first";
            EXPECT_EQ(std::string(versions[i]["person_id"].GetString()), profile.person_id);
            EXPECT_LE(previous_built, versions[i]["built_at"].GetString());
            previous_built = versions[i]["built_at"].GetString();
            EXPECT_TRUE(versions[i]["profile"] == sim::parseJson(history[i].profile_json)) << profile.person_id;
        }
        EXPECT_FALSE(versions[0]["profile"] == versions[versions.Size() - 1]["profile"])
            << profile.person_id << ": a new version without a change";
        // The current profile is the last version.
        const auto current = get("/v1/profiles/" + encode(profile.person_id));
        ASSERT_EQ(current.status, 200);
        EXPECT_EQ(current.json()["version"].GetInt64(), profile.version);
        EXPECT_TRUE(current.json()["profile"] == versions[versions.Size() - 1]["profile"]);
        EXPECT_EQ(versions.Size(), 2u) << profile.person_id << ": one change gives a changed child two versions";
    }
    std::printf("%zu of %zu profiles have a second version\n", changed, after.size());
    EXPECT_GT(changed, 0u) << "a 10 % change should change some profiles";

    // updated_since the rebuild lists exactly the profiles it wrote.
    std::string latest;
    for (const auto& profile : before) {
        latest = std::max(latest, profile.built_at);
    }
    std::string since;  // the time of the second build
    for (const auto& profile : after) {
        if (profile.built_at > latest && (since.empty() || profile.built_at < since)) {
            since = profile.built_at;
        }
    }
    ASSERT_FALSE(since.empty()) << "the second build wrote nothing";
    ASSERT_EQ(since.substr(0, 19), std::string(kSecondBuild).substr(0, 19)) << "the second build's clock";
    std::vector<std::string> newer;
    for (const auto& profile : after) {
        if (profile.built_at >= since) {
            newer.push_back(profile.person_id);
        }
    }
    EXPECT_EQ(
        newer.size(), changed + [&] {
            std::size_t fresh = 0;  // persons first profiled by the second build
            for (const auto& profile : after) {
                fresh += profile.version == 1 && profile.built_at >= since ? 1 : 0;
            }
            return fresh;
        }());
    // Every page of the profiles updated since `value`, or the status of the first refused page.
    const auto listSince = [&](const std::string& value) {
        std::vector<std::string> ids;
        for (std::string cursor;;) {
            const auto reply = get("/v1/profiles?limit=500&updated_since=" + encode(value) +
                                   (cursor.empty() ? "" : "&cursor=" + encode(cursor)));
            EXPECT_NE(reply.status, 500) << value;
            if (reply.status != 200) {
                return std::make_pair(reply.status, ids);
            }
            const auto page = reply.json();  // outlives the loop over its items
            for (const auto& item : page["items"].GetArray()) {
                ids.emplace_back(item["person_id"].GetString());
            }
            if (page["next_cursor"].IsNull()) {
                return std::make_pair(reply.status, ids);
            }
            cursor = page["next_cursor"].GetString();
        }
    };
    const auto [since_status, served] = listSince(since);
    ASSERT_EQ(since_status, 200);
    EXPECT_EQ(served, newer);

    // The same instant written another way selects the same profiles (or is refused): whole seconds, and the
    // local time of the city (UTC+8) with its offset. A text comparison with built_at gets both wrong.
    int tzd = 0;
    const Poco::DateTime instant = Poco::DateTimeParser::parse(Poco::DateTimeFormat::ISO8601_FRAC_FORMAT, since, tzd);
    const std::string whole_second =
        Poco::DateTimeFormatter::format(instant, "%Y-%m-%dT%H:%M:%SZ");  // at or before `since`
    std::vector<std::string> since_whole_second;
    for (const auto& profile : after) {
        if (profile.built_at >= whole_second.substr(0, 19)) {
            since_whole_second.push_back(profile.person_id);
        }
    }
    EXPECT_EQ(since_whole_second, newer) << "the builds ran an hour apart";
    for (const auto& [value, expected] :
         {std::make_pair(whole_second, since_whole_second),
          std::make_pair(
              Poco::DateTimeFormatter::format(Poco::LocalDateTime(8 * 3600, instant), "%Y-%m-%dT%H:%M:%S.%i%z"),
              newer)}) {
        const auto [status, ids] = listSince(value);
        EXPECT_TRUE(status == 400 || (status == 200 && ids == expected))
            << "updated_since=" << value << " (the instant " << since << "): status " << status << ", " << ids.size()
            << " profiles instead of " << expected.size();
    }

    // A profile removed by the re-link (its records went to another person) is no longer served, but its history is.
    profile::ProfileQuery removed_query;
    removed_query.include_removed = true;
    removed_query.limit = 1000000;
    for (const auto& profile : store_->queryProfiles(removed_query)) {
        if (!profile.removed) {
            continue;
        }
        expectError(get("/v1/profiles/" + encode(profile.person_id)), 404, "not_found", profile.person_id);
        EXPECT_EQ(get("/v1/profiles/" + encode(profile.person_id) + "/history").status, 200) << profile.person_id;
        break;
    }
}

}  // namespace
}  // namespace gateway::testing
