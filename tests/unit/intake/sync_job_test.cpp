#include "gateway/intake/sync_job.h"

#include "gateway/common/error.h"
#include "gateway/model/division_directory.h"
#include "gateway/store/lease.h"
#include "tests/support/fake_intake_store.h"
#include "tests/support/fake_lease_store.h"
#include "tests/support/fake_log_store.h"
#include "tests/support/manual_clock.h"
#include "tests/support/memory_source.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <memory>

namespace gateway::intake {
namespace {

using Feed = testing::MemoryFeed;
using testing::MemoryAdapter;
using testing::sourceRow;
constexpr const char* kMapping = testing::kTestSourceMapping;

class SyncJobTest : public ::testing::Test {
protected:
    void SetUp() override {
        feed_ = std::make_shared<Feed>();
        registry_.add("memory", [feed = feed_] { return std::make_unique<MemoryAdapter>(feed); });
        testing::writeFile(dir_.file("mapping.json"), kMapping);
        divisions_ = model::DivisionDirectory::loadBuiltin();
        context_.divisions = &divisions_;
        context_.codes_dir = dir_.path();
        context_.as_of = model::CalendarDate(2026, 11, 1);
        config_.source = "test_source";
        config_.adapter = "memory";
        config_.mapping = dir_.file("mapping.json");
        config_.batch_size = 3;
        config_.origin = "test_source.json";
    }

    SyncJob job() {
        return SyncJob(store_, leases_, registry_, config_, mapping::Mapping::load(config_.mapping, context_),
                       dir_.file("state"), clock_);
    }

    SyncOutcome run(bool full = false, const std::string& node = "node-a") {
        SyncOptions options;
        options.full = full;
        options.node = node;
        options.on_progress = [this](const SyncProgress& progress) { progress_.push_back(progress); };
        return job().runOnce(options);
    }

