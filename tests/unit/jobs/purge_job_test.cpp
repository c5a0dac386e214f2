// The purge job against the in-memory purge store: a child removed as adult is due `after_days` later (on the cutoff
// day itself, not a day before), is purged in batches until none is left, once, and again only for records staged
// since; a dry run lists and erases nothing; the report adds up what each purge erased.

#include "gateway/jobs/purge_job.h"

#include "gateway/common/error.h"
#include "tests/support/fake_log_store.h"
#include "tests/support/fake_purge_store.h"
#include "tests/support/manual_clock.h"

#include <gtest/gtest.h>

#include <functional>
#include <limits>
#include <map>
#include <tuple>

namespace gateway::jobs {
namespace {

using Holdings = testing::FakePurgeStore::Holdings;
using Names = std::vector<std::string>;

/// The fake, with every purgeProfiles call the job makes kept, and a hook run just before each: what another node
/// does meanwhile.
class RecordingPurgeStore : public profile::PurgeStore {
public:
    explicit RecordingPurgeStore(profile::PurgeStore& store) : store_(store) {}

    std::vector<std::string> profilesToPurge(std::string_view removed_on_or_before, std::size_t limit) override {
        return store_.profilesToPurge(removed_on_or_before, limit);
    }
    std::vector<std::string> purgedWithRecords(std::size_t limit) override { return store_.purgedWithRecords(limit); }
    std::vector<profile::PurgeOutcome> purgeProfiles(const std::vector<std::string>& persons,
                                                     std::string_view actor) override {
        calls.push_back(persons);
        if (before_purge) {
            before_purge(persons);
        }
        return store_.purgeProfiles(persons, actor);
    }

    /// The calls that named anyone: a call with nobody erases nothing, whether the job makes it or not.
    std::vector<Names> batches() const {
        std::vector<Names> result;
        for (const Names& call : calls) {
            if (!call.empty()) {
                result.push_back(call);
            }
        }
        return result;
    }

    std::vector<Names> calls;
    std::function<void(const Names&)> before_purge;

private:
    profile::PurgeStore& store_;
};

class PurgeJobTest : public ::testing::Test {
protected:
    PurgeReport run(int after_days, std::size_t batch, bool dry_run = false) {
        PurgeOptions options;
        options.after_days = after_days;
        options.batch = batch;
        options.dry_run = dry_run;
        options.actor = "purger";
        return job_.run(options);
    }

    std::vector<audit::ExchangeLogEntry> purgeEntries() {
        audit::ExchangeLogQuery query;
        query.action = "profile.purge";
        query.limit = 1000;
        return log_.searchExchangeLog(query);
    }

    void expectHolds(const std::string& person, std::int64_t versions, std::int64_t records,
                     std::int64_t review_pairs) {
        const auto held = store_.holdings(person);
        ASSERT_TRUE(held.has_value()) << person;
        EXPECT_EQ(held->versions, versions) << person;
        EXPECT_EQ(held->records, records) << person;
        EXPECT_EQ(held->review_pairs, review_pairs) << person;
    }

