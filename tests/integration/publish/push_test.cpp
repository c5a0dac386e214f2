// Profiles pushed to the four levels and pulled from the changes feed, end to end on real sockets: deptsim's city
// synced, linked and built into profiles by the real gateway, pushed by `gateway push run` to `deptsim sink`
// subscribers of a city, a district, a township and a village, then a 5 % change (children moving house among them)
// pushed again. Every platform must end with exactly the profiles its scope holds, in order, nothing missing, with a
// removal notice where a child left; a subscriber down for the whole first push must lose nothing and spend no
// attempts; a kill -9 mid-batch must lose nothing; refused batches must become dead letters an operator can
// redeliver; the changes feed must carry the same events as the push; a village client must see no other village.

#include "gateway/profile/profile_view.h"
#include "gateway/store/store.h"
#include "tests/integration/sim/gateway_setup.h"
#include "tests/integration/sim/sink_process.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace gateway::testing {
namespace {

constexpr const char* kAsOf = "2026-11-01";
const std::string kHookSecret = sim::kSinkSecret;

std::string compact(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

/// One level's push subscriber as the test configures it.
struct Level {
    std::string name;
    std::string scope;
    std::string view;
};

/// What one subscriber received, in arrival order: every accepted event (duplicates included).
struct Received {
    std::vector<std::string> events;  // compact JSON
    std::size_t requests = 0;
    std::size_t bad_signatures = 0;
};

Received receivedBy(const sim::SinkProcess& sink, const std::string& name) {
    Received result;
    for (const auto& line : sink.lines()) {
        if (std::string(line["name"].GetString()) != name) {
            continue;
        }
        ++result.requests;
        if (!line["signature_valid"].GetBool()) {
            ++result.bad_signatures;
        }
        if (line["status"].GetInt() != 200) {
            continue;
        }
        EXPECT_EQ(std::string(line["body"]["subscriber"].GetString()), name);
        for (const auto& event : line["body"]["events"].GetArray()) {
            result.events.push_back(compact(event));
        }
    }
    return result;
}

/// A platform that applies events as a subscriber should: a profile replaces the person's file, a removal notice
/// or retraction deletes it. Checks the order rules on the way.
struct Platform {
    std::map<std::string, std::pair<std::int64_t, std::string>> files;  // person → (version, profile JSON)
    std::map<std::string, std::string> by_key;                          // idempotency key → event JSON
    std::map<std::string, std::int64_t> last_version;
    std::vector<std::string> distinct;  // first occurrence of each key, in order
    std::size_t moved_out = 0;
    std::size_t retracted = 0;

    void apply(const std::string& json, const std::string& who) {
        const auto event = sim::parseJson(json);
        const std::string key = event["idempotency_key"].GetString();
        const std::string person = event["person_id"].GetString();
        const std::int64_t version = event["version"].GetInt64();
        EXPECT_EQ(key, person + ":" + std::to_string(version)) << who;
        if (const auto seen = by_key.find(key); seen != by_key.end()) {
            EXPECT_EQ(seen->second, json) << who << ": a resent event must be the same event";
            return;
        }
        by_key.emplace(key, json);
        distinct.push_back(json);
        EXPECT_GT(version, last_version[person]) << who << ": versions of one person arrive in order, " << key;
        last_version[person] = version;
        const std::string type = event["type"].GetString();
        if (type == "profile") {
            files[person] = {version, compact(event["profile"])};
        } else {
            EXPECT_TRUE(type == "moved_out" || type == "retracted") << who << ": " << type;
            EXPECT_FALSE(event.HasMember("profile")) << who << ": a " << type << " carries no data";
            moved_out += type == "moved_out";
            retracted += type == "retracted";
            files.erase(person);
        }
    }
};

Platform replay(const std::vector<std::string>& events, const std::string& who) {
    Platform platform;
    for (const std::string& event : events) {
        platform.apply(event, who);
    }
    return platform;
}

class PushTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        sim_ = std::make_unique<sim::DeptsimServer>(std::vector<std::string>{}, 2000, 43);
        gateway_ = std::make_unique<GatewaySetup>(*sim_);
        ASSERT_EQ(gateway_->sync().exit_code, 0);
        ASSERT_EQ(gateway_->run({"link", "--full"}).exit_code, 0);
        ASSERT_EQ(gateway_->run({"profiles", "rebuild", "--set", std::string("profile.as_of=") + kAsOf}).exit_code, 0);

        // Children move house; the profiles follow before anything is pushed, so that the streams hold moves.
        ASSERT_TRUE(changeAndRebuild(3));

        // The village a child moved out of (else the busiest one), a second village of its township, and the
        // levels above them.
        auto store = gateway_->openStore();
        profile::ProfileQuery everything;
        everything.limit = 1000000;
        std::map<std::string, int> count;
        for (const auto& profile : store->queryProfiles(everything)) {
            if (profile.residence_division.size() == 12 && !profile.residence_division.ends_with("000")) {
                ++count[profile.residence_division];
            }
        }
        ASSERT_GE(count.size(), 2u);
        const auto hasNeighbour = [&](const std::string& village) {
            return std::any_of(count.begin(), count.end(), [&](const auto& other) {
                return other.first != village && other.first.starts_with(village.substr(0, 9));
            });
        };
        for (const auto& entry : store->outbox(0, "", 1000000)) {
            if (entry.previous_division.size() == 12 && !entry.division.empty() &&
                entry.division.substr(0, 9) != entry.previous_division.substr(0, 9) &&
                count.contains(entry.previous_division) && hasNeighbour(entry.previous_division)) {
                village_ = entry.previous_division;
                break;
            }
        }
        if (village_.empty()) {
            village_ = std::max_element(count.begin(), count.end(), [](auto& a, auto& b) {
                           return a.second < b.second;
                       })->first;
        }
        for (const auto& [code, n] : count) {
            if (code != village_ && code.starts_with(village_.substr(0, 9)) &&
                (neighbour_.empty() || n > count[neighbour_])) {
                neighbour_ = code;
            }
        }
        ASSERT_FALSE(neighbour_.empty()) << "no second village in the township of " << village_;
        levels_ = {{"city-" + village_.substr(0, 4), village_.substr(0, 4), "city"},
                   {"district-" + village_.substr(0, 6), village_.substr(0, 6), "district"},
                   {"township-" + village_.substr(0, 9), village_.substr(0, 9), "township"},
                   {"village-" + village_, village_, "village"}};

        writeFile(dir_.file("hook.secret"), kHookSecret + "\n");
        // The sink is started once to learn a free port, then stopped: the first push meets a subscriber that is
        // down for the whole of it.
        int port = 0;
        {
            sim::SinkProcess probe({}, dir_.file("sink"));
            port = Poco::URI(probe.url()).getPort();
            ASSERT_EQ(probe.stop(), 0);
        }
        sink_url_ = "http://127.0.0.1:" + std::to_string(port);
        writeSubscribers(dir_.file("subscribers.json"), levels_, 50, 3);

        down_ = run({"push", "run", "--once"});
        for (const Level& level : levels_) {
            down_states_.push_back(store->pushState(level.name));
        }
        sink_ = std::make_unique<sim::SinkProcess>(std::vector<std::string>{}, dir_.file("sink"), port);
        first_ = run({"push", "run", "--timeout", "60"});

        // More changes; the same path runs again and pushes only what changed.
        ASSERT_TRUE(changeAndRebuild(4));
        second_ = run({"push", "run", "--timeout", "60"});

        writeClients();
        std::string banner;
        server_ = gateway_->serve(
            {"--set", std::string("profile.as_of=") + kAsOf, "--set", "api.clients=" + dir_.file("clients.json")}, url_,
            banner);
        ASSERT_FALSE(url_.empty()) << banner;
    }

