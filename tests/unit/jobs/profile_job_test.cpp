// The profile job on a SQLite store and on the in-memory fakes of its ports: a first build covers everyone, later
// builds only the persons whose records changed, a moved date rebuilds everyone, and records moved between persons (a
// split, a merge) reach the outbox as corrections on both persons' versions. The purge after a child comes of age runs
// on SQLite, where the purge erases the very records and versions the builds read.

#include "gateway/jobs/profile_job.h"
#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "gateway/jobs/purge_job.h"
#include "gateway/store/store.h"
#include "tests/support/fake_intake_store.h"
#include "tests/support/fake_link_store.h"
#include "tests/support/fake_log_store.h"
#include "tests/support/fake_outbox_store.h"
#include "tests/support/fake_profile_build_store.h"
#include "tests/support/fake_profile_store.h"
#include "tests/support/manual_clock.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <map>

namespace gateway::jobs {
namespace {

intake::StagedRecord record(const std::string& source, const std::string& id, const std::string& name,
                            const std::string& division = "320411101201") {
    intake::StagedRecord staged;
    staged.source = source;
    staged.source_id = id;
    staged.observed_at = "2026-10-01T00:00:00Z";
    staged.record_json = R"({"source":")" + source + R"(","source_id":")" + id + R"(","name":")" + name +
                         R"(","sex":"2","birth_date":"2014-03-05","residence_division":")" + division + R"("})";
    staged.content_hash = sha256Hex(staged.record_json);
    return staged;
}

enum class Backend { Sqlite, Fakes };

/// The in-memory stores, wired as the SQL store's tables are.
struct Fakes {
    testing::ManualClock clock;
    testing::FakeLogStore log;
    testing::FakeIntakeStore records{log, clock};
    testing::FakeLinkStore links{records, log, clock};
    testing::FakeProfileStore profiles;
    testing::FakeOutboxStore outbox{log, clock};
    testing::FakeProfileBuildStore builds{records, links, profiles, outbox, log, clock};
};

class ProfileJobFixture : public ::testing::Test {
protected:
    void open(Backend backend) {
        if (backend == Backend::Sqlite) {
            store::StoreSettings settings;
            settings.sqlite_path = dir_.file("gw.db");
            store_ = store::openStore(settings);
            store_->migrate();
            intake_ = store_.get();
            links_ = store_.get();
            builds_ = store_.get();
            profiles_ = store_.get();
            outbox_ = store_.get();
        } else {
            fakes_ = std::make_unique<Fakes>();
            intake_ = &fakes_->records;
            links_ = &fakes_->links;
            builds_ = &fakes_->builds;
            profiles_ = &fakes_->profiles;
            outbox_ = &fakes_->outbox;
        }
        job_ = std::make_unique<ProfileJob>(*builds_, *profiles_, *links_, config_, [this] { return today_; });
    }

    /// Stages records as one pull of `source` and returns the batch.
    std::int64_t stage(const std::string& source, std::vector<intake::StagedRecord> records) {
        intake::BatchCommit batch;
        batch.raw.source = source;
        batch.raw.received_at = "2026-11-01T08:00:00.000Z";
        batch.raw.payload = "rows";
        batch.raw.sha256 = sha256Hex(batch.raw.payload);
        batch.records = std::move(records);
        batch.expected_watermark = intake_->watermark(source);
        batch.new_watermark = batch.expected_watermark.value_or("w") + "+";
        batch.actor = "test";
        return intake_->commitBatch(batch).batch_id;
    }

    void link(std::vector<linkage::PersonLink> assignments, std::int64_t through) {
        linkage::LinkRunCommit run;
        run.assignments = std::move(assignments);
        run.model_json = "{}";
        run.linked_through_batch = through;
        run.actor = "test";
        links_->commitLinkRun(run);
    }

    ProfileRunReport build(bool full = false) {
        ProfileRunOptions options;
        options.full = full;
        options.actor = "test";
        return job_->run(options);
    }

    /// The outbox entries after `after`, as person → correction.
    std::map<std::string, std::string> corrections(std::int64_t after) {
        std::map<std::string, std::string> result;
        for (const auto& entry : outbox_->outbox(after, "", 1000)) {
            result[entry.person_id] = entry.correction_json;
        }
        return result;
    }

