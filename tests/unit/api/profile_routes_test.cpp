// The profile routes through the router, on the in-memory profile store: a client sees the children of its scope
// only (another village's child is 404, another village's list 403), reads them through its view (a village sees no
// digit of an ID number), lists page by cursor and filter exactly what the store selects, and counts its divisions.

#include "gateway/api/profile_routes.h"
#include "gateway/api/api_server.h"
#include "gateway/common/hash.h"
#include "tests/support/fake_profile_store.h"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <map>
#include <tuple>

namespace gateway::api {
namespace {

using profile::ProfileVersion;

constexpr const char* kVillageA = "320411101201";
constexpr const char* kVillageB = "320411101202";
constexpr const char* kOtherTownship = "320411102001";
constexpr const char* kOtherDistrict = "320412001001";
// P-a1's citizen ID: region 320411, born 2014-03-05, sequence 124, check digit 8.
constexpr const char* kIdNumber = "320411201403051248";
constexpr const char* kBirthDigits = "20140305";

struct Child {
    std::string person_id;
    std::string village;
    std::string birth_date;
    std::string id_number;
    std::vector<std::string> classifications;
    std::vector<std::string> alerts;
    std::string built_at = "2026-11-01T08:00:00.000Z";
};

/// A live version shaped as the builder writes one: values with their provenance, record numbers and all.
ProfileVersion version(const Child& child) {
    ProfileVersion profile;
    profile.person_id = child.person_id;
    profile.built_at = child.built_at;
    profile.name = "张" + child.person_id;
    profile.id_number = child.id_number;
    profile.birth_date = child.birth_date;
    profile.residence_division = child.village;
    profile.hukou_division = child.village;
    profile.classifications = child.classifications;
    profile.alerts = child.alerts;
    const auto codes = [](const std::vector<std::string>& list) {
        std::string json = "[";
        for (const std::string& code : list) {
            json += (json.size() > 1 ? "," : "") + std::string(R"({"code":")") + code + R"(","provenance":[]})";
        }
        return json + "]";
    };
    profile.profile_json =
        R"({"person_id":")" + child.person_id + R"(","as_of":"2026-11-01","records":[{"source":"police_population",)" +
        R"("source_id":"P)" + child.id_number + R"("}],"identity":{"name":{"value":")" + profile.name +
        R"("},"id_number":{"value":")" + child.id_number + R"(","source":"police_population","source_id":"P)" +
        child.id_number + R"("},"birth_date":{"value":")" + child.birth_date +
        R"("}},"registration":{"residence_division":{"value":")" + child.village + R"("}},"classifications":)" +
        codes(child.classifications) + R"(,"alerts":)" + codes(child.alerts) + "}";
    profile.content_hash = sha256Hex(profile.profile_json);
    return profile;
}

/// A removal as the builder writes it, built when the others were.
ProfileVersion tombstone(ProfileVersion removal) {
    removal.built_at = "2026-11-01T08:00:00.000Z";
    return removal;
}