    static void TearDownTestSuite() {
        if (server_) {
            EXPECT_EQ(server_->terminate(), 0);
        }
        server_.reset();
        sink_.reset();
        gateway_.reset();
        sim_.reset();
    }

    void SetUp() override {
        ASSERT_TRUE(sink_ && !url_.empty()) << "the suite's set-up failed";
        store_ = gateway_->openStore();
    }

    /// A 5 % change in the simulated city (some households move), then sync, link and a profile rebuild.
    static bool changeAndRebuild(int seed) {
        EXPECT_EQ(sim_->post("/control/change?fraction=0.05&seed=" + std::to_string(seed)).status, 200);
        const auto synced = gateway_->sync();
        const auto linked = gateway_->run({"link"});
        const auto built = gateway_->run({"profiles", "rebuild", "--set", std::string("profile.as_of=") + kAsOf});
        EXPECT_EQ(synced.exit_code, 0) << synced.err;
        EXPECT_EQ(linked.exit_code, 0) << linked.err;
        EXPECT_EQ(built.exit_code, 0) << built.err;
        return synced.exit_code == 0 && linked.exit_code == 0 && built.exit_code == 0;
    }

    /// `gateway ARGS` on the suite's configuration, as of kAsOf, pushing to the suite's subscribers (or `file`).
    static RunResult run(std::vector<std::string> args, const std::string& subscribers = "") {
        args.insert(args.end(),
                    {"--set", std::string("profile.as_of=") + kAsOf, "--set",
                     "push.subscribers=" + (subscribers.empty() ? dir_.file("subscribers.json") : subscribers), "--set",
                     "push.backoff_initial_ms=20", "--set", "push.backoff_max_ms=200"});
        return gateway_->run(args);
    }

