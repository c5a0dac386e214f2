// The daily run: due from the scheduled local time of day until a scheduled run has started since, in the host's time
// zone (set here to China's, as a county's server runs), at the exact minute and across midnight and month ends.

#include "gateway/reconcile/reconcile_schedule.h"

#include "gateway/common/clock.h"
#include "gateway/store/store.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace gateway::reconcile {
namespace {

Poco::Timestamp at(const std::string& iso) {
    return *parseIso(iso);
}

class ReconcileScheduleTest : public ::testing::Test {
protected:
    void SetUp() override {
        const char* before = std::getenv("TZ");
        saved_ = before != nullptr ? std::optional<std::string>(before) : std::nullopt;
        setenv("TZ", "CST-8", 1);  // UTC+8 without daylight saving; needs no zone database
        tzset();
    }
    void TearDown() override {
        if (saved_) {
            setenv("TZ", saved_->c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
    }
    std::optional<std::string> saved_;
};

TEST_F(ReconcileScheduleTest, TheLastScheduledInstantIsTodaysOnceItHasPassedElseYesterdays) {
    // 02:00 in China is 18:00 UTC the day before.
    EXPECT_EQ(lastScheduledInstant("02:00", at("2026-11-01T18:30:00Z")), at("2026-11-01T18:00:00Z"));
    EXPECT_EQ(lastScheduledInstant("02:00", at("2026-11-01T18:00:00Z")), at("2026-11-01T18:00:00Z")) << "on the minute";
    EXPECT_EQ(lastScheduledInstant("02:00", at("2026-11-01T17:59:59Z")), at("2026-10-31T18:00:00Z"));
    EXPECT_EQ(lastScheduledInstant("00:00", at("2026-11-30T16:00:00Z")), at("2026-11-30T16:00:00Z")) << "midnight";
    EXPECT_EQ(lastScheduledInstant("23:59", at("2026-12-01T15:58:00Z")), at("2026-11-30T15:59:00Z"))
        << "the day before, across the month's end";
    for (const std::string bad : {"2:00", "24:00", "02:60", "ab:cd", "", "02-00", "02:000"}) {
        EXPECT_FALSE(lastScheduledInstant(bad, at("2026-11-01T18:30:00Z"))) << bad;
    }
}

TEST_F(ReconcileScheduleTest, AScheduledRunSinceTheInstantCountsAndACommandLineRunDoesNot) {
    testing::TempDir dir;
    store::StoreSettings settings;
    settings.sqlite_path = dir.file("gateway.db");
    auto store = store::openStore(settings);
    store->migrate();
    const Poco::Timestamp since = at("2026-11-01T18:00:00Z");
    EXPECT_FALSE(scheduledRunSince(*store, since)) << "no run at all";

    ReconcileRun run;
    run.node = "node-a:1";
    run.status = "running";
    run.as_of = "2026-11-02";
    run.trigger = "schedule";
    run.started_at = "2026-11-01T17:59:59.999Z";
    store->startReconcileRun(run);
    EXPECT_FALSE(scheduledRunSince(*store, since)) << "yesterday's";
    run.trigger = "cli";
    run.started_at = "2026-11-01T18:05:00.000Z";
    store->startReconcileRun(run);
    EXPECT_FALSE(scheduledRunSince(*store, since)) << "a run from the command line does not replace the day's";
    run.trigger = "schedule";
    run.started_at = "2026-11-01T18:00:00.000Z";
    store->startReconcileRun(run);
    EXPECT_TRUE(scheduledRunSince(*store, since));
}

}  // namespace
}  // namespace gateway::reconcile