security::ClientRegistry clients() {
    std::string json = R"({"clients": [)";
    for (const auto& [id, roles, scope, view] :
         std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
             {"village-a", "app", kVillageA, "village"},
             {"village-b", "app", kVillageB, "village"},
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

class ProfileRoutesTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (const Child& child : std::vector<Child>{
                 {"P-a1", kVillageA, "2014-03-05", kIdNumber, {"left_behind"}, {"unsupervised_under_16"}},
                 {"P-a2",
                  kVillageA,
                  "2010-07-19",
                  "320411201007190014",
                  {"left_behind", "poverty"},
                  {},
                  "2026-10-01T08:00:00.000Z"},
                 {"P-a3", kVillageA, "", "", {}, {}},
                 {"P-b1", kVillageB, "2015-01-30", "320411201501300021", {"left_behind"}, {"school_age_not_enrolled"}},
                 {"P-c1", kOtherTownship, "2012-12-12", "320411201212120035", {"poverty"}, {}},
                 {"P-d1", kOtherDistrict, "2016-06-01", "320412201606010047", {"left_behind"}, {}}}) {
            store_.add(version(child));
        }
        // Moved from village B to village A.
        store_.add(
            version({"P-moved", kVillageB, "2013-02-02", "320411201302020056", {}, {}, "2026-09-01T08:00:00.000Z"}));
        store_.add(version({"P-moved", kVillageA, "2013-02-02", "320411201302020056", {}, {}}));
        // Merged into another person, and come of age: both left the views.
        store_.add(version({"P-gone", kVillageA, "2014-05-05", "320411201405050061", {"left_behind"}, {}}));
        store_.add(tombstone(builder_.removed("P-gone")));
        store_.add(version({"P-adult", kVillageA, "2008-11-01", "320411200811010078", {"left_behind"}, {}}));
        store_.add(tombstone(builder_.adult("P-adult")));

        router_.setClients(&directory_);
        addProfileRoutes(router_, store_, config_, views_);
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
        EXPECT_TRUE(document.IsObject()) << response.body;
        return document;
    }

    /// The person IDs of every page of a list, following next_cursor, and the pages taken.
    std::pair<std::vector<std::string>, int> listAll(const std::string& client,
                                                     std::multimap<std::string, std::string> query) {
        std::vector<std::string> persons;
        int pages = 0;
        for (std::string cursor;; ++pages) {
            auto page_query = query;
            if (!cursor.empty()) {
                page_query.emplace("cursor", cursor);
            }
            const Response response = get(client, "/v1/profiles", page_query);
            EXPECT_EQ(response.status, 200) << response.body;
            if (response.status != 200 || pages > 20) {
                break;
            }
            const auto body = json(response);
            for (const auto& item : body["items"].GetArray()) {
                persons.emplace_back(item["person_id"].GetString());
            }
            if (body["next_cursor"].IsNull()) {
                ++pages;
                break;
            }
            cursor = body["next_cursor"].GetString();
        }
        return {persons, pages};
    }

    std::vector<std::string> list(const std::string& client, std::multimap<std::string, std::string> query = {}) {
        return listAll(client, std::move(query)).first;
    }

    testing::FakeProfileStore store_;
    profile::ProfileConfig config_ = profile::ProfileConfig::builtin(model::CalendarDate(2026, 11, 1));
    profile::ProfileViews views_ = profile::ProfileViews::builtin();
    profile::ProfileBuilder builder_{config_};
    security::ClientDirectory directory_{clients()};
    Router router_;
};

using Names = std::vector<std::string>;

TEST_F(ProfileRoutesTest, AVillageSeesItsOwnChildrenOnlyAndAnotherVillagesChildIsNotFound) {
    EXPECT_EQ(list("village-a"), (Names{"P-a1", "P-a2", "P-a3", "P-moved"}));
    EXPECT_EQ(list("village-b"), (Names{"P-b1"})) << "P-moved lives in village A now";
    EXPECT_EQ(get("village-a", "/v1/profiles/P-a1").status, 200);

    // Another village's child is answered as one that does not exist, so that IDs cannot be probed.
    const Response other = get("village-a", "/v1/profiles/P-b1");
    EXPECT_EQ(other.status, 404) << other.body;
    EXPECT_EQ(get("village-a", "/v1/profiles/P-b1/history").status, 404);
    EXPECT_EQ(get("village-b", "/v1/profiles/P-a1").status, 404);
    EXPECT_EQ(get("village-a", "/v1/profiles/P-c1").status, 404);
    // A list of another village, township or district is refused outright: it is outside the scope.
    for (const std::string division : {kVillageB, "320411101", "320411", "320411000000", "3204"}) {
        EXPECT_EQ(get("village-a", "/v1/profiles", {{"division", division}}).status, 403) << division;
        EXPECT_EQ(get("village-a", "/v1/stats", {{"division", division}}).status, 403) << division;
    }
    // A filter cannot reach past the scope either: P-b1's own ID number finds nothing from village A.
    EXPECT_TRUE(list("village-a", {{"id_number", "320411201501300021"}}).empty());
    EXPECT_EQ(list("village-b", {{"id_number", "320411201501300021"}}), (Names{"P-b1"}));

    // The township sees both villages, and the city everyone.
    EXPECT_EQ(list("township"), (Names{"P-a1", "P-a2", "P-a3", "P-b1", "P-moved"}));
    EXPECT_EQ(list("city"), (Names{"P-a1", "P-a2", "P-a3", "P-b1", "P-c1", "P-d1", "P-moved"}));
    EXPECT_EQ(get("township", "/v1/profiles/P-c1").status, 404);
    EXPECT_EQ(get("city", "/v1/profiles/P-c1").status, 200);
}