    static void writeSubscribers(const std::string& path, const std::vector<Level>& levels, int batch_size,
                                 int max_attempts) {
        std::string json = R"({"subscribers": [)";
        for (std::size_t i = 0; i < levels.size(); ++i) {
            json += (i == 0 ? "" : ",") + std::string(R"({"name": ")") + levels[i].name + R"(", "url": ")" + sink_url_ +
                    "/hooks/" + levels[i].name + R"(", "scope": ")" + levels[i].scope + R"(", "view": ")" +
                    levels[i].view + R"(", "secret_file": "hook.secret", "batch_size": )" + std::to_string(batch_size) +
                    R"(, "max_attempts": )" + std::to_string(max_attempts) + R"(, "timeout_ms": 5000})";
        }
        writeFile(path, json + "]}");
    }

    /// A client per village of interest, one for the township, one that reads statistics only, one reviewer.
    static void writeClients() {
        std::string json = R"({"clients": [)";
        const auto add = [&](const std::string& id, const std::string& roles, const std::string& scope,
                             const std::string& view) {
            keys_[id] = "key-of-" + id;
            json += (json.ends_with("[") ? "" : ",") + std::string(R"({"id": ")") + id + R"(", "roles": [)" + roles +
                    R"(], "scope": ")" + scope + R"(", "view": ")" + view + R"(", "api_key_sha256": ")" +
                    sha256Hex(keys_[id]) + R"("})";
        };
        add("village", R"("app")", village_, "village");
        add("neighbour", R"("app")", neighbour_, "village");
        add("township", R"("app")", village_.substr(0, 9), "township");
        add("statistics", R"("app")", village_.substr(0, 9), "statistics");
        add("reviewer", R"("reviewer")", "", "");
        writeFile(dir_.file("clients.json"), json + "]}");
    }

    static sim::HttpReply get(const std::string& client, const std::string& path) {
        std::map<std::string, std::string> headers{{"X-Purpose", "case_assessment"}};
        if (!client.empty()) {
            headers["Authorization"] = "Bearer " + keys_.at(client);
        }
        return sim::httpRequest(url_, "GET", path, headers);
    }

    /// Every event of /v1/changes for `client`, from the start, `limit` per page.
    static std::vector<std::string> feed(const std::string& client, int limit) {
        std::vector<std::string> events;
        std::string cursor;
        for (int pages = 0; pages < 10000; ++pages) {
            const auto reply =
                get(client, "/v1/changes?limit=" + std::to_string(limit) + (cursor.empty() ? "" : "&cursor=" + cursor));
            EXPECT_EQ(reply.status, 200) << reply.body.substr(0, 300);
            if (reply.status != 200) {
                break;
            }
            const auto page = reply.json();
            for (const auto& event : page["events"].GetArray()) {
                events.push_back(compact(event));
            }
            const std::string next = page["next_cursor"].GetString();
            if (page["events"].Empty()) {
                if (!cursor.empty()) {
                    EXPECT_EQ(next, cursor) << "an empty page hands back the cursor it was given";
                }
                break;
            }
            cursor = next;
        }
        return events;
    }

    static const profile::ProfileViews& views() {
        static const profile::ProfileViews builtin = profile::ProfileViews::builtin();
        return builtin;
    }

    /// The current profiles of a scope, as the store holds them: person → (version, JSON through the view).
    std::map<std::string, std::pair<std::int64_t, std::string>> expected(const Level& level) const {
        profile::ProfileQuery query;
        query.division_prefix = level.scope;
        query.limit = 1000000;
        std::map<std::string, std::pair<std::int64_t, std::string>> result;
        const profile::ProfileView& view = *views().find(level.view);
        for (const auto& profile : store_->queryProfiles(query)) {
            result[profile.person_id] = {profile.version, compact(sim::parseJson(view.apply(profile.profile_json)))};
        }
        return result;
    }

    static std::unique_ptr<sim::DeptsimServer> sim_;
    static std::unique_ptr<GatewaySetup> gateway_;
    static std::unique_ptr<sim::SinkProcess> sink_;
    static std::unique_ptr<GatewayProcess> server_;
    static TempDir dir_;
    static std::string sink_url_;
    static std::string url_;
    static std::string village_;
    static std::string neighbour_;
    static std::vector<Level> levels_;
    static std::map<std::string, std::string> keys_;
    static RunResult down_;
    static RunResult first_;
    static RunResult second_;
    static std::vector<publish::PushState> down_states_;
    std::unique_ptr<store::Store> store_;
};

