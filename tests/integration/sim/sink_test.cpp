// The webhook sink (`deptsim sink`): signed deliveries recorded in received.jsonl, idempotency keys, failure modes.

#include "tests/integration/sim/sink_process.h"

#include <atomic>
#include <fstream>

namespace gateway::testing::sim {
namespace {

std::vector<std::string> keysOf(const rapidjson::Document& summary) {
    std::vector<std::string> keys;
    for (const auto& key : summary["keys"].GetArray()) {
        keys.emplace_back(key.GetString());
    }
    return keys;
}

TEST(SinkTest, ValidSignatureIsAcceptedAndRecorded) {
    SinkProcess sink;
    EXPECT_EQ(httpRequest(sink.url(), "GET", "/healthz").body, "{\"status\":\"ok\"}");
    const std::string body = R"([{"person_id":"P0000001","event":"profile.updated"}])";
    const auto reply = sink.deliver("district", body, "k-1");
    EXPECT_EQ(reply.status, 200) << reply.body;
    EXPECT_EQ(reply.body, "{\"accepted\":true}");

    const auto lines = sink.lines();
    ASSERT_EQ(lines.size(), 1u);
    const auto& line = lines[0];
    EXPECT_STREQ(line["name"].GetString(), "district");
    EXPECT_STREQ(line["idempotency_key"].GetString(), "k-1");
    EXPECT_TRUE(line["signature_valid"].GetBool());
    EXPECT_FALSE(line["duplicate"].GetBool());
    EXPECT_EQ(line["status"].GetInt(), 200);
    EXPECT_STREQ(line["body"][0]["person_id"].GetString(), "P0000001");
    const std::string received_at = line["received_at"].GetString();
    EXPECT_EQ(received_at.size(), 24u) << received_at;  // 2026-11-01T08:00:00.123Z
    EXPECT_EQ(received_at.back(), 'Z');

    const auto summary = sink.received("district");
    EXPECT_EQ(summary["count"].GetInt64(), 1);
    EXPECT_EQ(summary["accepted"].GetInt64(), 1);
    EXPECT_EQ(keysOf(summary), std::vector<std::string>{"k-1"});
    EXPECT_EQ(sink.received("village")["count"].GetInt64(), 0);
    EXPECT_EQ(sink.stop(), 0);
}

TEST(SinkTest, WrongOrMissingSignatureIs401AndRecordedAsInvalid) {
    SinkProcess sink;
    const std::string body = R"({"event":"alert.raised"})";
    EXPECT_EQ(sink.deliver("city", body, "k-1", "another-secret").status, 401);
    EXPECT_EQ(httpRequest(sink.url(), "POST", "/hooks/city", {{"Idempotency-Key", "k-2"}}, body).status, 401);
    EXPECT_EQ(httpRequest(sink.url(), "POST", "/hooks/city",
                          {{"Idempotency-Key", "k-3"}, {"X-Gateway-Signature", hmacSha256Hex(kSinkSecret, body)}}, body)
                  .status,
              401)
        << "the sha256= prefix is required";

    const auto lines = sink.lines();
    ASSERT_EQ(lines.size(), 3u);
    for (const auto& line : lines) {
        EXPECT_FALSE(line["signature_valid"].GetBool());
        EXPECT_EQ(line["status"].GetInt(), 401);
        EXPECT_STREQ(line["body"]["event"].GetString(), "alert.raised");
    }
    const auto summary = sink.received("city");
    EXPECT_EQ(summary["count"].GetInt64(), 3);
    EXPECT_EQ(summary["accepted"].GetInt64(), 0);
    EXPECT_TRUE(keysOf(summary).empty());
}

TEST(SinkTest, MissingKeyOrBodyNotJsonIs400) {
    SinkProcess sink;
    const auto missing = sink.deliver("township", "[]", "");
    EXPECT_EQ(missing.status, 400);
    EXPECT_NE(missing.body.find("Idempotency-Key"), std::string::npos) << missing.body;
    EXPECT_EQ(sink.deliver("township", "not json", "k-1").status, 400);
    EXPECT_EQ(sink.deliver("township", "42", "k-2").status, 400) << "only an object or an array";
    EXPECT_EQ(sink.deliver("township", "{} {}", "k-3").status, 400);

    const auto lines = sink.lines();
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_TRUE(lines[0]["idempotency_key"].IsNull());
    EXPECT_TRUE(lines[0]["body"].IsArray());
    EXPECT_TRUE(lines[1]["body"].IsNull());
    EXPECT_TRUE(lines[1]["signature_valid"].GetBool());
    EXPECT_EQ(sink.received("township")["accepted"].GetInt64(), 0);
}

TEST(SinkTest, RepeatedKeyIsFlaggedDuplicateAndSurvivesARestart) {
    TempDir folder;
    const std::string dir = folder.path() + "/sink";
    {
        SinkProcess sink({}, dir);
        EXPECT_EQ(sink.deliver("village", "[1]", "k-1").body, "{\"accepted\":true}");
        const auto again = sink.deliver("village", "[1]", "k-1");
        EXPECT_EQ(again.status, 200);
        EXPECT_EQ(again.body, "{\"accepted\":true,\"duplicate\":true}");
        EXPECT_EQ(sink.deliver("township", "[1]", "k-1").body, "{\"accepted\":true}") << "keys are per name";

        const auto lines = sink.lines();
        ASSERT_EQ(lines.size(), 3u);
        EXPECT_FALSE(lines[0]["duplicate"].GetBool());
        EXPECT_TRUE(lines[1]["duplicate"].GetBool());
        EXPECT_FALSE(lines[2]["duplicate"].GetBool());
        const auto summary = sink.received("village");
        EXPECT_EQ(summary["count"].GetInt64(), 2);
        EXPECT_EQ(summary["accepted"].GetInt64(), 1);
        EXPECT_EQ(summary["duplicates"].GetInt64(), 1);
        EXPECT_EQ(keysOf(summary), std::vector<std::string>{"k-1"});
        EXPECT_EQ(sink.stop(), 0);
    }
    SinkProcess restarted({}, dir);
    EXPECT_EQ(restarted.deliver("village", "[1]", "k-1").body, "{\"accepted\":true,\"duplicate\":true}");
    EXPECT_EQ(restarted.deliver("village", "[2]", "k-2").body, "{\"accepted\":true}");
    EXPECT_EQ(keysOf(restarted.received("village")), (std::vector<std::string>{"k-1", "k-2"}));
    EXPECT_EQ(restarted.lines().size(), 5u);
}

TEST(SinkTest, DownAnswers503UntilCleared) {
    SinkProcess sink({"--fail", "down"});
    EXPECT_EQ(sink.deliver("city", "[]", "k-1").status, 503);
    EXPECT_EQ(sink.deliver("district", "[]", "k-2").status, 503);
    EXPECT_EQ(httpRequest(sink.url(), "GET", "/healthz").status, 200);
    EXPECT_EQ(sink.received("city")["count"].GetInt64(), 1);
    EXPECT_EQ(sink.received("city")["accepted"].GetInt64(), 0);

    const auto cleared = sink.setFail("");
    EXPECT_EQ(cleared.status, 200);
    EXPECT_EQ(cleared.body, "{\"fail\":\"\"}");
    const auto retry = sink.deliver("city", "[]", "k-1");
    EXPECT_EQ(retry.body, "{\"accepted\":true}") << "a failed attempt does not make the retry a duplicate";
    EXPECT_EQ(sink.deliver("district", "[]", "k-2").status, 200);

    const auto lines = sink.lines();
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_EQ(lines[0]["status"].GetInt(), 503);
    EXPECT_TRUE(lines[0]["signature_valid"].GetBool());
    EXPECT_EQ(lines[2]["status"].GetInt(), 200);
    EXPECT_EQ(sink.setFail("bogus").status, 400);
}

TEST(SinkTest, NameLimitsFailuresToOnePath) {
    SinkProcess sink;
    const auto set = sink.setFail("down,name=village-320411101201");
    ASSERT_EQ(set.status, 200) << set.body;
    EXPECT_EQ(set.body, "{\"fail\":\"down,name=village-320411101201\"}");
    EXPECT_EQ(sink.deliver("village-320411101201", "[]", "k-1").status, 503);
    EXPECT_EQ(sink.deliver("township-320411101", "[]", "k-1").status, 200);
    EXPECT_EQ(sink.deliver("city", "[]", "k-1").status, 200);

    ASSERT_EQ(sink.setFail("slow=150,name=city").status, 200);
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(sink.deliver("city", "[]", "k-2").status, 200);
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(150));
    EXPECT_EQ(sink.deliver("village-320411101201", "[]", "k-1").status, 200);
}

TEST(SinkTest, Http500OfOneAlwaysFails) {
    SinkProcess sink({"--fail", "http500=1"});
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(sink.deliver("district", "[]", "k-" + std::to_string(i % 2)).status, 500);
    }
    for (const auto& line : sink.lines()) {
        EXPECT_EQ(line["status"].GetInt(), 500);
        EXPECT_FALSE(line["duplicate"].GetBool());
    }
    const auto summary = sink.received("district");
    EXPECT_EQ(summary["count"].GetInt64(), 5);
    EXPECT_EQ(summary["accepted"].GetInt64(), 0);
    ASSERT_EQ(sink.setFail("http500=0").status, 200);
    EXPECT_EQ(sink.deliver("district", "[]", "k-0").status, 200);
}