    testing::TempDir dir_;
    std::shared_ptr<Feed> feed_;
    adapters::AdapterRegistry registry_;
    testing::ManualClock clock_;
    testing::FakeLogStore log_;
    testing::FakeIntakeStore store_{log_, clock_};
    testing::FakeLeaseStore leases_;
    model::DivisionDirectory divisions_;
    mapping::MappingContext context_;
    SourceConfig config_;
    std::vector<SyncProgress> progress_;
};

TEST_F(SyncJobTest, StagesEveryRowBatchByBatchWithItsWatermark) {
    for (int i = 0; i < 7; ++i) {
        feed_->rows.push_back(sourceRow("P" + std::to_string(i), "张三" + std::to_string(i)));
    }
    const auto outcome = run();
    ASSERT_EQ(outcome.result, SyncResult::Succeeded) << outcome.message;
    EXPECT_EQ(outcome.run.batches, 3);
    EXPECT_EQ(outcome.run.pulled, 7);
    EXPECT_EQ(outcome.run.inserted, 7);
    EXPECT_EQ(store_.countSourceRecords("test_source"), 7);
    EXPECT_EQ(store_.watermark("test_source"), "7");
    EXPECT_EQ(feed_->committed, (std::vector<std::string>{"3", "6", "7"}));
    ASSERT_EQ(progress_.size(), 3u);
    EXPECT_EQ(progress_[0].staged, 3);
    EXPECT_EQ(progress_[0].remaining, 4);
    EXPECT_EQ(progress_.back().staged, 7);

    const auto staged = store_.sourceRecord("test_source", "P3");
    ASSERT_TRUE(staged.has_value());
    EXPECT_NE(staged->record_json.find(R"("birth_date":"2014-03-05")"), std::string::npos) << staged->record_json;

    const auto summary = store_.sourceSummary("test_source");
    ASSERT_TRUE(summary.last_run.has_value());
    EXPECT_EQ(summary.last_run->status, "succeeded");
    EXPECT_EQ(summary.last_run->node, "node-a");

    audit::ExchangeLogQuery pulls;
    pulls.action = "source.pull";
    EXPECT_EQ(log_.searchExchangeLog(pulls).size(), 3u) << "one entry per batch";
    audit::ExchangeLogQuery runs;
    runs.action = "sync.run";
    EXPECT_EQ(log_.searchExchangeLog(runs).size(), 1u);
    EXPECT_FALSE(leases_.leaseHolder("sync:test_source").has_value()) << "given back when the run ends";
}

TEST_F(SyncJobTest, EveryRowEndsStagedOrQuarantinedWithAReason) {
    feed_->rows = {sourceRow("P1", "李四"),
                   sourceRow("P2", "王五", "2014-02-30"),
                   sourceRow("P3", "", "2014-03-05"),
                   {"line 4", "", "undecodable GB18030 byte 0x80 at byte 12", "raw \x80 bytes"},
                   sourceRow("P5", "赵六")};
    const auto outcome = run();
    ASSERT_EQ(outcome.result, SyncResult::Succeeded) << outcome.message;
    EXPECT_EQ(outcome.run.pulled, 5);
    EXPECT_EQ(outcome.run.inserted + outcome.run.quarantined, 5);
    EXPECT_EQ(store_.countSourceRecords("test_source"), 2);
    const auto quarantined = store_.quarantined("test_source", 10);
    ASSERT_EQ(quarantined.size(), 3u);
    EXPECT_EQ(quarantined[0].locator, "row P2");
    EXPECT_NE(quarantined[0].reason.find("birth_date"), std::string::npos) << quarantined[0].reason;
    EXPECT_EQ(quarantined[0].raw_payload, feed_->rows[1].json);
    EXPECT_NE(quarantined[1].reason.find("name"), std::string::npos) << quarantined[1].reason;
    EXPECT_EQ(quarantined[2].reason, "undecodable GB18030 byte 0x80 at byte 12");
    EXPECT_EQ(quarantined[2].raw_payload, "raw \x80 bytes");
}

TEST_F(SyncJobTest, SecondRunWithNothingNewCommitsNothing) {
    feed_->rows = {sourceRow("P1", "李四"), sourceRow("P2", "王五")};
    ASSERT_EQ(run().result, SyncResult::Succeeded);
    const auto batches = store_.countRawBatches("test_source");
    const auto again = run();
    ASSERT_EQ(again.result, SyncResult::Succeeded) << again.message;
    EXPECT_EQ(again.run.pulled, 0);
    EXPECT_EQ(again.run.batches, 0);
    EXPECT_EQ(store_.countRawBatches("test_source"), batches);

    feed_->rows.push_back(sourceRow("P3", "孙七"));
    const auto third = run();
    EXPECT_EQ(third.run.pulled, 1);
    EXPECT_EQ(third.run.inserted, 1);
}

TEST_F(SyncJobTest, SourceFailureKeepsCommittedBatchesAndTheRerunContinues) {
    for (int i = 0; i < 8; ++i) {
        feed_->rows.push_back(sourceRow("P" + std::to_string(i), "周" + std::to_string(i)));
    }
    feed_->fail_after_pulls = 1;
    const auto failed = run();
    ASSERT_EQ(failed.result, SyncResult::Failed);
    EXPECT_EQ(failed.message, "test_source: connection refused after 4 attempts");
    EXPECT_EQ(store_.watermark("test_source"), "3");
    EXPECT_EQ(store_.countSourceRecords("test_source"), 3);
    const auto summary = store_.sourceSummary("test_source");
    ASSERT_TRUE(summary.last_failure.has_value());
    EXPECT_EQ(summary.last_failure->error, failed.message);

    feed_->fail_after_pulls = -1;
    const auto rerun = run();
    ASSERT_EQ(rerun.result, SyncResult::Succeeded) << rerun.message;
    EXPECT_EQ(rerun.run.pulled, 5);
    EXPECT_EQ(rerun.run.inserted, 5);
    EXPECT_EQ(rerun.run.unchanged, 0);
    EXPECT_EQ(store_.countSourceRecords("test_source"), 8);
}

TEST_F(SyncJobTest, ALeaseLostBetweenBatchesEndsTheRunWithWhatItCommitted) {
    for (int i = 0; i < 7; ++i) {
        feed_->rows.push_back(sourceRow("P" + std::to_string(i), "吴" + std::to_string(i)));
    }
    SyncOptions options;
    options.node = "node-a";
    options.lease_seconds = 60;
    bool stalled = false;
    options.on_progress = [&](const SyncProgress&) {
        if (!stalled) {
            // node-a stalls past its lease after the first batch, and node-b takes the source over.
            stalled = true;
            clock_.advance(std::chrono::seconds(61));
            ASSERT_TRUE(store::acquireLease(leases_, "sync:test_source", "node-b", clock_.now(), 60).held);
        }
    };
    const auto outcome = job().runOnce(options);
    EXPECT_EQ(outcome.result, SyncResult::Failed);
    EXPECT_EQ(outcome.message, "test_source: lost the sync lease to another node");
    EXPECT_EQ(outcome.run.batches, 1);
    EXPECT_EQ(store_.watermark("test_source"), "3") << "the batch committed before the loss stays";
    EXPECT_EQ(store_.countSourceRecords("test_source"), 3);
    EXPECT_EQ(leases_.leaseHolder("sync:test_source"), "node-b") << "node-a gives back only its own lease";
}

TEST_F(SyncJobTest, LaterCopyOfARecordInOneBatchWins) {
    feed_->rows = {sourceRow("P1", "旧名"), sourceRow("P1", "新名")};
    const auto outcome = run();
    ASSERT_EQ(outcome.result, SyncResult::Succeeded) << outcome.message;
    EXPECT_EQ(outcome.run.inserted, 1);
    const auto staged = store_.sourceRecord("test_source", "P1");
    ASSERT_TRUE(staged.has_value());
    EXPECT_NE(staged->record_json.find("新名"), std::string::npos);
}

TEST_F(SyncJobTest, FullRunPullsEverythingAgainAndCountsItUnchanged) {
    feed_->rows = {sourceRow("P1", "李四"), sourceRow("P2", "王五")};
    ASSERT_EQ(run().result, SyncResult::Succeeded);
    feed_->rows[1] = sourceRow("P2", "王五五");
    const auto full = run(true);
    ASSERT_EQ(full.result, SyncResult::Succeeded) << full.message;
    EXPECT_EQ(full.run.pulled, 2);
    EXPECT_EQ(full.run.unchanged, 1);
    EXPECT_EQ(full.run.updated, 1);
    EXPECT_EQ(store_.sourceRecord("test_source", "P2")->version, 2);
}

TEST_F(SyncJobTest, AnotherNodeHoldingTheLeaseSkipsTheRun) {
    feed_->rows = {sourceRow("P1", "李四")};
    ASSERT_TRUE(
        leases_.claimLease("sync:test_source", "node-b", "2000-01-01T00:00:00.000Z", "2999-01-01T00:00:00.000Z"));
    const auto outcome = run(false, "node-a");
    EXPECT_EQ(outcome.result, SyncResult::Skipped);
    EXPECT_EQ(store_.countSourceRecords("test_source"), 0);
    EXPECT_FALSE(store_.sourceSummary("test_source").last_run.has_value());
}

TEST_F(SyncJobTest, MappingForAnotherSourceIsRefused) {
    config_.source = "other_source";
    try {
        job();
        FAIL() << "accepted a mapping for another source";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidConfig);
        EXPECT_NE(e.message().find("maps source \"test_source\", not \"other_source\""), std::string::npos)
            << e.message();
    }
}

TEST_F(SyncJobTest, UnknownAdapterFailsTheRunNamingTheKnownOnes) {
    config_.adapter = "ftp";
    const auto outcome = run();
    EXPECT_EQ(outcome.result, SyncResult::Failed);
    EXPECT_EQ(outcome.message, "unknown adapter 'ftp' (known: memory)");
}

}  // namespace
}  // namespace gateway::intake