std::unique_ptr<sim::DeptsimServer> PushTest::sim_;
std::unique_ptr<GatewaySetup> PushTest::gateway_;
std::unique_ptr<sim::SinkProcess> PushTest::sink_;
std::unique_ptr<GatewayProcess> PushTest::server_;
TempDir PushTest::dir_;
std::string PushTest::sink_url_;
std::string PushTest::url_;
std::string PushTest::village_;
std::string PushTest::neighbour_;
std::vector<Level> PushTest::levels_;
std::map<std::string, std::string> PushTest::keys_;
RunResult PushTest::down_;
RunResult PushTest::first_;
RunResult PushTest::second_;
std::vector<publish::PushState> PushTest::down_states_;

TEST_F(PushTest, ASubscriberDownForTheWholePushSpendsNoAttemptsAndLaterGetsEverything) {
    EXPECT_EQ(down_.exit_code, 69) << down_.err;
    ASSERT_EQ(down_states_.size(), levels_.size());
    for (const publish::PushState& state : down_states_) {
        EXPECT_EQ(state.delivered_through, 0) << state.subscriber;
        EXPECT_GE(state.attempts, 1) << state.subscriber;
        EXPECT_EQ(state.refusals, 0) << state.subscriber << ": an unreachable platform refused nothing";
        EXPECT_EQ(state.dead_letters, 0) << state.subscriber;
        EXPECT_FALSE(state.last_error.empty()) << state.subscriber;
    }
    EXPECT_EQ(first_.exit_code, 0) << first_.err;
    EXPECT_EQ(second_.exit_code, 0) << second_.err;
    for (const Level& level : levels_) {
        const auto state = store_->pushState(level.name);
        EXPECT_EQ(state.attempts, 0) << level.name;
        EXPECT_EQ(state.dead_letters, 0) << level.name;
        const auto first_entry = store_->outbox(0, level.scope, 1);
        ASSERT_EQ(first_entry.size(), 1u) << level.name;
        const Received received = receivedBy(*sink_, level.name);
        ASSERT_FALSE(received.events.empty()) << level.name;
        EXPECT_EQ(sim::parseJson(received.events.front())["seq"].GetInt64(), first_entry.front().seq)
            << level.name << ": the stream starts at the scope's first change";
    }
}

