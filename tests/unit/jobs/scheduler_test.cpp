#include "gateway/jobs/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace gateway::jobs {
namespace {

TEST(SchedulerTest, RunsEachTaskAtStartAndStopsPromptly) {
    std::mutex mutex;
    std::condition_variable ran;
    int fast_runs = 0;
    int slow_runs = 0;
    Scheduler scheduler;
    scheduler.add({"fast", std::chrono::seconds(0), [&] {
                       std::lock_guard<std::mutex> lock(mutex);
                       ++fast_runs;
                       ran.notify_all();
                   }});
    // An hour-long interval must not keep stop() waiting.
    scheduler.add({"slow", std::chrono::hours(1), [&] {
                       std::lock_guard<std::mutex> lock(mutex);
                       ++slow_runs;
                       ran.notify_all();
                   }});
    scheduler.start();
    {
        std::unique_lock<std::mutex> lock(mutex);
        ASSERT_TRUE(ran.wait_for(lock, std::chrono::seconds(10), [&] { return fast_runs >= 3 && slow_runs == 1; }));
    }
    scheduler.stop();
    std::lock_guard<std::mutex> lock(mutex);
    EXPECT_EQ(slow_runs, 1);
    const int after_stop = fast_runs;
    EXPECT_GE(after_stop, 3);
}

TEST(SchedulerTest, StopWithoutStartAndTwiceIsHarmless) {
    Scheduler scheduler;
    scheduler.stop();
    scheduler.stop();
    EXPECT_EQ(scheduler.size(), 0u);
}

TEST(SchedulerTest, TaskCannotBeAddedAfterStart) {
    Scheduler scheduler;
    std::atomic<int> runs{0};
    scheduler.add({"a", std::chrono::hours(1), [&] { ++runs; }});
    scheduler.start();
    EXPECT_ANY_THROW(scheduler.add({"b", std::chrono::hours(1), [] {}}));
    scheduler.stop();
}

}  // namespace
}  // namespace gateway::jobs
