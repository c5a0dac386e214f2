#include "tests/integration/sim/deptsim_harness.h"

#include <Poco/Exception.h>

namespace gateway::testing::sim {
namespace {

namespace fs = std::filesystem;

TEST(DeptsimFaultsTest, DownAnswers503ButControlStillWorks) {
    DeptsimServer server({"--faults", "down"});
    EXPECT_EQ(server.police("").status, 503);
    EXPECT_EQ(server.post("/oauth/token", "").status, 503);
    EXPECT_EQ(server.get("/control/stats").status, 200);
    ASSERT_EQ(server.setFaults("").status, 200);
    EXPECT_EQ(server.police("").status, 200);
}

TEST(DeptsimFaultsTest, EachFaultModeIsObservable) {
    DeptsimServer server;

    ASSERT_EQ(server.setFaults("http500=1").status, 200);
    EXPECT_EQ(server.police("?limit=5").status, 500);

    ASSERT_EQ(server.setFaults("slow=150").status, 200);
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(server.police("?limit=5").status, 200);
    EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(150));

    ASSERT_EQ(server.setFaults("truncate=1").status, 200);
    const auto cut = server.police("?limit=5");
    EXPECT_EQ(cut.status, 200);
    EXPECT_THROW(cut.json(), std::runtime_error) << cut.body;
    EXPECT_EQ(cut.headers.at("Content-Length"), std::to_string(cut.body.size()));

    ASSERT_EQ(server.setFaults("duplicate_page=1").status, 200);
    const auto first = server.police("?limit=5").json();
    const std::string start = first["next_cursor"].GetString();
    const auto again = server.police("?limit=5&cursor=" + start).json();
    EXPECT_EQ(std::string(again["next_cursor"].GetString()), start);
    EXPECT_TRUE(again["has_more"].GetBool());
    EXPECT_EQ(std::string(again["data"][0]["person_id"].GetString()), first["data"][0]["person_id"].GetString());

    ASSERT_EQ(server.setFaults("timeout=1,hang_ms=3000").status, 200);
    EXPECT_THROW(server.get("/police/v1/persons?limit=5", {{"X-API-Key", server.info("police_api_key")}}, 300),
                 Poco::TimeoutException);

    const auto bad = server.setFaults("http500=2");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(server.setFaults("gremlins").status, 400);
    ASSERT_EQ(server.setFaults("").status, 200);
    EXPECT_EQ(server.police("?limit=5").status, 200);
}

TEST(DeptsimFaultsTest, AHalfWrittenDropGetsItsMarkerOnlyWhenALaterDropCompletesIt) {
    DeptsimServer server({}, 400);
    const std::string folder = server.info("health_drop");
    ASSERT_EQ(server.setFaults("half_csv").status, 200);
    const auto first = server.post("/control/change?fraction=0.5").json();
    ASSERT_TRUE(first["drop_half_written"].GetBool());
    const std::string half = first["drop"].GetString();
    EXPECT_TRUE(fs::exists(folder + "/" + half));
    EXPECT_FALSE(fs::exists(folder + "/" + half + ".ok"));
    const std::string partial = readFile(folder + "/" + half);

    const auto second = server.post("/control/change?fraction=0.5").json();
    EXPECT_FALSE(second["drop_half_written"].GetBool()) << "half_csv affects one drop";
    EXPECT_EQ(std::string(second["completed_drop"].GetString()), half);
    EXPECT_TRUE(fs::exists(folder + "/" + half + ".ok"));
    const std::string whole = readFile(folder + "/" + half);
    EXPECT_GT(whole.size(), partial.size());
    EXPECT_EQ(whole.substr(0, partial.size()), partial);
    const auto records = parseCsv(*decodeDrop(whole));
    EXPECT_EQ(records.size() - 1, changedIds(server.dir(), 1, "health_births").size());
    EXPECT_TRUE(fs::exists(folder + "/" + std::string(second["drop"].GetString()) + ".ok"));
}

/// The statuses a fixed sequence of requests gets.
std::vector<int> statuses(const DeptsimServer& server) {
    std::vector<int> result;
    for (int i = 0; i < 30; ++i) {
        result.push_back(server.police("?limit=" + std::to_string(1 + i % 4)).status);
    }
    return result;
}

TEST(DeptsimFaultsTest, FaultDrawsAreReproducibleFromTheSeed) {
    std::vector<int> first;
    std::vector<int> second;
    {
        DeptsimServer server({"--faults", "http500=0.5"}, 100, 21);
        first = statuses(server);
    }
    {
        DeptsimServer server({"--faults", "http500=0.5"}, 100, 21);
        second = statuses(server);
    }
    EXPECT_EQ(first, second);
    EXPECT_NE(std::count(first.begin(), first.end(), 500), 0);
    EXPECT_NE(std::count(first.begin(), first.end(), 200), 0);
}

}  // namespace
}  // namespace gateway::testing::sim