TEST_F(PushTest, EveryLevelEndsWithExactlyTheProfilesItsScopeHoldsInOrder) {
    std::size_t moves_seen = 0;
    for (const Level& level : levels_) {
        const Received received = receivedBy(*sink_, level.name);
        EXPECT_EQ(received.bad_signatures, 0u) << level.name << ": every POST is signed with the subscriber's secret";
        const Platform platform = replay(received.events, level.name);
        const auto want = expected(level);
        EXPECT_EQ(platform.files.size(), want.size()) << level.name;
        std::size_t wrong = 0;
        for (const auto& [person, file] : want) {
            const auto got = platform.files.find(person);
            if (got == platform.files.end() || got->second != file) {
                ++wrong;
            }
        }
        EXPECT_EQ(wrong, 0u) << level.name << ": profiles missing or not the current version through the view";

        // Every outbox entry of the scope arrived once, in seq order, as the right kind of event.
        std::vector<std::int64_t> sent;
        for (const std::string& event : platform.distinct) {
            sent.push_back(sim::parseJson(event)["seq"].GetInt64());
        }
        std::vector<std::int64_t> outbox;
        std::size_t moved_out = 0;
        for (const auto& entry : store_->outbox(0, level.scope, 1000000)) {
            outbox.push_back(entry.seq);
            moved_out += !entry.removed && !entry.division.starts_with(level.scope);
        }
        EXPECT_EQ(sent, outbox) << level.name;
        EXPECT_EQ(platform.moved_out, moved_out) << level.name;
        moves_seen += moved_out;
        std::printf("%-24s %6zu events in %4zu POSTs, %5zu profiles held, %3zu moved out, %3zu retracted\n",
                    level.name.c_str(), platform.distinct.size(), received.requests, platform.files.size(),
                    platform.moved_out, platform.retracted);
    }
    // The change moved children between villages and townships; the city and district hold all of them.
    std::size_t moves = 0;
    for (const auto& entry : store_->outbox(0, "", 1000000)) {
        moves +=
            !entry.previous_division.empty() && !entry.division.empty() && entry.division != entry.previous_division;
    }
    std::printf("children who moved: %zu; removal notices to the township and village they left: %zu\n", moves,
                moves_seen);
    EXPECT_GT(moves_seen, 0u) << "no child left the township or village, so removal notices went untested";
}

TEST_F(PushTest, TheChangesFeedCarriesTheSameEventsAsThePush) {
    for (const auto& [client, level] :
         {std::pair<std::string, Level>{"village", levels_[3]}, {"township", levels_[2]}}) {
        const auto pulled = feed(client, 37);
        const Platform pushed = replay(receivedBy(*sink_, level.name).events, level.name);
        EXPECT_EQ(pulled, pushed.distinct) << client << ": the feed from cursor zero is the pushed stream";
        const Platform platform = replay(pulled, client);
        EXPECT_EQ(platform.files, pushed.files) << client;
        EXPECT_EQ(platform.files.size(), expected(level).size()) << client;
    }

    // Long polling: nothing new within a second comes back empty after waiting, with the same cursor.
    const auto last = get("village", "/v1/changes?limit=1000");
    const std::string cursor = last.json()["next_cursor"].GetString();
    const auto started = std::chrono::steady_clock::now();
    const auto empty = get("village", "/v1/changes?wait=1&cursor=" + cursor);
    const auto waited = std::chrono::steady_clock::now() - started;
    ASSERT_EQ(empty.status, 200) << empty.body;
    EXPECT_TRUE(empty.json()["events"].Empty());
    EXPECT_EQ(std::string(empty.json()["next_cursor"].GetString()), cursor);
    EXPECT_GE(waited, std::chrono::milliseconds(900));
}