TEST_F(ProfileRoutesTest, AProfileThatLeftTheViewsIsNotFoundForAnyone) {
    for (const std::string client : {"village-a", "city"}) {
        EXPECT_EQ(get(client, "/v1/profiles/P-gone").status, 404) << client;
        EXPECT_EQ(get(client, "/v1/profiles/P-adult").status, 404) << client;
        EXPECT_EQ(get(client, "/v1/profiles/P-adult/history").status, 404)
            << client << ": of age, the minor's file leaves every view, history included";
    }
    // A person merged into another keeps its history, without the removal.
    const Response gone = get("village-a", "/v1/profiles/P-gone/history");
    ASSERT_EQ(gone.status, 200) << gone.body;
    EXPECT_EQ(json(gone)["versions"].Size(), 1u);
    EXPECT_EQ(list("city", {{"classification", "left_behind"}, {"division", kVillageA}}), (Names{"P-a1", "P-a2"}));
}

TEST_F(ProfileRoutesTest, TheVillageViewWithholdsTheIdNumberAndItsBirthDateDigits) {
    const Response village = get("village-a", "/v1/profiles/P-a1");
    ASSERT_EQ(village.status, 200) << village.body;
    const auto shown = json(village);
    EXPECT_STREQ(shown["profile"]["identity"]["id_number"]["value"].GetString(), "***");
    EXPECT_STREQ(shown["profile"]["identity"]["birth_date"]["value"].GetString(), "2014-03-05")
        << "the birth date is shown on its own";
    EXPECT_EQ(village.body.find(kBirthDigits), std::string::npos) << village.body;
    EXPECT_EQ(village.body.find("201403051248"), std::string::npos) << "nor in a record number: " << village.body;
    EXPECT_FALSE(shown["profile"].HasMember("records"));
    EXPECT_EQ(village.persons, (Names{"P-a1"}));

    const Response history = get("village-a", "/v1/profiles/P-a1/history");
    ASSERT_EQ(history.status, 200);
    EXPECT_EQ(history.body.find(kBirthDigits), std::string::npos) << history.body;
    // The list shows no ID number at all, even when it was asked for by one.
    const Response found = get("village-a", "/v1/profiles", {{"id_number", kIdNumber}});
    ASSERT_EQ(found.status, 200);
    EXPECT_EQ(json(found)["items"].Size(), 1u);
    EXPECT_EQ(found.body.find(kBirthDigits), std::string::npos) << found.body;

    // The township withholds it too; the city's staff see it whole.
    EXPECT_EQ(get("township", "/v1/profiles/P-a1").body.find(kBirthDigits), std::string::npos);
    const auto city = json(get("city", "/v1/profiles/P-a1"));
    EXPECT_STREQ(city["profile"]["identity"]["id_number"]["value"].GetString(), kIdNumber);

    // A client reading statistics only reads no profile, and one with a role the routes do not admit, nothing.
    EXPECT_EQ(get("counter", "/v1/profiles/P-a1").status, 403);
    EXPECT_EQ(get("counter", "/v1/profiles").status, 403);
    EXPECT_EQ(get("operator", "/v1/profiles/P-a1").status, 403);
}

