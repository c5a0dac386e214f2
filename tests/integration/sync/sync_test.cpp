// The intake end to end: the real gateway executable syncing from the real department simulator over loopback
// into a real SQLite file, checked against the simulator's ground truth.

#include "gateway/store/store.h"

#include <Poco/File.h>

#include "tests/integration/sim/deptsim_harness.h"
#include "tests/integration/sim/gateway_setup.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <random>

namespace gateway::testing {
namespace {

/// Rows a source served so far: health counts the rows of every drop file.
std::int64_t served(const sim::DeptsimServer& sim, const std::string& source) {
    return sim.served(source.c_str(), source == "health_births" ? "file_rows" : "rows");
}

class SyncTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { sim_ = std::make_unique<sim::DeptsimServer>(std::vector<std::string>{}, 2000, 11); }
    static void TearDownTestSuite() { sim_.reset(); }

    static std::unique_ptr<sim::DeptsimServer> sim_;
};

std::unique_ptr<sim::DeptsimServer> SyncTest::sim_;

TEST_F(SyncTest, FullSyncStagesOrQuarantinesEveryServedRowThenNothingNewThenExactlyTheChanges) {
    GatewaySetup gateway(*sim_);
    const auto first = gateway.sync();
    ASSERT_EQ(first.exit_code, 0) << first.err;

    auto store = gateway.openStore();
    const auto truth = sim::readTruth(sim_->dir());
    for (const auto& source : kSources) {
        const auto summary = store->sourceSummary(source);
        EXPECT_EQ(summary.records + summary.quarantined, served(*sim_, source)) << source;
        EXPECT_EQ(summary.quarantined, sim_->served(source.c_str(), "unmappable")) << source;
        // Every staged record is one the simulator served.
        std::int64_t found = 0;
        for (const auto& id : sim::truthIds(truth, source)) {
            found += store->sourceRecord(source, id).has_value() ? 1 : 0;
        }
        EXPECT_EQ(found, summary.records) << source;
        ASSERT_TRUE(summary.last_run.has_value()) << source;
        EXPECT_EQ(summary.last_run->status, "succeeded") << source;
    }

    const auto second = gateway.sync();
    ASSERT_EQ(second.exit_code, 0) << second.err;
    for (const auto& source : kSources) {
        const auto run = store->sourceSummary(source).last_run;
        ASSERT_TRUE(run.has_value());
        EXPECT_EQ(run->pulled, 0) << source << " staged something on a second sync with nothing new";
    }

    const auto change = sim_->post("/control/change?fraction=0.05&seed=5");
    ASSERT_EQ(change.status, 200) << change.body;
    const auto third = gateway.sync();
    ASSERT_EQ(third.exit_code, 0) << third.err;
    for (const auto& source : kSources) {
        const auto changed = sim::changedIds(sim_->dir(), 1, source);
        ASSERT_FALSE(changed.empty()) << source;
        const auto run = store->sourceSummary(source).last_run;
        ASSERT_TRUE(run.has_value());
        EXPECT_EQ(run->pulled, static_cast<std::int64_t>(changed.size())) << source;
        EXPECT_EQ(run->inserted, 0) << source;
        EXPECT_EQ(run->updated + run->unchanged + run->quarantined, run->pulled) << source;
    }
}

TEST_F(SyncTest, SourcesCommandShowsEachSourceAfterASync) {
    GatewaySetup gateway(*sim_);
    ASSERT_EQ(gateway.sync({"--source", "civil_rescue"}).exit_code, 0);
    const auto shown = runGateway({"sources", "--config", gateway.config()});
    ASSERT_EQ(shown.exit_code, 0) << shown.err;
    for (const auto& source : kSources) {
        EXPECT_NE(shown.out.find(source), std::string::npos) << shown.out;
    }
    EXPECT_NE(shown.out.find("succeeded (cli on "), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("last run never"), std::string::npos) << shown.out;
}

TEST_F(SyncTest, TransientFaultsAreRetriedToSuccess) {
    GatewaySetup gateway(*sim_);
    ASSERT_EQ(
        sim_->setFaults("http500=0.2,truncate=0.1,duplicate_page=0.1,token_expiry=3,timeout=0.05,hang_ms=1500").status,
        200);
    const auto result = gateway.sync({"--source", "police_population", "--source", "civil_rescue"});
    ASSERT_EQ(sim_->setFaults("").status, 200);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    auto store = gateway.openStore();
    for (const std::string source : {"police_population", "civil_rescue"}) {
        const auto summary = store->sourceSummary(source);
        EXPECT_EQ(summary.records + summary.quarantined, served(*sim_, source)) << source;
    }
}

TEST_F(SyncTest, AHalfWrittenDropIsTakenOnlyOnceComplete) {
    GatewaySetup gateway(*sim_);
    ASSERT_EQ(gateway.sync({"--source", "health_births"}).exit_code, 0);
    auto store = gateway.openStore();

    ASSERT_EQ(sim_->setFaults("half_csv").status, 200);
    ASSERT_EQ(sim_->post("/control/change?fraction=0.05&seed=8").status, 200);
    ASSERT_EQ(sim_->setFaults("").status, 200);
    const auto first_change = sim::changedIds(sim_->dir(), 1, "health_births");
    ASSERT_FALSE(first_change.empty());
    ASSERT_EQ(gateway.sync({"--source", "health_births"}).exit_code, 0);
    EXPECT_EQ(store->sourceSummary("health_births").last_run->pulled, 0) << "a drop without its .ok marker was taken";

    // The next change completes the half-written drop and writes its own.
    ASSERT_EQ(sim_->post("/control/change?fraction=0.05&seed=9").status, 200);
    const auto second_change = sim::changedIds(sim_->dir(), 2, "health_births");
    ASSERT_EQ(gateway.sync({"--source", "health_births"}).exit_code, 0);
    EXPECT_EQ(store->sourceSummary("health_births").last_run->pulled,
              static_cast<std::int64_t>(first_change.size() + second_change.size()));
}

TEST_F(SyncTest, ASourceThatStaysDownEndsWithAClearErrorAndAnUnchangedWatermark) {
    GatewaySetup gateway(*sim_);
    ASSERT_EQ(gateway.sync({"--source", "police_population"}).exit_code, 0);
    auto store = gateway.openStore();
    const auto before = store->sourceSummary("police_population");

    ASSERT_EQ(sim_->setFaults("down").status, 200);
    const auto result = gateway.sync({"--source", "police_population", "--full"});
    ASSERT_EQ(sim_->setFaults("").status, 200);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("police_population: failed"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("503"), std::string::npos) << result.err;

    const auto after = store->sourceSummary("police_population");
    EXPECT_EQ(after.watermark, before.watermark);
    EXPECT_EQ(after.records, before.records);
    ASSERT_TRUE(after.last_failure.has_value());
    EXPECT_EQ(after.last_run->status, "failed");
    const auto shown = runGateway({"sources", "--config", gateway.config()});
    EXPECT_NE(shown.out.find("last error"), std::string::npos) << shown.out;
}

TEST_F(SyncTest, KillNineAtRandomPointsLosesNothingAndDuplicatesNothing) {
    // Small batches, so that the kills land between and inside many commits.
    GatewaySetup gateway(*sim_, 40);
    std::mt19937 random(20261123);
    std::uniform_int_distribution<int> delay_ms(30, 400);
    for (int attempt = 0; attempt < 6; ++attempt) {
        GatewayProcess sync({"sync", "--config", gateway.config(), "--all"});
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
        // Leaving the scope kills the process with SIGKILL if it is still running.
    }
    // The killed runs left their leases behind; the next run sees their processes are gone and takes over.
    const auto final_run = runGateway({"sync", "--config", gateway.config(), "--all"});
    ASSERT_EQ(final_run.exit_code, 0) << final_run.err;
    auto store = gateway.openStore();
    for (const auto& source : kSources) {
        const auto summary = store->sourceSummary(source);
        EXPECT_EQ(summary.records + summary.quarantined, served(*sim_, source)) << source << ": a row was lost";
        EXPECT_EQ(summary.quarantined, sim_->served(source.c_str(), "unmappable"))
            << source << ": a quarantined row was kept twice";
    }
    const auto second = runGateway({"sync", "--config", gateway.config(), "--all"});
    ASSERT_EQ(second.exit_code, 0) << second.err;
    for (const auto& source : kSources) {
        EXPECT_EQ(store->sourceSummary(source).last_run->pulled, 0) << source;
    }
}

}  // namespace
}  // namespace gateway::testing