TEST_F(PushTest, AVillageClientSeesNoOtherVillageThroughAnyEndpointOrFilter) {
    profile::ProfileQuery query;
    query.division_prefix = neighbour_;
    query.limit = 1000000;
    const auto others = store_->queryProfiles(query);
    ASSERT_FALSE(others.empty());
    for (std::size_t i = 0; i < others.size(); i += std::max<std::size_t>(1, others.size() / 10)) {
        const auto& other = others[i];
        EXPECT_EQ(get("village", "/v1/profiles/" + other.person_id).status, 404) << other.person_id;
        EXPECT_EQ(get("village", "/v1/profiles/" + other.person_id + "/history").status, 404) << other.person_id;
        EXPECT_EQ(get("neighbour", "/v1/profiles/" + other.person_id).status, 200) << other.person_id;
        if (!other.id_number.empty()) {
            const auto by_id = get("village", "/v1/profiles?id_number=" + other.id_number);
            ASSERT_EQ(by_id.status, 200) << by_id.body;
            EXPECT_TRUE(by_id.json()["items"].Empty())
                << other.person_id << " found by citizen ID from another village";
        }
        std::string encoded;
        Poco::URI::encode(other.name, "", encoded);
        const auto by_name = get("village", "/v1/profiles?name=" + encoded);
        if (by_name.status == 200) {
            const auto by_name_json = by_name.json();  // outlives the loop over its items
            for (const auto& item : by_name_json["items"].GetArray()) {
                EXPECT_TRUE(std::string(item["residence_division"].GetString()).starts_with(village_));
            }
        }
    }
    for (const std::string& division :
         {neighbour_, village_.substr(0, 9), village_.substr(0, 6), std::string("3204")}) {
        EXPECT_EQ(get("village", "/v1/profiles?division=" + division).status, 403) << division;
        EXPECT_EQ(get("village", "/v1/stats?division=" + division).status, 403) << division;
    }
    const auto own = get("village", "/v1/profiles?limit=500");
    ASSERT_EQ(own.status, 200);
    const auto own_json = own.json();  // outlives the loop over its items
    for (const auto& item : own_json["items"].GetArray()) {
        EXPECT_EQ(std::string(item["residence_division"].GetString()), village_);
    }
    for (const char* path : {"/v1/profiles?classification=left_behind", "/v1/profiles?alert=school_age_not_enrolled",
                             "/v1/profiles?age_min=0&age_max=17", "/v1/profiles?updated_since=2000-01-01"}) {
        const auto reply = get("village", path);
        ASSERT_EQ(reply.status, 200) << path << ": " << reply.body;
        const auto reply_json = reply.json();  // outlives the loop over its items
        for (const auto& item : reply_json["items"].GetArray()) {
            EXPECT_EQ(std::string(item["residence_division"].GetString()), village_) << path;
        }
    }
    const auto stats = get("village", "/v1/stats");
    ASSERT_EQ(stats.status, 200) << stats.body;
    EXPECT_EQ(std::string(stats.json()["divisions"][0]["division"].GetString()), village_);

    // A village's feed holds its own village only (and the notices of children who left it).
    for (const std::string& event : feed("village", 500)) {
        const auto json = sim::parseJson(event);
        if (std::string(json["type"].GetString()) == "profile") {
            EXPECT_EQ(std::string(json["profile"]["registration"]["residence_division"]["value"].GetString()),
                      village_);
        }
    }

    // Roles: no key, a wrong key, the wrong role, a statistics-only view.
    EXPECT_EQ(sim::httpRequest(url_, "GET", "/v1/profiles").status, 401);
    EXPECT_EQ(sim::httpRequest(url_, "GET", "/v1/profiles", {{"Authorization", "Bearer not-a-key"}}).status, 401);
    EXPECT_EQ(sim::httpRequest(url_, "GET", "/v1/profiles", {{"X-API-Key", keys_.at("village") + "x"}}).status, 401);
    EXPECT_EQ(sim::httpRequest(url_, "GET", "/v1/profiles?limit=1",
                               {{"X-API-Key", keys_.at("village")}, {"X-Purpose", "statistics"}})
                  .status,
              200);
    EXPECT_EQ(get("village", "/v1/review").status, 403);
    EXPECT_EQ(get("village", "/v1/push/subscribers").status, 403);
    EXPECT_EQ(get("reviewer", "/v1/profiles").status, 403);
    EXPECT_EQ(get("reviewer", "/v1/review").status, 200);
    EXPECT_EQ(get("statistics", "/v1/profiles/" + others.front().person_id).status, 403);
    EXPECT_EQ(get("statistics", "/v1/changes").status, 403);
    EXPECT_EQ(get("statistics", "/v1/stats").status, 200);
    EXPECT_EQ(sim::httpRequest(url_, "GET", "/healthz").status, 200) << "liveness needs no key";
}

TEST_F(PushTest, BadParametersAre400NamingTheParameter) {
    const std::string foreign_cursor = get("township", "/v1/changes?limit=1").json()["next_cursor"].GetString();
    const std::vector<std::pair<std::string, std::string>> cases{
        {"/v1/profiles?classification=left_behindx", "classification"},
        {"/v1/profiles?alert=unsupervised", "alert"},
        {"/v1/profiles?division=32041x", "division"},
        {"/v1/profiles?division=32", "division"},
        {"/v1/profiles?age_min=-1", "age_min"},
        {"/v1/profiles?age_max=abc", "age_max"},
        {"/v1/profiles?updated_since=yesterday", "updated_since"},
        {"/v1/profiles?id_number=12345", "id_number"},
        {"/v1/profiles?cursor=" + foreign_cursor, "cursor"},
        {"/v1/profiles?name=" + std::string(10240, 'a'), "name"},
        {"/v1/profiles?division=" + std::string(10240, '3'), "division"},
        {"/v1/changes?cursor=" + foreign_cursor, "cursor"},
        {"/v1/changes?cursor=12", "cursor"},
        {"/v1/changes?limit=0", "limit"},
        {"/v1/changes?wait=31", "wait"},
        {"/v1/stats?division=abc", "division"},
    };
    for (const auto& [path, parameter] : cases) {
        const auto reply = get("village", path);
        EXPECT_EQ(reply.status, 400) << path.substr(0, 80) << ": " << reply.body.substr(0, 200);
        if (reply.status == 400) {
            const std::string message = reply.json()["error"]["message"].GetString();
            EXPECT_NE(message.find(parameter), std::string::npos) << path.substr(0, 80) << ": " << message;
            EXPECT_LT(message.size(), 400u) << "the message quotes no 10 kB value";
        }
    }
}