TEST_F(ProfileRoutesTest, HistoryIsOldestFirstAndLeavesOutWhatLayOutsideTheScope) {
    const auto city = json(get("city", "/v1/profiles/P-moved/history"));
    ASSERT_EQ(city["versions"].Size(), 2u);
    EXPECT_EQ(city["versions"][0]["version"].GetInt64(), 1);
    EXPECT_EQ(city["versions"][1]["version"].GetInt64(), 2);

    const auto village = json(get("village-a", "/v1/profiles/P-moved/history"));
    ASSERT_EQ(village["versions"].Size(), 1u) << "version 1, from village B, is not village A's to see";
    EXPECT_EQ(village["versions"][0]["version"].GetInt64(), 2);
    EXPECT_EQ(get("village-b", "/v1/profiles/P-moved").status, 404);
    const auto moved_away = json(get("village-b", "/v1/profiles/P-moved/history"));
    ASSERT_EQ(moved_away["versions"].Size(), 1u) << "village B keeps what it saw";
    EXPECT_EQ(moved_away["versions"][0]["version"].GetInt64(), 1);
}

TEST_F(ProfileRoutesTest, ListsPageByCursorAndFilterByCodeAgeTimeAndDivision) {
    // Pages of one, two and three walk every child once, in order.
    const Names everyone{"P-a1", "P-a2", "P-a3", "P-b1", "P-c1", "P-d1", "P-moved"};
    for (const auto& [limit, pages] :
         std::vector<std::pair<std::string, int>>{{"1", 7}, {"2", 4}, {"3", 3}, {"7", 1}}) {
        const auto [persons, taken] = listAll("city", {{"limit", limit}});
        EXPECT_EQ(persons, everyone) << "limit " << limit;
        EXPECT_EQ(taken, pages) << "limit " << limit;
    }
    const auto first = json(get("city", "/v1/profiles", {{"limit", "2"}}));
    EXPECT_STREQ(first["next_cursor"].GetString(), "P-a2");
    const auto one = json(get("city", "/v1/profiles", {{"limit", "1"}}));
    const auto summary = one["items"][0].GetObject();
    EXPECT_STREQ(summary["birth_date"].GetString(), "2014-03-05");
    EXPECT_STREQ(summary["residence_division"].GetString(), kVillageA);
    EXPECT_EQ(summary["alerts"].Size(), 1u);
    EXPECT_FALSE(summary.HasMember("profile")) << "a list carries the indexed columns only";

    EXPECT_EQ(list("city", {{"classification", "left_behind"}}), (Names{"P-a1", "P-a2", "P-b1", "P-d1"}));
    EXPECT_EQ(list("city", {{"classification", "poverty"}, {"division", "320411"}}), (Names{"P-a2", "P-c1"}));
    EXPECT_EQ(list("city", {{"alert", "unsupervised_under_16"}}), (Names{"P-a1"}));
    EXPECT_EQ(list("city", {{"division", "320411101000"}}), (Names{"P-a1", "P-a2", "P-a3", "P-b1", "P-moved"}));
    EXPECT_EQ(list("city", {{"division", "320412000000"}}), (Names{"P-d1"}));
    EXPECT_EQ(list("township", {{"division", kVillageB}}), (Names{"P-b1"}));
    EXPECT_EQ(list("city", {{"updated_since", "2026-10-15"}}),
              (Names{"P-a1", "P-a3", "P-b1", "P-c1", "P-d1", "P-moved"}));
    EXPECT_EQ(list("city", {{"updated_since", "2026-11-01T16:00:00+08:00"}}),
              (Names{"P-a1", "P-a3", "P-b1", "P-c1", "P-d1", "P-moved"}))
        << "08:00 UTC is 16:00 in Beijing: inclusive";

    // Ages on 2026-11-01: P-a1 12, P-a2 16, P-b1 11, P-c1 13, P-d1 10, P-moved 13; P-a3's is not known.
    EXPECT_EQ(list("city", {{"age_min", "13"}}), (Names{"P-a2", "P-c1", "P-moved"}));
    EXPECT_EQ(list("city", {{"age_max", "11"}}), (Names{"P-b1", "P-d1"}));
    EXPECT_EQ(list("city", {{"age_min", "12"}, {"age_max", "12"}}), (Names{"P-a1"}));
    EXPECT_EQ(list("city", {{"age_min", "0"}}), (Names{"P-a1", "P-a2", "P-b1", "P-c1", "P-d1", "P-moved"}))
        << "an unknown birth date says nothing about the age";
    EXPECT_TRUE(list("city", {{"age_min", "17"}}).empty());

    for (const auto& [name, value] :
         std::vector<std::pair<std::string, std::string>>{{"classification", "unknown"},
                                                          {"alert", "left_behind"},
                                                          {"cursor", "P' OR 1=1"},
                                                          {"limit", "0"},
                                                          {"limit", "501"},
                                                          {"age_min", "-1"},
                                                          {"division", "3204x1"},
                                                          {"id_number", "32041120140305124"},
                                                          {"updated_since", "yesterday"}}) {
        EXPECT_EQ(get("city", "/v1/profiles", {{name, value}}).status, 400) << name << "=" << value;
    }
}

