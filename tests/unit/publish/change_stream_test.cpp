// The change stream is what a platform keeps in step with: each outbox entry must become the right kind of event
// for the scope (a profile inside it, a removal notice when the child moved out, a retraction when the person is
// gone), shown through the stream's view, and a cursor must only ever be read back by the stream that issued it.

#include "gateway/publish/change_stream.h"
#include "gateway/profile/profile_view.h"
#include "gateway/publish/deliverer.h"
#include "gateway/publish/subscribers.h"

#include "gateway/common/error.h"
#include "tests/support/temp_dir.h"

#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace gateway::publish {
namespace {

const char* kProfile =
    R"({"person_id":"P1","identity":{"id_number":{"value":"320411201403051248","source_id":"G320411201403051248"}},)"
    R"("records":[{"source":"school_register","source_id":"G320411201403051248"}],"classifications":[]})";

publish::OutboxEntry entry(std::int64_t seq, const std::string& division, const std::string& previous, bool removed,
                           const std::string& correction = "") {
    publish::OutboxEntry result;
    result.seq = seq;
    result.person_id = "P1";
    result.version = seq;
    result.division = division;
    result.previous_division = previous;
    result.removed = removed;
    result.correction_json = correction;
    result.created_at = "2026-11-01T00:00:00.000Z";
    result.profile_json = removed ? R"({"person_id":"P1","removed":true})" : kProfile;
    return result;
}

rapidjson::Document parse(const std::string& json) {
    rapidjson::Document document;
    document.Parse(json.c_str(), json.size());
    EXPECT_FALSE(document.HasParseError()) << json;
    return document;
}

TEST(ChangeStream, EachEntryBecomesTheEventItsScopeNeeds) {
    const auto views = profile::ProfileViews::builtin();
    const ChangeStream village("320411101201", *views.find("village"));
    const auto events =
        village.render({entry(1, "320411101201", "", false), entry(2, "320411101202", "320411101201", false),
                        entry(3, "", "320411101201", true, R"({"kind":"merge","into":["P2"]})")});
    ASSERT_EQ(events.size(), 3u);
    const auto first = parse(events[0].json);
    EXPECT_EQ(std::string(first["type"].GetString()), "profile");
    EXPECT_EQ(std::string(first["idempotency_key"].GetString()), "P1:1");
    EXPECT_EQ(events[0].idempotency_key, "P1:1");
    ASSERT_TRUE(first["profile"].IsObject());
    EXPECT_EQ(std::string(first["profile"]["identity"]["id_number"]["value"].GetString()), "***")
        << "the village view masks the ID";
    EXPECT_EQ(events[0].json.find("G320411201403051248"), std::string::npos) << events[0].json;

    const auto moved = parse(events[1].json);
    EXPECT_EQ(std::string(moved["type"].GetString()), "moved_out");
    EXPECT_FALSE(moved.HasMember("profile")) << "the old village gets no data of the child's new home";

    const auto retracted = parse(events[2].json);
    EXPECT_EQ(std::string(retracted["type"].GetString()), "retracted");
    EXPECT_EQ(std::string(retracted["correction"]["kind"].GetString()), "merge");
    EXPECT_EQ(std::string(retracted["correction"]["into"][0].GetString()), "P2");
    EXPECT_EQ(retracted["seq"].GetInt64(), 3);
}

TEST(ChangeStream, APersonSinceRemovedIsRetractedByEveryEntryAndItsContentNeverSent) {
    const auto views = profile::ProfileViews::builtin();
    for (const char* view : {"city", "district", "township", "village"}) {
        const ChangeStream stream(std::string(view) == "city" ? "" : "320411101201", *views.find(view));
        // Version 1 is the child's profile; version 2 the removal at 18. A reader starting from the beginning after
        // the removal, or a subscriber added since, reads both entries.
        auto first = entry(1, "320411101201", "", false);
        auto second = entry(2, "", "320411101201", true);
        first.removed_now = true;
        second.removed_now = true;
        const auto events = stream.render({first, second});
        ASSERT_EQ(events.size(), 2u) << view;
        for (const auto& event : events) {
            const auto json = parse(event.json);
            EXPECT_EQ(std::string(json["type"].GetString()), "retracted") << view << " " << event.json;
            EXPECT_FALSE(json.HasMember("profile")) << view << " " << event.json;
            EXPECT_EQ(event.json.find("1248"), std::string::npos) << view << ": " << event.json;
        }
        EXPECT_EQ(events[0].idempotency_key, "P1:1") << "the entry keeps its place and key";
    }
}

TEST(ChangeStream, TheCityStreamSeesEveryProfileWhole) {
    const auto views = profile::ProfileViews::builtin();
    const ChangeStream city("", *views.find("city"));
    const auto events = city.render({entry(7, "320411101202", "320411101201", false)});
    ASSERT_EQ(events.size(), 1u);
    const auto event = parse(events[0].json);
    EXPECT_EQ(std::string(event["type"].GetString()), "profile");
    EXPECT_TRUE(event["profile"] == parse(kProfile));
}

TEST(ChangeStream, CursorsAreReadBackOnlyByTheStreamThatIssuedThem) {
    const auto views = profile::ProfileViews::builtin();
    const ChangeStream village("320411101201", *views.find("village"));
    const ChangeStream neighbour("320411101202", *views.find("village"));
    const ChangeStream township("320411101201", *views.find("township"));
    EXPECT_EQ(village.parseCursor(""), 0);
    for (const std::int64_t seq : {0LL, 1LL, 812LL, 9223372036854775807LL}) {
        EXPECT_EQ(village.parseCursor(village.cursor(seq)), seq);
        EXPECT_FALSE(neighbour.parseCursor(village.cursor(seq))) << "another scope";
        EXPECT_FALSE(township.parseCursor(village.cursor(seq))) << "another view";
    }
    std::string forged = village.cursor(5);
    forged[0] = '6';
    for (const std::string& bad :
         {forged, std::string("5"), std::string("-1.abc"), std::string("P0123456789ab"), std::string(".abcdef123456"),
          std::string("99999999999999999999.abcdef123456"), village.cursor(5) + "0", std::string(1024, '9')}) {
        EXPECT_FALSE(village.parseCursor(bad)) << bad;
    }
}

TEST(ChangeStream, BatchBodiesCarryEveryEventInOrder) {
    const auto views = profile::ProfileViews::builtin();
    const ChangeStream city("", *views.find("city"));
    const auto events = city.render({entry(1, "320411101201", "", false), entry(2, "", "320411101201", true)});
    const auto body = parse(batchBody("city-3204", events));
    EXPECT_EQ(std::string(body["subscriber"].GetString()), "city-3204");
    ASSERT_EQ(body["events"].Size(), 2u);
    EXPECT_EQ(body["events"][0]["seq"].GetInt64(), 1);
    EXPECT_EQ(body["events"][1]["seq"].GetInt64(), 2);
}

class SubscribersFile : public ::testing::Test {
protected:
    std::string write(const std::string& name, const std::string& text) {
        const std::string path = dir_.file(name);
        std::ofstream(path) << text;
        return path;
    }
    testing::TempDir dir_;
};

TEST_F(SubscribersFile, SecretsComeFromAFileOrTheEnvironmentNeverFromTheFileItself) {
    write("hook.secret", "0123456789abcdef-secret\n");
    ::setenv("GATEWAY_TEST_HOOK_SECRET", "fedcba9876543210-secret", 1);
    const auto subscribers = loadSubscribers(write("subscribers.json", R"({"subscribers": [
        {"name": "village-320411101201", "url": "https://127.0.0.1:9/hooks/v", "scope": "320411101201",
         "view": "village", "secret_file": "hook.secret", "batch_size": 50, "max_attempts": 3,
         "tls": {"ca_file": "ca.pem"}},
        {"name": "city", "url": "http://127.0.0.1:9/hooks/c", "view": "city", "secret_env": "GATEWAY_TEST_HOOK_SECRET"}
    ]})"));
    ASSERT_EQ(subscribers.size(), 2u);
    EXPECT_EQ(subscribers[0].secret, "0123456789abcdef-secret") << "the line end is not part of the key";
    EXPECT_EQ(subscribers[0].batch_size, 50u);
    EXPECT_EQ(subscribers[0].max_attempts, 3);
    EXPECT_EQ(subscribers[0].ca_file, dir_.file("ca.pem")) << "relative to the subscribers file";
    EXPECT_EQ(subscribers[1].secret, "fedcba9876543210-secret");
    EXPECT_EQ(subscribers[1].scope, "");
    EXPECT_EQ(subscribers[1].batch_size, 200u);
}

