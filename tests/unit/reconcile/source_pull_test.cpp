// The source side of a comparison: a source pulled whole, in its own order, maps and hashes each row exactly as the
// sync job staged it, so that an unchanged source agrees with the gateway and each change shows as what it is.

#include "gateway/reconcile/source_pull.h"

#include "gateway/common/error.h"
#include "gateway/intake/sync_job.h"
#include "gateway/model/division_directory.h"
#include "tests/support/fake_intake_store.h"
#include "tests/support/fake_lease_store.h"
#include "tests/support/fake_log_store.h"
#include "tests/support/manual_clock.h"
#include "tests/support/memory_source.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace gateway::reconcile {
namespace {

using testing::MemoryAdapter;
using testing::MemoryFeed;
using testing::sourceRow;

class SourcePullTest : public ::testing::Test {
protected:
    void SetUp() override {
        testing::writeFile(dir_.file("mapping.json"), testing::kTestSourceMapping);
        divisions_ = model::DivisionDirectory::loadBuiltin();
        context_.divisions = &divisions_;
        context_.codes_dir = dir_.path();
        context_.as_of = model::CalendarDate(2026, 11, 1);
        feed_ = std::make_shared<MemoryFeed>();
        feed_->rows = {sourceRow("S9", "李娜"), sourceRow("S1", "张子涵"),
                       sourceRow("S5", "王芳"), sourceRow("S3", "赵磊", "not a date"),
                       sourceRow("S2", "陈静"), sourceRow("S7", "刘洋")};
        feed_->rows.push_back({"line 7", "", "undecodable bytes", "\xff\xfe"});
    }

    /// Stages the source through the real sync job, into the in-memory intake store.
    void sync() {
        adapters::AdapterRegistry registry;
        registry.add("memory", [feed = feed_] { return std::make_unique<MemoryAdapter>(feed); });
        intake::SourceConfig config;
        config.source = "test_source";
        config.adapter = "memory";
        config.mapping = dir_.file("mapping.json");
        config.batch_size = 2;
        config.origin = "test_source.json";
        intake::SyncJob job(staged_, leases_, registry, config, mapping::Mapping::load(config.mapping, context_),
                            dir_.file("state"), clock_);
        intake::SyncOptions options;
        options.full = true;
        ASSERT_EQ(job.runOnce(options).result, intake::SyncResult::Succeeded);
    }

    /// The source pulled whole and sorted, as reconciliation reads it.
    std::vector<KeyHash> pulled(SourcePull& counts, std::size_t batch_rows = 2) {
        const std::size_t acknowledged = feed_->committed.size();
        MemoryAdapter adapter(feed_);
        KeySorter sorter(dir_.path(), 2);
        counts = pullWhole(adapter, mapping::Mapping::load(dir_.file("mapping.json"), context_), "test_source",
                           batch_rows, "2026-11-01T09:00:00.000Z", sorter);
        EXPECT_EQ(feed_->committed.size(), acknowledged) << "a re-pull acknowledges nothing";
        std::vector<KeyHash> rows;
        auto stream = sorter.sorted();
        KeyHash next;
        while (stream->next(next)) {
            rows.push_back(next);
        }
        return rows;
    }

    testing::TempDir dir_;
    std::shared_ptr<MemoryFeed> feed_;
    model::DivisionDirectory divisions_;
    mapping::MappingContext context_;
    testing::ManualClock clock_;
    testing::FakeLogStore log_;
    testing::FakeIntakeStore staged_{log_, clock_};
    testing::FakeLeaseStore leases_;
};

TEST_F(SourcePullTest, AnUnchangedSourceHashesEachRowAsTheSyncJobStagedIt) {
    sync();
    SourcePull counts;
    const std::vector<KeyHash> rows = pulled(counts);
    EXPECT_EQ(counts.rows, 7);
    EXPECT_EQ(counts.quarantined, 2) << "a bad date and undecodable bytes, as at intake";
    EXPECT_EQ(counts.batches, 4);
    ASSERT_EQ(rows.size(), 5u);
    const std::vector<std::string> keys = {"S1", "S2", "S5", "S7", "S9"};
    for (std::size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].key, keys[i]);
        const auto record = staged_.sourceRecord("test_source", rows[i].key);
        ASSERT_TRUE(record) << rows[i].key;
        EXPECT_EQ(rows[i].hash, record->content_hash) << rows[i].key << ": the clock moved, the hash did not";
    }
}

TEST_F(SourcePullTest, EachChangeShowsAsWhatItIsAgainstWhatWasStaged) {
    sync();
    feed_->rows[0] = sourceRow("S9", "李娜", "2014-03-06");  // edited at the source
    feed_->rows.erase(feed_->rows.begin() + 2);              // S5 deleted at the source
    feed_->rows.push_back(sourceRow("S8", "周杰"));          // never synced
    SourcePull counts;
    const std::vector<KeyHash> at_source = pulled(counts, 3);

    std::vector<KeyHash> in_gateway;
    for (const std::string id : {"S1", "S2", "S5", "S7", "S9"}) {
        in_gateway.push_back({id, staged_.sourceRecord("test_source", id)->content_hash});
    }
    struct Vector : KeyHashStream {
        explicit Vector(const std::vector<KeyHash>& rows) : rows(rows) {}
        bool next(KeyHash& row) override {
            if (at == rows.size()) {
                return false;
            }
            row = rows[at++];
            return true;
        }
        const std::vector<KeyHash>& rows;
        std::size_t at = 0;
    };
    Vector source(at_source);
    Vector gateway(in_gateway);
    std::vector<std::pair<Discrepancy, std::string>> found;
    diffStreams(source, gateway,
                [&found](Discrepancy d, const std::string& key, const std::string&, const std::string&) {
                    found.emplace_back(d, key);
                });
    const std::vector<std::pair<Discrepancy, std::string>> expected = {
        {Discrepancy::DeletedAtSource, "S5"}, {Discrepancy::MissingInGateway, "S8"}, {Discrepancy::Changed, "S9"}};
    EXPECT_EQ(found, expected);
}

TEST_F(SourcePullTest, ASourceThatClaimsMoreWithoutMovingOnIsAnErrorNotAnEnd) {
    feed_->stuck = true;
    MemoryAdapter stuck(feed_);
    KeySorter sorter(dir_.path());
    try {
        pullWhole(stuck, mapping::Mapping::load(dir_.file("mapping.json"), context_), "test_source", 2,
                  "2026-11-01T09:00:00.000Z", sorter);
        ADD_FAILURE() << "a stuck source ended the pull";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::SourceError);
        EXPECT_NE(e.message().find("did not move past 0"), std::string::npos) << e.message();
    }
    EXPECT_THROW(pullWhole(stuck, mapping::Mapping::load(dir_.file("mapping.json"), context_), "test_source", 0,
                           "2026-11-01T09:00:00.000Z", sorter),
                 GatewayError);
}

}  // namespace
}  // namespace gateway::reconcile
