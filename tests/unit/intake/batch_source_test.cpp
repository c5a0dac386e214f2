#include "gateway/intake/batch_source.h"

#include "gateway/common/error.h"

#include <gtest/gtest.h>

#include <atomic>

namespace gateway::intake {
namespace {

/// Serves `total` rows `per_pull` at a time (watermark = rows served so far) and records how it is called.
class CountingAdapter : public adapters::Adapter {
public:
    CountingAdapter(int total, bool prefetch, int fail_at_pull = -1)
        : total_(total), prefetch_(prefetch), fail_at_pull_(fail_at_pull) {}

    void open(const adapters::AdapterConfig&) override {}
    bool prefetchable() const override { return prefetch_; }

    adapters::PullBatch pull(const std::optional<std::string>& since, std::size_t max_records) override {
        enter();
        const int pull_number = pulls_++;
        if (pull_number == fail_at_pull_) {
            leave();
            throw GatewayError(ErrorCode::SourceUnavailable, "gone");
        }
        int next = since ? std::stoi(*since) : 0;
        adapters::PullBatch batch;
        for (std::size_t i = 0; i < max_records && next < total_; ++i, ++next) {
            batch.rows.push_back({"row " + std::to_string(next), "{}", "", ""});
        }
        batch.watermark = std::to_string(next);
        batch.more = next < total_;
        leave();
        return batch;
    }

    void committed(const adapters::PullBatch& batch) override {
        enter();
        acknowledged_.push_back(batch.watermark);
        leave();
    }

    std::vector<std::string> acknowledged_;
    std::atomic<bool> overlapped_{false};

private:
    void enter() {
        if (busy_.exchange(true)) {
            overlapped_ = true;
        }
    }
    void leave() { busy_ = false; }

    int total_;
    bool prefetch_;
    int fail_at_pull_;
    int pulls_ = 0;
    std::atomic<bool> busy_{false};
};

std::vector<std::string> drain(BatchSource& source) {
    std::vector<std::string> watermarks;
    while (auto batch = source.next()) {
        watermarks.push_back(batch->watermark);
        source.committed(std::move(*batch));
    }
    return watermarks;
}

TEST(BatchSourceTest, YieldsEveryBatchInOrderWithOrWithoutPrefetching) {
    for (const bool prefetch : {false, true}) {
        CountingAdapter adapter(10, prefetch);
        {
            BatchSource source(adapter, std::nullopt, 3);
            EXPECT_EQ(drain(source), (std::vector<std::string>{"3", "6", "9", "10"})) << prefetch;
        }
        EXPECT_EQ(adapter.acknowledged_, (std::vector<std::string>{"3", "6", "9", "10"})) << prefetch;
        EXPECT_FALSE(adapter.overlapped_) << "the adapter was called from two threads at once";
    }
}

TEST(BatchSourceTest, ResumesFromTheGivenWatermarkAndEndsWhenNothingIsNew) {
    for (const bool prefetch : {false, true}) {
        CountingAdapter adapter(5, prefetch);
        BatchSource done(adapter, std::string("5"), 3);
        EXPECT_FALSE(done.next().has_value()) << prefetch;
        BatchSource rest(adapter, std::string("4"), 3);
        EXPECT_EQ(drain(rest), (std::vector<std::string>{"5"})) << prefetch;
    }
}

TEST(BatchSourceTest, AFailedPullSurfacesAfterTheBatchesBeforeIt) {
    for (const bool prefetch : {false, true}) {
        CountingAdapter adapter(10, prefetch, 2);
        std::vector<std::string> seen;
        try {
            BatchSource source(adapter, std::nullopt, 3);
            while (auto batch = source.next()) {
                seen.push_back(batch->watermark);
                source.committed(std::move(*batch));
            }
            ADD_FAILURE() << "no error surfaced";
        } catch (const GatewayError& e) {
            EXPECT_EQ(e.message(), "gone");
        }
        EXPECT_EQ(seen, (std::vector<std::string>{"3", "6"})) << prefetch;
        EXPECT_EQ(adapter.acknowledged_, (std::vector<std::string>{"3", "6"})) << prefetch;
    }
}

TEST(BatchSourceTest, StoppingEarlyAcknowledgesOnlyWhatWasCommitted) {
    CountingAdapter adapter(100, true);
    {
        BatchSource source(adapter, std::nullopt, 10);
        auto first = source.next();
        ASSERT_TRUE(first.has_value());
        source.committed(std::move(*first));
        ASSERT_TRUE(source.next().has_value());  // taken but never committed
    }
    EXPECT_EQ(adapter.acknowledged_, (std::vector<std::string>{"10"}));
}

}  // namespace
}  // namespace gateway::intake