    testing::TempDir dir_;
    std::unique_ptr<store::Store> store_;  // with Backend::Sqlite
    std::unique_ptr<Fakes> fakes_;         // with Backend::Fakes
    intake::IntakeStore* intake_ = nullptr;
    linkage::LinkStore* links_ = nullptr;
    profile::ProfileBuildStore* builds_ = nullptr;
    profile::ProfileStore* profiles_ = nullptr;
    publish::OutboxStore* outbox_ = nullptr;
    model::CalendarDate today_{2026, 11, 1};
    profile::ProfileConfig config_ = profile::ProfileConfig::builtin(model::CalendarDate(2026, 11, 1));
    std::unique_ptr<ProfileJob> job_;
};

class ProfileJobTest : public ProfileJobFixture, public ::testing::WithParamInterface<Backend> {
protected:
    void SetUp() override { open(GetParam()); }
};

INSTANTIATE_TEST_SUITE_P(Stores, ProfileJobTest, ::testing::Values(Backend::Sqlite, Backend::Fakes),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                             return info.param == Backend::Sqlite ? "sqlite" : "fakes";
                         });

class ProfileJobSqliteTest : public ProfileJobFixture {
protected:
    void SetUp() override { open(Backend::Sqlite); }
};

TEST_P(ProfileJobTest, LaterBuildsRebuildOnlyWhatChangedAndADateChangeRebuildsEveryone) {
    const std::int64_t first = stage(
        "police_population", {record("police_population", "P1", "张子涵"), record("police_population", "P2", "李明")});
    link({{"police_population", "P1", "A"}, {"police_population", "P2", "B"}}, first);
    auto report = build();
    EXPECT_FALSE(report.incremental) << "the first build covers everyone";
    EXPECT_EQ(report.persons, 2u);
    EXPECT_EQ(report.written, 2u);
    EXPECT_EQ(report.as_of, "2026-11-01");

    report = build();
    EXPECT_TRUE(report.incremental);
    EXPECT_EQ(report.persons, 0u) << "nothing changed, nothing rebuilt";

    const std::int64_t second = stage("police_population", {record("police_population", "P2", "李鸣")});
    link({}, second);
    report = build();
    EXPECT_TRUE(report.incremental);
    EXPECT_EQ(report.persons, 1u) << "only B's record changed";
    EXPECT_EQ(report.written, 1u);
    EXPECT_EQ(profiles_->profile("B")->version, 2);
    EXPECT_EQ(profiles_->profile("A")->version, 1);

    const std::int64_t school = stage("school_register", {record("school_register", "S1", "李鸣")});
    report = build();
    EXPECT_EQ(report.persons, 0u) << "a record not linked yet belongs to no profile";
    link({{"school_register", "S1", "B"}}, school);
    report = build();
    EXPECT_EQ(report.persons, 1u);
    EXPECT_EQ(profiles_->profile("B")->version, 3);

    today_ = model::CalendarDate(2026, 11, 2);
    report = build();
    EXPECT_FALSE(report.incremental) << "ages move with the calendar";
    EXPECT_EQ(report.persons, 2u);
    EXPECT_EQ(report.as_of, "2026-11-02");
    EXPECT_TRUE(build(true).persons == 2u && !build(true).incremental) << "--full";
}