TEST(SinkTest, ReceivedLinesEmbedTheBody) {
    SinkProcess sink;
    const std::string pretty =
        "{\n  \"events\": [\n    {\"name\": \"张 子涵\", \"rare\": \"\xF0\xA0\xAE\xB7\", \"n\": 1.50,\n"
        "     \"text\": \"a \\\"quoted\\\" \\n line\"}\n  ],\r\n  \"empty\": {}\n}\n";
    ASSERT_EQ(sink.deliver("district", pretty, "k-1").status, 200);
    ASSERT_EQ(sink.deliver("district", R"([true,null,"x"])", "k-2").status, 200);

    std::ifstream in(sink.dir() + "/received.jsonl");
    std::string first;
    std::getline(in, first);
    EXPECT_NE(first.find(R"("body":{"events":[{"name":"张 子涵","rare":"𠮷","n":1.50,)"), std::string::npos)
        << "numbers and strings kept as sent, whitespace between tokens dropped: " << first;

    const auto lines = sink.lines();
    ASSERT_EQ(lines.size(), 2u);
    const auto expected = parseJson(pretty);
    EXPECT_TRUE(lines[0]["body"] == expected);
    EXPECT_STREQ(lines[0]["body"]["events"][0]["text"].GetString(), "a \"quoted\" \n line");
    EXPECT_TRUE(lines[1]["body"] == parseJson(R"([true,null,"x"])"));
}

