// The profile job on a SQLite store and on the in-memory fakes of its ports: a first build covers everyone, later
// builds only the persons whose records changed, a moved date rebuilds everyone, and records moved between persons (a
// split, a merge) reach the outbox as corrections on both persons' versions. Records their sources deleted, retired by
// reconciliation, leave their person's next version with a retirement correction, or remove a person they were the last
// of; retirement is the SQL store's alone. The purge after a child comes of age runs on SQLite, where the purge erases
// the very records and versions the builds read.

#include "gateway/jobs/profile_job.h"
#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "gateway/common/json_writer.h"
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

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

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

/// A school register record: what only it gives a profile is the enrolment. Written with the JSON writer, so that any
/// source_id is quoted as it must be.
intake::StagedRecord enrolled(const std::string& id, const std::string& name) {
    json::Text text;
    json::Writer& writer = text.writer();
    writer.StartObject();
    json::field(writer, "source", "school_register");
    json::field(writer, "source_id", id);
    json::field(writer, "name", name);
    json::field(writer, "sex", "2");
    json::field(writer, "birth_date", "2014-03-05");
    json::field(writer, "residence_division", "320411101201");
    json::key(writer, "facts");
    writer.StartObject();
    json::key(writer, "enrolment");
    writer.StartObject();
    json::field(writer, "school_name", "孟河中心小学");
    json::field(writer, "grade", 6);
    json::field(writer, "status", "enrolled");
    writer.EndObject();
    writer.EndObject();
    writer.EndObject();
    intake::StagedRecord staged;
    staged.source = "school_register";
    staged.source_id = id;
    staged.observed_at = "2026-10-01T00:00:00Z";
    staged.record_json = text.str();
    staged.content_hash = sha256Hex(staged.record_json);
    return staged;
}

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document document;
    document.Parse(text.c_str(), text.size());
    return document;
}

/// The "source/source_id" of every record a profile lists.
std::vector<std::string> profileRecords(const std::string& profile_json) {
    std::vector<std::string> result;
    const rapidjson::Document profile = parse(profile_json);
    const rapidjson::Value* records = rapidjson::Pointer("/records").Get(profile);
    if (records == nullptr || !records->IsArray()) {
        return result;
    }
    for (const auto& record : records->GetArray()) {
        result.push_back(std::string(record["source"].GetString(), record["source"].GetStringLength()) + "/" +
                         std::string(record["source_id"].GetString(), record["source_id"].GetStringLength()));
    }
    return result;
}

