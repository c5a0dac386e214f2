// Every person judged, on any number of workers: the same findings on one thread as on three, every person counted
// once, the findings written to the run; and a failure on a worker (the store refusing a write) ends the phase with
// that failure instead of hanging the walk or losing it.

#include "gateway/reconcile/gap_check.h"

#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "gateway/store/store.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>

#include <set>

namespace gateway::reconcile {
namespace {

const model::CalendarDate kAsOf(2026, 11, 1);

/// The run's findings as (person, kind).
std::set<std::pair<std::string, std::string>> findingsOf(store::Store& store, std::int64_t run_id) {
    std::set<std::pair<std::string, std::string>> found;
    for (const Finding& finding : store.findings({run_id, "", "", 0, 1000000})) {
        found.insert({finding.person_id, finding.kind});
    }
    return found;
}

/// A store whose writes of findings fail, to see a worker's failure reach the caller.
class RefusingStore : public ReconcileStore {
public:
    explicit RefusingStore(ReconcileStore& inner) : inner_(inner) {}
    std::vector<KeyHash> stagedKeys(std::string_view source, const std::optional<std::string>& after,
                                    std::size_t limit) override {
        return inner_.stagedKeys(source, after, limit);
    }
    std::int64_t startReconcileRun(const ReconcileRun& run) override { return inner_.startReconcileRun(run); }
    void addFindings(std::int64_t, const std::vector<Finding>& findings) override {
        if (!findings.empty()) {
            throw GatewayError(ErrorCode::StoreUnavailable, "the store went away");
        }
    }
    std::int64_t markRepaired(std::int64_t run_id, const std::string& source, const std::string& kind,
                              const std::string& repair) override {
        return inner_.markRepaired(run_id, source, kind, repair);
    }
    void finishReconcileRun(const ReconcileRun& run) override { inner_.finishReconcileRun(run); }
    std::optional<ReconcileRun> reconcileRun(std::int64_t id) override { return inner_.reconcileRun(id); }
    std::vector<ReconcileRun> reconcileRuns(std::int64_t before_id, std::size_t limit) override {
        return inner_.reconcileRuns(before_id, limit);
    }
    std::vector<Finding> findings(const FindingQuery& query) override { return inner_.findings(query); }
    std::vector<FindingCount> findingCounts(std::int64_t run_id, const std::string& division,
                                            std::size_t part_digits) override {
        return inner_.findingCounts(run_id, division, part_digits);
    }
    std::int64_t retireRecords(const RecordRetirement& retirement) override { return inner_.retireRecords(retirement); }

private:
    ReconcileStore& inner_;
};

class GapCheckTest : public ::testing::Test {
protected:
    void SetUp() override {
        store::StoreSettings settings;
        settings.sqlite_path = dir_.file("gateway.db");
        store_ = store::openStore(settings);
        store_->migrate();
        // 1,000 children in the register, every third also at school: two thirds are school-age and in no school.
        intake::BatchCommit batch;
        batch.raw.source = "police_population";
        batch.raw.received_at = "2026-10-20T08:00:00.000Z";
        batch.raw.payload = "rows";
        batch.raw.sha256 = sha256Hex(batch.raw.payload);
        batch.new_watermark = "w1";
        batch.actor = "sync";
        intake::BatchCommit school = batch;
        school.raw.source = "school_register";
        linkage::LinkRunCommit links;
        for (int i = 0; i < kChildren; ++i) {
            const std::string id = "P" + std::to_string(i);
            intake::StagedRecord record;
            record.source = "police_population";
            record.source_id = id;
            record.observed_at = "2026-10-20T08:00:00Z";
            record.record_json =
                R"({"source":"police_population","source_id":")" + id +
                R"(","name":"张三","sex":"1","birth_date":"2016-03-05","residence_division":"320411101201"})";
            record.content_hash = sha256Hex(record.record_json);
            batch.records.push_back(record);
            links.assignments.push_back({"police_population", id, "person-" + std::to_string(i)});
            if (i % 3 == 0) {
                record.source = "school_register";
                record.source_id = "S" + std::to_string(i);
                record.record_json = R"({"source":"school_register","source_id":"S)" + std::to_string(i) +
                                     R"(","birth_date":"2016-03-05","facts":{"enrolment":{"status":"enrolled"}}})";
                record.content_hash = sha256Hex(record.record_json);
                school.records.push_back(record);
                links.assignments.push_back({"school_register", record.source_id, "person-" + std::to_string(i)});
            }
        }
        batch.raw.record_count = static_cast<std::int64_t>(batch.records.size());
        school.raw.record_count = static_cast<std::int64_t>(school.records.size());
        store_->commitBatch(batch);
        store_->commitBatch(school);
        links.model_json = "{}";
        links.linked_through_batch = 2;
        links.at = "2026-10-20T09:00:00.000Z";
        links.actor = "linker";
        links.detail_json = "{}";
        store_->commitLinkRun(links);
    }

    std::int64_t newRun() {
        ReconcileRun run;
        run.node = "node-a:1";
        run.trigger = "cli";
        run.started_at = "2026-11-01T02:00:00.000Z";
        run.status = "running";
        run.as_of = "2026-11-01";
        return store_->startReconcileRun(run);
    }

    static constexpr int kChildren = 1000;
    testing::TempDir dir_;
    std::unique_ptr<store::Store> store_;
    profile::ProfileConfig profiles_ = profile::ProfileConfig::builtin(kAsOf);
    GapRules rules_ = GapRules::builtin();
};