    testing::ManualClock clock_;
    testing::FakeLogStore log_;
    testing::FakePurgeStore store_{log_, clock_};
    RecordingPurgeStore recorded_{store_};
    model::CalendarDate today_{2032, 4, 4};
    PurgeJob job_{recorded_, [this] { return today_; }};
};

TEST_F(PurgeJobTest, ARemovalIsDueOnTheCutoffDayAndNotTheDayBefore) {
    store_.addRemoval("on-cutoff", "adult", "2032-03-05", {2, 3, 1});
    store_.addRemoval("day-after", "adult", "2032-03-06", {1, 1, 0});
    store_.addRemoval("long-ago", "adult", "2020-01-01", {1, 1, 0});

    PurgeReport report = run(30, 10);
    EXPECT_EQ(report.cutoff, "2032-03-05");
    EXPECT_EQ(report.persons, 2u);
    EXPECT_TRUE(store_.purged("on-cutoff"));
    EXPECT_TRUE(store_.purged("long-ago"));
    EXPECT_FALSE(store_.purged("day-after")) << "removed a day after the cutoff: 29 days ago";
    expectHolds("day-after", 1, 1, 0);

    today_ = model::CalendarDate(2032, 4, 5);
    report = run(30, 10);
    EXPECT_EQ(report.cutoff, "2032-03-06");
    EXPECT_EQ(report.persons, 1u);
    EXPECT_TRUE(store_.purged("day-after"));
}

TEST_F(PurgeJobTest, APeriodOfNoDaysPurgesWhatWasRemovedTodayAndNothingDatedLater) {
    store_.addRemoval("today", "adult", "2032-04-04", {1, 1, 0});
    store_.addRemoval("tomorrow", "adult", "2032-04-05", {1, 1, 0});
    const PurgeReport report = run(0, 10);
    EXPECT_EQ(report.cutoff, "2032-04-04");
    EXPECT_EQ(report.persons, 1u);
    EXPECT_TRUE(store_.purged("today"));
    EXPECT_FALSE(store_.purged("tomorrow"));
}

TEST_F(PurgeJobTest, TheCutoffCountsCalendarDaysAcrossMonthsLeapDaysAndYears) {
    for (const auto& [today, after_days, cutoff] :
         std::vector<std::tuple<model::CalendarDate, int, std::string>>{{{2032, 3, 1}, 1, "2032-02-29"},
                                                                        {{2032, 3, 1}, 2, "2032-02-28"},
                                                                        {{2033, 3, 1}, 1, "2033-02-28"},
                                                                        {{2032, 1, 1}, 1, "2031-12-31"},
                                                                        {{2032, 12, 31}, 366, "2031-12-31"},
                                                                        {{2032, 4, 4}, 90, "2032-01-05"}}) {
        today_ = today;
        EXPECT_EQ(run(after_days, 10).cutoff, cutoff) << today << " minus " << after_days;
    }
}

TEST_F(PurgeJobTest, APeriodLongerThanTheCalendarPurgesNobody) {
    store_.addRemoval("earliest", "adult", "1850-01-01", {1, 1, 1});
    const PurgeReport report = run(std::numeric_limits<int>::max(), 10);
    EXPECT_EQ(report.persons, 0u) << "cutoff " << report.cutoff;
    EXPECT_FALSE(store_.purged("earliest"));
    EXPECT_TRUE(purgeEntries().empty());
}

TEST_F(PurgeJobTest, AnEmptyStoreIsAReportOfNothing) {
    PurgeReport report = run(90, 1);
    EXPECT_EQ(report.cutoff, "2032-01-05");
    EXPECT_EQ(report.persons, 0u);
    EXPECT_EQ(report.versions, 0u);
    EXPECT_EQ(report.records, 0u);
    EXPECT_EQ(report.review_pairs, 0u);
    EXPECT_TRUE(report.due.empty());
    EXPECT_TRUE(recorded_.batches().empty());
    EXPECT_TRUE(purgeEntries().empty());

    report = run(90, 1, true);
    EXPECT_TRUE(report.due.empty());
    EXPECT_EQ(report.persons, 0u);
}

TEST_F(PurgeJobTest, PersonsArePurgedABatchAtATimeUntilNoneIsLeft) {
    for (const std::string person : {"E", "C", "A", "D", "B"}) {
        store_.addRemoval(person, "adult", "2031-01-01", {1, 1, 0});
    }
    const PurgeReport report = run(90, 2);
    EXPECT_EQ(report.persons, 5u);
    EXPECT_EQ(recorded_.batches(), (std::vector<Names>{{"A", "B"}, {"C", "D"}, {"E"}}));
    for (const std::string person : {"A", "B", "C", "D", "E"}) {
        EXPECT_TRUE(store_.purged(person)) << person;
    }
    EXPECT_EQ(purgeEntries().size(), 5u);
}

TEST_F(PurgeJobTest, ABatchOfOnePurgesEveryoneOneByOneThoseWithRecordsAgainLast) {
    for (const std::string person : {"A", "B", "C", "X", "Y"}) {
        store_.addRemoval(person, "adult", "2031-01-01", {1, 1, 0});
    }
    ASSERT_EQ(store_.purgeProfiles({"X", "Y"}, "earlier").size(), 2u);
    store_.stageRecords("X", 2);
    store_.stageRecords("Y", 1);

    const PurgeReport report = run(90, 1);
    EXPECT_EQ(recorded_.batches(), (std::vector<Names>{{"A"}, {"B"}, {"C"}, {"X"}, {"Y"}}));
    EXPECT_EQ(report.persons, 5u);
    EXPECT_EQ(report.versions, 3u) << "X's and Y's versions went in the earlier purge";
    EXPECT_EQ(report.records, 6u);
    EXPECT_TRUE(store_.purgedWithRecords(10).empty());
    EXPECT_TRUE(store_.profilesToPurge("2099-12-31", 10).empty());
}

TEST_F(PurgeJobTest, ADryRunListsAtMostOneBatchAndErasesNothing) {
    for (const std::string person : {"C", "A", "B", "X"}) {
        store_.addRemoval(person, "adult", "2031-01-01", {2, 2, 1});
    }
    ASSERT_EQ(store_.purgeProfiles({"X"}, "earlier").size(), 1u);
    store_.stageRecords("X", 1, 1);
    const std::size_t logged = purgeEntries().size();

    PurgeReport report = run(90, 2, true);
    EXPECT_EQ(report.due, (Names{"A", "B"}));
    EXPECT_EQ(report.persons, 0u);
    EXPECT_EQ(report.cutoff, "2032-01-05");
    report = run(90, 3, true);
    EXPECT_EQ(report.due, (Names{"A", "B", "C"})) << "a batch filled by those due leaves no room for the others";
    report = run(90, 4, true);
    EXPECT_EQ(report.due, (Names{"A", "B", "C", "X"})) << "then those with records staged again";
    report = run(90, 100, true);
    EXPECT_EQ(report.due, (Names{"A", "B", "C", "X"}));
    EXPECT_EQ(report.persons + report.versions + report.records + report.review_pairs, 0u);

    EXPECT_TRUE(recorded_.calls.empty()) << "a dry run never calls the purge";
    EXPECT_EQ(purgeEntries().size(), logged);
    for (const std::string person : {"A", "B", "C"}) {
        EXPECT_FALSE(store_.purged(person)) << person;
        expectHolds(person, 2, 2, 1);
    }
    expectHolds("X", 0, 1, 1);
}

TEST_F(PurgeJobTest, OnlyAnAdultsRemovalIsPurgedAndOnlyOnce) {
    store_.addChild("child", {2, 2, 1});
    store_.addRemoval("gone", "gone", "2020-01-01", {1, 1, 0});
    store_.addRemoval("adult", "adult", "2031-01-01", {1, 1, 0});
    store_.stageRecords("records-only", 3);

    PurgeReport report = run(90, 10);
    EXPECT_EQ(report.persons, 1u);
    EXPECT_TRUE(store_.purged("adult"));
    expectHolds("child", 2, 2, 1);
    expectHolds("gone", 1, 1, 0);
    expectHolds("records-only", 0, 3, 0);

    report = run(90, 10);
    EXPECT_EQ(report.persons, 0u) << "purged already";
    EXPECT_EQ(purgeEntries().size(), 1u);
    EXPECT_TRUE(run(90, 10, true).due.empty());

    // A corrected birth date makes the person a child again, then of age again later: due from the new date.
    store_.addChild("adult", {1, 1, 0});
    EXPECT_EQ(run(0, 10).persons, 0u);
    store_.addRemoval("adult", "adult", "2032-04-01", {0, 0, 0});
    EXPECT_EQ(run(4, 10).persons, 0u);
    report = run(3, 10);
    EXPECT_EQ(report.persons, 1u);
    EXPECT_EQ(report.versions, 1u);
    EXPECT_EQ(report.records, 1u);
}

TEST_F(PurgeJobTest, RecordsStagedAgainAfterThePurgeArePurgedAgainWithoutTheVersions) {
    store_.addRemoval("A", "adult", "2031-01-01", {2, 2, 1});
    PurgeReport report = run(90, 10);
    EXPECT_EQ(report.versions, 2u);
    EXPECT_EQ(report.records, 2u);
    EXPECT_EQ(report.review_pairs, 1u);
    expectHolds("A", 0, 0, 0);

    // A source sends a record again: it comes back to A, still a purged removal.
    store_.stageRecords("A", 1, 1);
    report = run(90, 10);
    EXPECT_EQ(report.persons, 1u);
    EXPECT_EQ(report.versions, 0u);
    EXPECT_EQ(report.records, 1u);
    EXPECT_EQ(report.review_pairs, 1u);
    expectHolds("A", 0, 0, 0);
    EXPECT_EQ(recorded_.batches(), (std::vector<Names>{{"A"}, {"A"}})) << "once per run";

    const auto entries = purgeEntries();
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[1].subject, "A");
    EXPECT_EQ(entries[1].detail_json, R"({"removed_on":"2031-01-01","versions":0,"records":1,"review_pairs":1})");
    EXPECT_EQ(run(90, 10).persons, 0u);
}

TEST_F(PurgeJobTest, TheReportAddsUpWhatEachPurgeErasedAcrossBatches) {
    store_.addRemoval("A", "adult", "2031-01-01", {2, 3, 1});
    store_.addRemoval("B", "adult", "2031-06-30", {1, 0, 0});
    store_.addRemoval("C", "adult", "2032-01-05", {0, 4, 2});
    const PurgeReport report = run(90, 2);
    EXPECT_EQ(report.persons, 3u);
    EXPECT_EQ(report.versions, 3u);
    EXPECT_EQ(report.records, 7u);
    EXPECT_EQ(report.review_pairs, 3u);
    EXPECT_TRUE(report.due.empty()) << "due is listed by a dry run only";

    const auto entries = purgeEntries();
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0].subject, "A");
    EXPECT_EQ(entries[0].actor, "purger");
    EXPECT_EQ(entries[0].detail_json, R"({"removed_on":"2031-01-01","versions":2,"records":3,"review_pairs":1})");
    EXPECT_EQ(entries[2].detail_json, R"({"removed_on":"2032-01-05","versions":0,"records":4,"review_pairs":2})");
}