/// The enrolment status a profile shows, "" when it shows none.
std::string enrolment(const std::string& profile_json) {
    const rapidjson::Document profile = parse(profile_json);
    const rapidjson::Value* status = rapidjson::Pointer("/education/status/value").Get(profile);
    return status != nullptr && status->IsString() ? status->GetString() : "";
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

    /// Retires records of `source` as a repairing reconciliation does when the source deleted them.
    std::int64_t retire(const std::string& source, std::vector<std::string> source_ids) {
        reconcile::RecordRetirement retirement;
        retirement.source = source;
        retirement.source_ids = std::move(source_ids);
        retirement.reason = "deleted_at_source";
        retirement.at = "2026-11-01T09:00:00.000Z";
        retirement.actor = "test";
        return store_->retireRecords(retirement);
    }

    /// A: police P1 and school S1 (the only one with an enrolment); B: police P3. Built once.
    void stageTwoPersons() {
        stage("police_population",
              {record("police_population", "P1", "张子涵"), record("police_population", "P3", "王芳")});
        const std::int64_t school = stage("school_register", {enrolled("S1", "张子涵")});
        link({{"police_population", "P1", "A"}, {"school_register", "S1", "A"}, {"police_population", "P3", "B"}},
             school);
        build();
    }
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

TEST_F(ProfileJobSqliteTest, ARetiredRecordRebuildsItsPersonWithARetiredCorrection) {
    stageTwoPersons();
    ASSERT_EQ(store_->profile("A")->version, 1);
    ASSERT_EQ(enrolment(store_->profile("A")->profile_json), "enrolled") << "only S1 gives the enrolment";
    ASSERT_EQ(profileRecords(store_->profile("A")->profile_json),
              (std::vector<std::string>{"police_population/P1", "school_register/S1"}));
    // Without a retirement a build changes nothing: what follows is the retirement's doing.
    std::int64_t head = store_->outboxHead();
    EXPECT_EQ(build().written, 0u);
    EXPECT_EQ(store_->profile("A")->version, 1);
    EXPECT_EQ(store_->outboxHead(), head);

    ASSERT_EQ(retire("school_register", {"S1"}), 1);
    ASSERT_FALSE(store_->sourceRecord("school_register", "S1").has_value());
    auto report = build();
    EXPECT_TRUE(report.incremental) << "same as-of date";
    EXPECT_EQ(report.persons, 1u) << "A only";
    EXPECT_EQ(report.written, 1u);
    EXPECT_EQ(report.removed, 0u);

    const auto a = store_->profile("A");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->version, 2);
    EXPECT_FALSE(a->removed);
    EXPECT_EQ(enrolment(a->profile_json), "") << a->profile_json;
    EXPECT_EQ(profileRecords(a->profile_json), std::vector<std::string>{"police_population/P1"});
    EXPECT_EQ(store_->profile("B")->version, 1) << "B lost nothing";
    EXPECT_EQ(store_->profileHistory("B").size(), 1u);

    const auto entries = store_->outbox(head, "", 100);
    ASSERT_EQ(entries.size(), 1u) << "one new version, A's";
    EXPECT_EQ(entries[0].person_id, "A");
    EXPECT_EQ(entries[0].version, 2);
    EXPECT_FALSE(entries[0].removed);
    EXPECT_EQ(entries[0].correction_json, R"({"kind":"retired","retired":["school_register/S1"]})");
    const rapidjson::Document correction = parse(entries[0].correction_json);
    ASSERT_FALSE(correction.HasParseError());
    ASSERT_TRUE(correction.IsObject());
    EXPECT_EQ(correction.MemberCount(), 2u) << "neither into nor from: nothing moved between persons";
    EXPECT_EQ(std::string(correction["kind"].GetString()), "retired");
    ASSERT_TRUE(correction["retired"].IsArray());
    ASSERT_EQ(correction["retired"].Size(), 1u);
    EXPECT_EQ(std::string(correction["retired"][0].GetString()), "school_register/S1");

    head = store_->outboxHead();
    report = build();
    EXPECT_EQ(report.persons, 0u) << "the retirement is read once";
    EXPECT_EQ(store_->outboxHead(), head);
    EXPECT_EQ(store_->profile("A")->version, 2);
}

TEST_F(ProfileJobSqliteTest, APersonWhoseLastRecordIsRetiredIsRemoved) {
    stage("police_population", {record("police_population", "P1", "张子涵")});
    const std::int64_t school = stage("school_register", {enrolled("S2", "王芳"), enrolled("S3", "王芳")});
    link({{"police_population", "P1", "A"}, {"school_register", "S2", "B"}, {"school_register", "S3", "B"}}, school);
    build();
    ASSERT_EQ(store_->profile("B")->version, 1);
    ASSERT_FALSE(store_->profile("B")->removed);
    std::int64_t head = store_->outboxHead();
    EXPECT_EQ(build().removed, 0u);
    EXPECT_EQ(store_->outboxHead(), head) << "nothing to remove without the retirement";

    ASSERT_EQ(retire("school_register", {"S3", "S2"}), 2);
    const auto report = build();
    EXPECT_TRUE(report.incremental);
    EXPECT_EQ(report.persons, 0u) << "B has no record left to build from, A was not touched";
    EXPECT_EQ(report.removed, 1u);
    EXPECT_EQ(report.written, 1u);

    const auto b = store_->profile("B");
    ASSERT_TRUE(b.has_value());
    EXPECT_TRUE(b->removed);
    EXPECT_EQ(b->profile_json, R"({"person_id":"B","removed":true})") << "gone, not of age";
    EXPECT_EQ(b->version, 2);
    EXPECT_EQ(store_->profile("A")->version, 1);
    const auto listed = store_->profiledPersons();
    EXPECT_EQ(listed, std::vector<std::string>{"A"});

    const auto entries = store_->outbox(head, "", 100);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].person_id, "B");
    EXPECT_TRUE(entries[0].removed);
    EXPECT_TRUE(entries[0].removed_now);
    EXPECT_EQ(entries[0].correction_json,
              R"({"kind":"retired","retired":["school_register/S2","school_register/S3"]})");

    // The removal is written once: later builds, incremental or full, leave it.
    head = store_->outboxHead();
    build();
    build(true);
    EXPECT_EQ(store_->profile("B")->version, 2);
    EXPECT_EQ(store_->outboxHead(), head);
}