TEST_F(GapCheckTest, OneWorkerAndThreeFindTheSameAndCountEveryPersonOnce) {
    const std::int64_t one = newRun();
    std::vector<std::int64_t> progress;
    const GapCounts by_one = judgeEveryPerson(*store_, profiles_, rules_, kAsOf, *store_, one, 1,
                                              [&](std::int64_t persons) { progress.push_back(persons); });
    const std::int64_t three = newRun();
    const GapCounts by_three = judgeEveryPerson(*store_, profiles_, rules_, kAsOf, *store_, three, 3);

    EXPECT_EQ(by_one.persons, kChildren);
    EXPECT_EQ(by_three.persons, kChildren);
    const std::int64_t not_at_school = kChildren - (kChildren + 2) / 3;
    EXPECT_EQ(by_one.findings.at("school_age_not_enrolled"), not_at_school);
    EXPECT_EQ(by_three.findings, by_one.findings);
    EXPECT_EQ(by_one.findings.size(), rules_.codes().size()) << "every rule listed, found or not";
    const auto found = findingsOf(*store_, one);
    EXPECT_EQ(static_cast<std::int64_t>(found.size()), not_at_school);
    EXPECT_EQ(findingsOf(*store_, three), found);
    EXPECT_FALSE(found.contains({"person-0", "school_age_not_enrolled"})) << "person-0 is at school";
    EXPECT_TRUE(found.contains({"person-1", "school_age_not_enrolled"}));
    EXPECT_TRUE(progress.empty()) << "reported every 10,000 persons";
}

TEST_F(GapCheckTest, AWorkersFailureEndsThePhaseWithIt) {
    RefusingStore refusing(*store_);
    const std::int64_t run = newRun();
    for (const unsigned threads : {1u, 2u, 4u}) {
        try {
            judgeEveryPerson(*store_, profiles_, rules_, kAsOf, refusing, run, threads);
            ADD_FAILURE() << "a refused write went unnoticed on " << threads << " workers";
        } catch (const GatewayError& e) {
            EXPECT_EQ(e.code(), ErrorCode::StoreUnavailable) << e.message();
            EXPECT_EQ(e.message(), "the store went away");
        }
    }
}

TEST_F(GapCheckTest, NoPersonIsNoFinding) {
    testing::TempDir empty_dir;
    store::StoreSettings settings;
    settings.sqlite_path = empty_dir.file("empty.db");
    auto empty = store::openStore(settings);
    empty->migrate();
    const GapCounts counts = judgeEveryPerson(*empty, profiles_, rules_, kAsOf, *store_, newRun(), 2);
    EXPECT_EQ(counts.persons, 0);
    for (const auto& [rule, count] : counts.findings) {
        EXPECT_EQ(count, 0) << rule;
    }
}

}  // namespace
}  // namespace gateway::reconcile