TEST(SinkTest, ConcurrentPostsAreAllRecordedOnce) {
    SinkProcess sink;
    constexpr int kThreads = 6;
    constexpr int kPerThread = 20;
    std::atomic<int> accepted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                const std::string key = "t" + std::to_string(t) + "-" + std::to_string(i);
                // Every thread also repeats one shared key: exactly one of those is the first.
                const std::string name = i % 2 == 0 ? "township" : "village";
                if (sink.deliver(name, R"({"key":")" + key + "\"}", key).status == 200) {
                    ++accepted;
                }
                sink.deliver("city", "[]", "shared");
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    EXPECT_EQ(accepted.load(), kThreads * kPerThread);

    const auto lines = sink.lines();
    ASSERT_EQ(lines.size(), static_cast<std::size_t>(2 * kThreads * kPerThread));
    std::set<std::string> keys;
    int shared_firsts = 0;
    for (const auto& line : lines) {
        if (std::string(line["name"].GetString()) == "city") {
            shared_firsts += line["duplicate"].GetBool() ? 0 : 1;
            continue;
        }
        EXPECT_STREQ(line["body"]["key"].GetString(), line["idempotency_key"].GetString());
        EXPECT_TRUE(keys.insert(line["idempotency_key"].GetString()).second);
    }
    EXPECT_EQ(keys.size(), static_cast<std::size_t>(kThreads * kPerThread));
    EXPECT_EQ(shared_firsts, 1);

    const auto township = sink.received("township");
    const auto village = sink.received("village");
    EXPECT_EQ(township["accepted"].GetInt64() + village["accepted"].GetInt64(), kThreads * kPerThread);
    EXPECT_EQ(keysOf(township).size() + keysOf(village).size(), static_cast<std::size_t>(kThreads * kPerThread));
    const auto city = sink.received("city");
    EXPECT_EQ(city["accepted"].GetInt64(), 1);
    EXPECT_EQ(city["duplicates"].GetInt64(), kThreads * kPerThread - 1);
}

TEST(SinkTest, CommandLineErrorsAreUsageErrors) {
    const auto help = runDeptsim({"sink", "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("usage: deptsim sink"), std::string::npos) << help.out;
    EXPECT_NE(runDeptsim({"--help"}).out.find("sink"), std::string::npos);

    TempDir folder;
    const auto no_secret = runDeptsim({"sink", "--dir", folder.path(), "--port", "0"});
    EXPECT_EQ(no_secret.exit_code, 64);
    EXPECT_NE(no_secret.err.find("secret"), std::string::npos) << no_secret.err;
    const auto bad_fail = runDeptsim({"sink", "--dir", folder.path(), "--secret", "s", "--fail", "http500=2"});
    EXPECT_EQ(bad_fail.exit_code, 64);
    EXPECT_NE(bad_fail.err.find("--fail"), std::string::npos) << bad_fail.err;
    const auto missing_file = runDeptsim({"sink", "--dir", folder.path(), "--secret-file", folder.file("none")});
    EXPECT_EQ(missing_file.exit_code, 64);

    writeFile(folder.file("secret"), kSinkSecret + "\n");  // the line break is not part of the secret
    SinkProcess sink({"--secret-file", folder.file("secret")}, folder.path() + "/from-file");
    EXPECT_EQ(sink.deliver("city", "[]", "k-1").status, 200);
}

}  // namespace
}  // namespace gateway::testing::sim
