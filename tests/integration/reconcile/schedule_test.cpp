// Reconciliation as an operator runs it: two gateway serve nodes on one PostgreSQL reach the day's scheduled time
// together and run it once; a reconcile killed midway (kill -9) leaves nothing half-done that its rerun trips on, and
// the rerun finds and repairs exactly what the simulator planted, while the killed run is reported as failed.

#include "gateway/store/store.h"

#include "tests/integration/sim/deptsim_harness.h"
#include "tests/integration/sim/gateway_setup.h"
#include "tests/support/postgres.h"
#include "tests/support/process.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

namespace gateway::testing {
namespace {

/// Polls `done` until it holds or `seconds` pass; the wait is for a process's progress, never a measure of it.
template <typename Done>
bool waitFor(Done done, int seconds = 120) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
}

std::vector<reconcile::ReconcileRun> scheduledRuns(store::Store& store) {
    std::vector<reconcile::ReconcileRun> runs;
    for (auto& run : store.reconcileRuns(0, 100)) {
        if (run.trigger == "schedule") {
            runs.push_back(std::move(run));
        }
    }
    return runs;
}

TEST(ReconcileScheduleTest, TwoNodesOnOnePostgresqlRunTheDaysScheduledReconcileOnce) {
    PostgresTestDatabase database;
    database.create();
    if (!database.created()) {
        return;  // skipped, or failed with the reason, by create()
    }
    sim::DeptsimServer sim({}, 300, 5);
    GatewaySetup gateway(sim);
    const std::vector<std::string> pg = {"--set", "store.kind=postgresql", "--set",
                                         "store.postgresql.connection=" + database.connection()};
    std::vector<std::string> sync = {"sync", "--all"};
    sync.insert(sync.end(), pg.begin(), pg.end());
    ASSERT_EQ(gateway.run(sync).exit_code, 0);

    // Both start after the day's 02:00 (UTC here), asking every second.
    std::vector<std::string> extra = pg;
    for (const std::string setting : {"reconcile.schedule=02:00", "reconcile.check_seconds=1"}) {
        extra.push_back("--set");
        extra.push_back(setting);
    }
    const Poco::Process::Env env = {{"GATEWAY_CLOCK_START", "2026-11-01T02:00:30Z"}, {"TZ", "UTC"}};
    std::string url_a;
    std::string url_b;
    std::string banner;
    auto node_a = gateway.serve(extra, url_a, banner, env);
    ASSERT_FALSE(url_a.empty()) << banner;
    auto node_b = gateway.serve(extra, url_b, banner, env);
    ASSERT_FALSE(url_b.empty()) << banner;

    store::StoreSettings settings;
    settings.kind = store::StoreKind::Postgresql;
    settings.postgresql_connection = database.connection();
    auto store = store::openStore(settings);
    ASSERT_TRUE(waitFor([&] {
        const auto runs = scheduledRuns(*store);
        return !runs.empty() && runs.front().status != "running";
    })) << "no scheduled run finished";
    // Each node asks again every second; give both several more rounds to run it twice, had they a reason to.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    EXPECT_EQ(node_a->terminate(), 0);
    EXPECT_EQ(node_b->terminate(), 0);

    const auto runs = scheduledRuns(*store);
    ASSERT_EQ(runs.size(), 1u) << "two nodes, one run";
    EXPECT_EQ(runs[0].status, "succeeded") << runs[0].error;
    EXPECT_TRUE(runs[0].repair);
    EXPECT_EQ(runs[0].as_of, "2026-11-01");
    EXPECT_NE(runs[0].summary_json.find("\"gaps\""), std::string::npos) << "across departments too";
    EXPECT_NE(runs[0].node.find("/reconcile"), std::string::npos) << runs[0].node;
}

TEST(ReconcileKillTest, AReconcileKilledMidwayIsReportedFailedAndItsRerunFindsAndRepairsExactlyThePlantedDrift) {
    sim::DeptsimServer sim({}, 400, 7);
    GatewaySetup gateway(sim, 100);
    ASSERT_EQ(gateway.sync().exit_code, 0);
    ASSERT_EQ(sim.post("/control/drift?delete=0.03&silent=0.03&seed=9").status, 200);

    // Slow answers (a second each, and each REST source asks at least three times) keep the run going long enough to
    // be killed in the middle of it, however busy the machine.
    ASSERT_EQ(sim.setFaults("slow=1000").status, 200);
    auto store = gateway.openStore();
    {
        GatewayProcess killed({"reconcile", "--all", "--repair", "--config", gateway.config()});
        ASSERT_TRUE(waitFor([&] {
            const auto runs = store->reconcileRuns(0, 1);
            return !runs.empty() && runs.front().status == "running";
        })) << "the reconcile never started";
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        killed.kill();
    }
    ASSERT_EQ(sim.setFaults("").status, 200);

    const auto rerun = gateway.run({"reconcile", "--all", "--repair"});
    ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
    const auto runs = store->reconcileRuns(0, 2);
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[1].status, "failed") << "the killed run is not left running";
    EXPECT_NE(runs[1].error.find("stopped before it finished"), std::string::npos) << runs[1].error;
    EXPECT_EQ(runs[0].status, "succeeded");

    // What the drift planted is found, and repaired: the killed run may have repaired some, so the rerun finds the
    // rest, and the two together account for every planted row; afterwards nothing is left.
    std::set<std::pair<std::string, std::string>> planted;
    const auto rows = sim::parseCsv(sim::readText(sim.dir() + "/truth/drift.csv"));
    for (std::size_t i = 1; i < rows.size(); ++i) {
        if (rows[i].size() == 4 && rows[i][1] != "lost") {
            planted.insert({rows[i][2], rows[i][3]});
        }
    }
    ASSERT_FALSE(planted.empty());
    std::set<std::pair<std::string, std::string>> found;
    for (const auto& run : runs) {
        for (const auto& finding : store->findings({run.id, "", "", 0, 100000})) {
            if (!finding.source.empty() && finding.kind != "missing_in_gateway") {
                found.insert({finding.source, finding.source_id});
            }
        }
    }
    for (const auto& key : found) {
        EXPECT_TRUE(planted.contains(key)) << key.first << "/" << key.second << " was never planted";
    }
    for (const auto& key : planted) {
        EXPECT_TRUE(found.contains(key)) << key.first << "/" << key.second << " was planted and never found";
    }
    const auto repaired_run = runs[0].id;
    for (const auto& finding : store->findings({repaired_run, "", "", 0, 100000})) {
        if (!finding.source.empty()) {
            EXPECT_FALSE(finding.repair.empty()) << finding.source_id;
        }
    }
    const auto after = gateway.run({"reconcile", "--all"});
    ASSERT_EQ(after.exit_code, 0) << after.err;
    for (const auto& finding : store->findings({store->reconcileRuns(0, 1).front().id, "", "", 0, 100000})) {
        EXPECT_TRUE(finding.source.empty())
            << "left after the repair: " << finding.kind << " " << finding.source << "/" << finding.source_id;
    }
}

}  // namespace
}  // namespace gateway::testing