TEST_F(PurgeJobTest, WhatAnotherNodePurgedFirstIsNeitherPurgedNorCountedAgain) {
    for (const std::string person : {"A", "B", "C"}) {
        store_.addRemoval(person, "adult", "2031-01-01", {1, 2, 0});
    }
    // Between this run's finding the first batch and its purge, another node purges that batch.
    bool raced = false;
    recorded_.before_purge = [this, &raced](const Names& persons) {
        if (!raced && !persons.empty()) {
            raced = true;
            store_.purgeProfiles(persons, "other-node");
        }
    };
    const PurgeReport report = run(90, 2);
    ASSERT_TRUE(raced);
    // Only what this run erased is reported: at most C, with its one version and two records.
    EXPECT_LE(report.persons, 1u);
    EXPECT_EQ(report.versions, report.persons);
    EXPECT_EQ(report.records, 2 * report.persons);
    const auto entries = purgeEntries();
    std::map<std::string, int> purges;
    for (const auto& entry : entries) {
        ++purges[entry.subject];
    }
    for (const auto& [person, times] : purges) {
        EXPECT_EQ(times, 1) << person << " purged once";
    }
    ASSERT_GE(entries.size(), 2u);
    EXPECT_EQ(entries[0].actor, "other-node");
    EXPECT_EQ(entries[1].actor, "other-node");

    run(90, 2);
    EXPECT_TRUE(store_.purged("C")) << "what is left is purged by the next run at the latest";
}

TEST_F(PurgeJobTest, ANegativePeriodOrAnEmptyBatchIsRefusedBeforeAnythingIsErased) {
    store_.addRemoval("A", "adult", "2020-01-01", {1, 1, 1});
    for (const auto& [after_days, batch] :
         std::vector<std::pair<int, std::size_t>>{{-1, 10}, {std::numeric_limits<int>::min(), 10}, {90, 0}}) {
        try {
            run(after_days, batch);
            ADD_FAILURE() << after_days << " days, batch " << batch;
        } catch (const GatewayError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << e.message();
        }
        try {
            run(after_days, batch, true);
            ADD_FAILURE() << "dry run: " << after_days << " days, batch " << batch;
        } catch (const GatewayError& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << e.message();
        }
    }
    EXPECT_TRUE(recorded_.calls.empty());
    EXPECT_FALSE(store_.purged("A"));
    expectHolds("A", 1, 1, 1);
}

}  // namespace
}  // namespace gateway::jobs