TEST_F(ProfileJobSqliteTest, ARetiredSourceIdWithAQuoteAndABackslashIsNamedExactlyInValidJson) {
    const std::string hostile = "S\"1\\x";  // S"1\x
    stage("police_population", {record("police_population", "P1", "张子涵")});
    const std::int64_t school = stage("school_register", {enrolled(hostile, "张子涵")});
    link({{"police_population", "P1", "A"}, {"school_register", hostile, "A"}}, school);
    build();
    ASSERT_EQ(profileRecords(store_->profile("A")->profile_json),
              (std::vector<std::string>{"police_population/P1", "school_register/" + hostile}));
    const std::int64_t head = store_->outboxHead();

    ASSERT_EQ(retire("school_register", {hostile}), 1);
    EXPECT_EQ(build().written, 1u);
    EXPECT_EQ(profileRecords(store_->profile("A")->profile_json), std::vector<std::string>{"police_population/P1"});

    const auto entries = store_->outbox(head, "", 100);
    ASSERT_EQ(entries.size(), 1u);
    const rapidjson::Document correction = parse(entries[0].correction_json);
    ASSERT_FALSE(correction.HasParseError()) << entries[0].correction_json;
    ASSERT_TRUE(correction.IsObject()) << entries[0].correction_json;
    EXPECT_EQ(std::string(correction["kind"].GetString()), "retired");
    ASSERT_TRUE(correction["retired"].IsArray());
    ASSERT_EQ(correction["retired"].Size(), 1u);
    const rapidjson::Value& named = correction["retired"][0];
    EXPECT_EQ(std::string(named.GetString(), named.GetStringLength()), "school_register/" + hostile);
}

TEST_F(ProfileJobSqliteTest, AFullBuildAfterARetirementDropsTheRecordToo) {
    stageTwoPersons();
    const std::int64_t head = store_->outboxHead();
    ASSERT_EQ(retire("school_register", {"S1"}), 1);
    const auto report = build(true);
    EXPECT_FALSE(report.incremental);
    EXPECT_EQ(report.persons, 2u) << "everyone is built";
    EXPECT_EQ(report.written, 1u) << "only A changed";
    EXPECT_EQ(report.removed, 0u);
    const auto a = store_->profile("A");
    EXPECT_EQ(a->version, 2);
    EXPECT_EQ(enrolment(a->profile_json), "");
    EXPECT_EQ(profileRecords(a->profile_json), std::vector<std::string>{"police_population/P1"});
    EXPECT_EQ(store_->profile("B")->version, 1);
    const auto seen = corrections(head);
    EXPECT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen.at("A"), R"({"kind":"retired","retired":["school_register/S1"]})");
}

TEST_F(ProfileJobSqliteTest, ARetirementBesideASplitIsListedInTheSplitCorrection) {
    stage("police_population", {record("police_population", "P1", "张子涵")});
    const std::int64_t school = stage("school_register", {enrolled("S1", "张子涵"), enrolled("S2", "张紫涵")});
    link({{"police_population", "P1", "A"}, {"school_register", "S1", "A"}, {"school_register", "S2", "A"}}, school);
    build();
    const std::int64_t head = store_->outboxHead();

    // A reviewer splits S2 off A into C, and the school deletes S1: both reach A's next version.
    link({{"school_register", "S2", "C"}}, school);
    ASSERT_EQ(retire("school_register", {"S1"}), 1);
    const auto report = build();
    EXPECT_EQ(report.persons, 2u) << "A and C";
    const auto seen = corrections(head);
    EXPECT_EQ(seen.at("A"), R"({"kind":"split","into":["C"],"retired":["school_register/S1"]})");
    EXPECT_EQ(seen.at("C"), R"({"kind":"split","from":["A"]})");
    EXPECT_EQ(profileRecords(store_->profile("A")->profile_json), std::vector<std::string>{"police_population/P1"});
    EXPECT_EQ(profileRecords(store_->profile("C")->profile_json), std::vector<std::string>{"school_register/S2"});
}

}  // namespace
}  // namespace gateway::jobs