TEST_F(PushTest, AKill9MidBatchLosesNothingAndTheResendCarriesTheSameKeys) {
    const Level level{"district-kill", village_.substr(0, 6), "district"};
    const std::string file = dir_.file("kill-subscribers.json");
    writeSubscribers(file, {level}, 20, 3);
    ASSERT_EQ(sink_->setFail("slow=150,name=district-kill").status, 200);
    auto process = std::make_unique<GatewayProcess>(
        std::vector<std::string>{"push", "run", "--config", gateway_->config(), "--set", "push.subscribers=" + file,
                                 "--set", std::string("profile.as_of=") + kAsOf});
    // Killed once a few batches are in and the next one is on the wire (the sink holds each for 150 ms).
    for (int i = 0; i < 200 && receivedBy(*sink_, level.name).requests < 4; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    process->kill();
    const std::int64_t through_at_kill = store_->pushState(level.name).delivered_through;
    ASSERT_EQ(sink_->setFail("").status, 200);
    const auto rerun = run({"push", "run", "--timeout", "60"}, file);
    EXPECT_EQ(rerun.exit_code, 0) << rerun.err;

    const Received received = receivedBy(*sink_, level.name);
    const Platform platform = replay(received.events, level.name);  // checks resent events are identical
    EXPECT_GT(through_at_kill, 0) << "the kill came before any batch was committed";
    EXPECT_EQ(platform.distinct.size(), store_->outbox(0, level.scope, 1000000).size()) << "nothing lost";
    EXPECT_EQ(platform.files.size(), expected(level).size());
    EXPECT_GT(received.events.size(), platform.distinct.size()) << "the batch on the wire at the kill was sent again";
    std::printf("kill -9: %zu events received, %zu distinct, cursor at the kill %lld\n", received.events.size(),
                platform.distinct.size(), static_cast<long long>(through_at_kill));
}

TEST_F(PushTest, RefusedBatchesBecomeDeadLettersThatAnOperatorRedelivers) {
    const Level level{"village-dead", village_, "village"};
    const std::string file = dir_.file("dead-subscribers.json");
    writeSubscribers(file, {level}, 1000, 2);
    ASSERT_EQ(sink_->setFail("http500=1,name=village-dead").status, 200);
    const auto refused = run({"push", "run", "--timeout", "10"}, file);
    EXPECT_EQ(refused.exit_code, 0) << "dead letters are delivered with respect to the cursor: " << refused.err;
    const auto entries = store_->outbox(0, level.scope, 1000000);
    auto state = store_->pushState(level.name);
    EXPECT_EQ(state.dead_letters, static_cast<std::int64_t>(entries.size()));
    EXPECT_EQ(state.delivered, 0);
    EXPECT_EQ(state.delivered_through, entries.back().seq) << "the stream went on past the refused batch";
    const auto listed = run({"push", "dead-letters", level.name}, file);
    EXPECT_EQ(listed.exit_code, 0);
    EXPECT_NE(listed.out.find(entries.front().person_id), std::string::npos) << listed.out;
    EXPECT_EQ(receivedBy(*sink_, level.name).events.size(), 0u);
    EXPECT_EQ(receivedBy(*sink_, level.name).requests, 2u) << "two attempts, as configured";

    ASSERT_EQ(sink_->setFail("").status, 200);
    const auto asked = run({"push", "redeliver", level.name}, file);
    EXPECT_EQ(asked.exit_code, 0) << asked.err;
    EXPECT_NE(asked.out.find(std::to_string(entries.size()) + " dead letters"), std::string::npos) << asked.out;
    const auto again = run({"push", "run", "--timeout", "30"}, file);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    state = store_->pushState(level.name);
    EXPECT_EQ(state.dead_letters, 0);
    EXPECT_EQ(state.redeliveries, 0);
    const Platform platform = replay(receivedBy(*sink_, level.name).events, level.name);
    EXPECT_EQ(platform.files, replay(receivedBy(*sink_, levels_[3].name).events, "village").files)
        << "after redelivery the platform holds what the healthy village subscriber holds";
}

TEST_F(PushTest, AReviewersSplitAndMergeReachEveryPlatformAsCorrections) {
    // A child of the village with records from two sources.
    profile::ProfileQuery query;
    query.division_prefix = village_;
    query.limit = 1000000;
    std::string person;
    std::vector<std::string> records;
    for (const auto& profile : store_->queryProfiles(query)) {
        const auto links = store_->personRecords(profile.person_id);
        if (links.size() >= 2 && links[0].source != links[1].source) {
            person = profile.person_id;
            for (const auto& link : links) {
                records.push_back(link.source + "/" + link.source_id);
            }
            break;
        }
    }
    ASSERT_FALSE(person.empty()) << "no child of " << village_ << " has records from two sources";
    const auto decide = [&](const std::string& decision) {
        const std::string body = R"({"left":")" + records[0] + R"(","right":")" + records[1] + R"(","decision":")" +
                                 decision + R"(","comment":"checked with the school"})";
        const auto reply = sim::httpRequest(url_, "POST", "/v1/review",
                                            {{"Authorization", "Bearer " + keys_.at("reviewer")},
                                             {"Content-Type", "application/json"},
                                             {"X-Purpose", "case_assessment"}},
                                            body);
        EXPECT_EQ(reply.status, 200) << reply.body;
        EXPECT_EQ(std::string(reply.json()["decision"].GetString()), decision) << reply.body;
        EXPECT_EQ(std::string(reply.json()["reviewer"].GetString()), "reviewer") << "the key names the reviewer";
        const auto built = run({"profiles", "rebuild"});
        EXPECT_EQ(built.exit_code, 0) << built.err;
        const auto pushed = run({"push", "run", "--timeout", "60"});
        EXPECT_EQ(pushed.exit_code, 0) << pushed.err;
    };
    const auto personOf = [&](const std::string& key) {
        const auto slash = key.find('/');
        return store_->personOf(key.substr(0, slash), key.substr(slash + 1)).value_or("");
    };
    /// The correction of the last event of `who` that `platform` received.
    const auto correction = [](const Platform& platform, const std::string& who) {
        std::string found;
        for (const std::string& event : platform.distinct) {
            const auto json = sim::parseJson(event);
            if (std::string(json["person_id"].GetString()) == who) {
                found = json.HasMember("correction") ? compact(json["correction"]) : "";
            }
        }
        return found;
    };

    decide("no_link");
    const std::string left = personOf(records[0]);
    const std::string right = personOf(records[1]);
    ASSERT_NE(left, right) << "the split did not separate the two records";
    const std::string kept = left == person ? left : right;
    const std::string split_off = left == person ? right : left;
    ASSERT_EQ(kept, person) << "one part keeps the person ID";
    Platform city = replay(receivedBy(*sink_, levels_[0].name).events, "city");
    EXPECT_EQ(correction(city, kept), R"({"kind":"split","into":[")" + split_off + R"("]})");
    EXPECT_EQ(correction(city, split_off), R"({"kind":"split","from":[")" + kept + R"("]})");
    EXPECT_TRUE(city.files.contains(kept) && city.files.contains(split_off));

    decide("link");
    const std::string merged = personOf(records[0]);
    ASSERT_EQ(merged, personOf(records[1])) << "the merge did not join the two records";
    const std::string gone = merged == kept ? split_off : kept;
    city = replay(receivedBy(*sink_, levels_[0].name).events, "city");
    EXPECT_EQ(correction(city, gone), R"({"kind":"merge","into":[")" + merged + R"("]})");
    EXPECT_EQ(correction(city, merged), R"({"kind":"merge","from":[")" + gone + R"("]})");
    EXPECT_FALSE(city.files.contains(gone)) << "no platform keeps the merged-away file";
    EXPECT_EQ(city.retracted, 1u);
    for (const Level& level : levels_) {
        EXPECT_EQ(replay(receivedBy(*sink_, level.name).events, level.name).files, expected(level)) << level.name;
    }
    EXPECT_EQ(replay(feed("village", 200), "feed").files, expected(levels_[3]));
}

}  // namespace
}  // namespace gateway::testing