TEST_P(ProfileJobTest, SplitsAndMergesReachTheOutboxAsCorrections) {
    stage("police_population",
          {record("police_population", "P1", "张子涵"), record("police_population", "P3", "王芳")});
    const std::int64_t school = stage("school_register", {record("school_register", "S1", "张紫涵")});
    link({{"police_population", "P1", "A"}, {"school_register", "S1", "A"}, {"police_population", "P3", "B"}}, school);
    build();
    std::int64_t head = outbox_->outboxHead();

    // A reviewer splits S1 off A into a new person C.
    link({{"school_register", "S1", "C"}}, school);
    auto report = build();
    EXPECT_TRUE(report.incremental);
    EXPECT_EQ(report.persons, 2u) << "A and C";
    auto seen = corrections(head);
    EXPECT_EQ(seen["A"], R"({"kind":"split","into":["C"]})");
    EXPECT_EQ(seen["C"], R"({"kind":"split","from":["A"]})");
    EXPECT_FALSE(seen.contains("B"));
    head = outbox_->outboxHead();

    // Then merges C into B: C is gone.
    link({{"school_register", "S1", "B"}}, school);
    report = build();
    EXPECT_EQ(report.removed, 1u);
    seen = corrections(head);
    EXPECT_EQ(seen["C"], R"({"kind":"merge","into":["B"]})");
    EXPECT_EQ(seen["B"], R"({"kind":"merge","from":["C"]})");
    EXPECT_TRUE(profiles_->profile("C")->removed);
    const auto retraction = outbox_->outbox(head, "", 10);
    ASSERT_FALSE(retraction.empty());

    head = outbox_->outboxHead();
    report = build();
    EXPECT_EQ(report.persons, 0u) << "the moves are read once";
    EXPECT_EQ(outbox_->outboxHead(), head);
}

TEST_F(ProfileJobSqliteTest, AChildWhoComesOfAgeIsPurgedThePeriodAfterAndRebuildsChangeNothing) {
    // Born 2014-03-05: of age on 2032-03-05.
    const std::int64_t batch = stage(
        "police_population", {record("police_population", "P1", "张子涵"), record("police_population", "P2", "李明")});
    link({{"police_population", "P1", "A"}, {"police_population", "P2", "A"}}, batch);
    today_ = model::CalendarDate(2032, 3, 4);
    build();
    ASSERT_FALSE(store_->profile("A")->removed);
    today_ = model::CalendarDate(2032, 3, 5);
    build();
    ASSERT_TRUE(store_->profile("A")->removed);
    const std::int64_t head = store_->outboxHead();

    PurgeJob purge(*store_, [this] { return today_; });
    PurgeOptions options;
    options.after_days = 30;
    options.actor = "test";
    today_ = model::CalendarDate(2032, 4, 3);
    PurgeReport report = purge.run(options);
    EXPECT_EQ(report.cutoff, "2032-03-04");
    EXPECT_EQ(report.persons, 0u) << "29 days after, not yet";
    EXPECT_TRUE(store_->sourceRecord("police_population", "P1").has_value());

    today_ = model::CalendarDate(2032, 4, 4);
    options.dry_run = true;
    report = purge.run(options);
    EXPECT_EQ(report.due, std::vector<std::string>{"A"});
    EXPECT_EQ(report.persons, 0u);
    EXPECT_TRUE(store_->sourceRecord("police_population", "P1").has_value()) << "a dry run erases nothing";

    options.dry_run = false;
    report = purge.run(options);
    EXPECT_EQ(report.persons, 1u);
    EXPECT_EQ(report.versions, 1u);
    EXPECT_EQ(report.records, 2u);
    EXPECT_FALSE(store_->sourceRecord("police_population", "P1").has_value());
    for (const auto& version : store_->profileHistory("A")) {
        EXPECT_EQ(version.profile_json.find("张子涵"), std::string::npos) << version.profile_json;
    }
    EXPECT_EQ(purge.run(options).persons, 0u) << "nothing left to purge";

    // Later builds, incremental or full, leave the purged person as it is and announce nothing.
    build();
    build(true);
    EXPECT_EQ(store_->profile("A")->version, 2);
    EXPECT_EQ(store_->outboxHead(), head);

    // The police send the record again: it is linked back to A, rebuilt into the same removal, and purged again.
    const std::int64_t again = stage("police_population", {record("police_population", "P1", "张子涵")});
    link({}, again);
    build();
    EXPECT_EQ(store_->profile("A")->version, 2);
    report = purge.run(options);
    EXPECT_EQ(report.persons, 1u);
    EXPECT_EQ(report.records, 1u);
    EXPECT_EQ(report.versions, 0u);
    EXPECT_FALSE(store_->sourceRecord("police_population", "P1").has_value());

    options.after_days = -1;
    EXPECT_THROW(purge.run(options), GatewayError);
}

}  // namespace
}  // namespace gateway::jobs