TEST_F(ProfileRoutesTest, CountsCoverTheDivisionAndEachOneBelowIt) {
    using Codes = std::map<std::string, std::int64_t>;
    const Response response = get("city", "/v1/stats", {{"division", "320411"}});
    ASSERT_EQ(response.status, 200) << response.body;
    const auto body = json(response);
    const auto& divisions = body["divisions"];
    ASSERT_EQ(divisions.Size(), 3u);
    const auto codes = [](const rapidjson::Value& object) {
        Codes result;
        for (const auto& member : object.GetObject()) {
            result[member.name.GetString()] = member.value.GetInt64();
        }
        return result;
    };
    EXPECT_STREQ(divisions[0]["division"].GetString(), "320411");
    EXPECT_EQ(divisions[0]["children"].GetInt64(), 6) << "the removed are not counted";
    EXPECT_EQ(codes(divisions[0]["classifications"]), (Codes{{"left_behind", 3}, {"poverty", 2}}));
    EXPECT_EQ(codes(divisions[0]["alerts"]), (Codes{{"school_age_not_enrolled", 1}, {"unsupervised_under_16", 1}}));
    EXPECT_STREQ(divisions[1]["division"].GetString(), "320411101");
    EXPECT_EQ(divisions[1]["children"].GetInt64(), 5);
    EXPECT_STREQ(divisions[2]["division"].GetString(), "320411102");
    EXPECT_EQ(divisions[2]["children"].GetInt64(), 1);
    EXPECT_EQ(codes(divisions[2]["classifications"]), (Codes{{"poverty", 1}}));

    // A township splits into its villages; the statistics client reads counts within its scope.
    const auto township = json(get("counter", "/v1/stats", {{"division", "320411101000"}}));
    ASSERT_EQ(township["divisions"].Size(), 3u);
    EXPECT_STREQ(township["divisions"][1]["division"].GetString(), kVillageA);
    EXPECT_EQ(township["divisions"][1]["children"].GetInt64(), 4);
    EXPECT_STREQ(township["divisions"][2]["division"].GetString(), kVillageB);
    EXPECT_EQ(get("counter", "/v1/stats", {{"division", "320412"}}).status, 403);

    // A village is one element; a division without children one element of zeros; the city names one.
    const auto village = json(get("village-a", "/v1/stats"));
    ASSERT_EQ(village["divisions"].Size(), 1u);
    EXPECT_EQ(village["divisions"][0]["children"].GetInt64(), 4);
    const auto empty = json(get("city", "/v1/stats", {{"division", "320413"}}));
    ASSERT_EQ(empty["divisions"].Size(), 1u);
    EXPECT_EQ(empty["divisions"][0]["children"].GetInt64(), 0);
    EXPECT_EQ(get("city", "/v1/stats").status, 400) << "the whole city is no division";
}

}  // namespace
}  // namespace gateway::api