TEST_F(SubscribersFile, MistakesNameTheirPlaceAndNeverQuoteASecret) {
    write("short.secret", "tooshort");
    ::setenv("GATEWAY_TEST_LEAKY_SECRET", "this-secret-must-never-appear", 1);
    const auto fails = [&](const std::string& item, const std::string& where) {
        const std::string path = write("bad.json", R"({"subscribers": [)" + item + "]}");
        try {
            loadSubscribers(path);
            ADD_FAILURE() << "accepted: " << item;
        } catch (const GatewayError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
            EXPECT_NE(e.message().find(where), std::string::npos) << e.message();
            EXPECT_EQ(e.message().find("this-secret-must-never-appear"), std::string::npos) << e.message();
        }
    };
    const std::string ok = R"("url": "https://h/x", "view": "city", "secret_env": "GATEWAY_TEST_LEAKY_SECRET")";
    fails(R"({"name": "a b", )" + ok + "}", "/subscribers/0/name");
    fails(R"({"name": "a", "url": "ftp://h/x", "view": "city", "secret_env": "GATEWAY_TEST_LEAKY_SECRET"})",
          "/subscribers/0/url");
    fails(R"({"name": "a", "url": "https://h/x", "secret_env": "GATEWAY_TEST_LEAKY_SECRET"})", "/subscribers/0/view");
    fails(R"({"name": "a", "url": "https://h/x", "view": "city"})", "exactly one of secret_file and secret_env");
    fails(R"({"name": "a", "url": "https://h/x", "view": "city", "secret": "inline-secret-value"})",
          "at /subscribers/0: unknown key 'secret'");
    fails(R"({"name": "a", "url": "https://h/x", "view": "city", "secret_env": "GATEWAY_TEST_UNSET_VARIABLE"})",
          "GATEWAY_TEST_UNSET_VARIABLE");
    fails(R"({"name": "a", "url": "https://h/x", "view": "city", "secret_file": "short.secret"})", "shorter than 16");
    fails(R"({"name": "a", "url": "https://h/x", "view": "city", "secret_file": "missing.secret"})", "missing.secret");
    fails(R"({"name": "a", "scope": "32041x", )" + ok + "}", "/subscribers/0/scope");
    fails(R"({"name": "a", "batch_size": 0, )" + ok + "}", "/subscribers/0/batch_size");
    fails(R"({"name": "a", )" + ok + R"(}, {"name": "a", )" + ok + "}", "/subscribers/1/name");
    // Plain HTTP carries children's profiles in the clear: to this machine only, never to a name that looks local.
    for (const char* url : {"http://h/x", "http://127.attacker.example/x", "http://10.0.0.7:8080/x", "http://[::2]/x",
                            "http://localhost.example/x"}) {
        fails(R"({"name": "a", "url": ")" + std::string(url) +
                  R"(", "view": "city", "secret_env": "GATEWAY_TEST_LEAKY_SECRET"})",
              "/subscribers/0/url: plain http:// is allowed only to a loopback address");
    }
    fails(R"({"name": "a", "tls": {"client_cert": "c.pem"}, )" + ok + "}", "/subscribers/0/tls");
    // A mistyped key would leave the server unverified against the CA it names, or the subscriber without its file.
    fails(R"({"name": "a", "tls": {"ca_flie": "ca.pem"}, )" + ok + "}",
          "at /subscribers/0/tls: unknown key 'ca_flie' (did you mean 'ca_file'?");
    const std::string path = write("top.json", R"({"subscriber": []})");
    try {
        loadSubscribers(path);
        ADD_FAILURE() << "a mistyped top-level key was accepted";
    } catch (const GatewayError& e) {
        EXPECT_NE(e.message().find("unknown key 'subscriber' (did you mean 'subscribers'?"), std::string::npos)
            << e.message();
    }
}

}  // namespace
}  // namespace gateway::publish
