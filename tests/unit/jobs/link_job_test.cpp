// The link job against the in-memory intake, link and review stores: a run links every staged record and records
// its model, a run with nothing new writes nothing, and a reviewer's decision on any two staged records joins the
// queue, is kept as decided and is logged with personal numbers redacted.

#include "gateway/jobs/link_job.h"

#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "tests/support/fake_intake_store.h"
#include "tests/support/fake_link_store.h"
#include "tests/support/fake_log_store.h"
#include "tests/support/manual_clock.h"

#include <gtest/gtest.h>

namespace gateway::jobs {
namespace {

intake::StagedRecord record(const std::string& id, const std::string& name, const std::string& birth) {
    intake::StagedRecord staged;
    staged.source = "police_population";
    staged.source_id = id;
    staged.observed_at = "2026-10-01T00:00:00Z";
    staged.record_json = R"({"source":"police_population","source_id":")" + id + R"(","name":")" + name +
                         R"(","sex":"2","birth_date":")" + birth + R"(","residence_division":"320411101201"})";
    staged.content_hash = sha256Hex(staged.record_json);
    return staged;
}

class LinkJobTest : public ::testing::Test {
protected:
    std::int64_t stage(std::vector<intake::StagedRecord> records) {
        intake::BatchCommit batch;
        batch.raw.source = "police_population";
        batch.raw.received_at = "2026-11-01T08:00:00.000Z";
        batch.raw.payload = "rows";
        batch.raw.sha256 = sha256Hex(batch.raw.payload);
        batch.records = std::move(records);
        batch.expected_watermark = records_.watermark("police_population");
        batch.new_watermark = batch.expected_watermark.value_or("w") + "+";
        batch.actor = "test";
        return records_.commitBatch(batch).batch_id;
    }

    std::size_t logged(const std::string& action) {
        audit::ExchangeLogQuery query;
        query.action = action;
        return log_.searchExchangeLog(query).size();
    }

    testing::ManualClock clock_;
    testing::FakeLogStore log_;
    testing::FakeIntakeStore records_{log_, clock_};
    testing::FakeLinkStore links_{records_, log_, clock_};
    LinkJob job_{links_, links_, records_, linkage::LinkageConfig::builtinChild(), clock_};
};

TEST_F(LinkJobTest, ARunLinksEveryStagedRecordAndARunWithNothingNewWritesNothing) {
    const std::int64_t batch = stage(
        {record("P1", "张子涵", "2014-03-05"), record("P2", "李明", "2012-07-19"), record("P3", "王芳", "2015-01-30")});
    LinkRunOptions options;
    options.threads = 1;
    options.actor = "test";
    const LinkRunReport first = job_.run(options);
    EXPECT_FALSE(first.incremental) << "the first run estimates the model";
    EXPECT_EQ(first.records, 3u);
    EXPECT_EQ(first.linked_through_batch, batch);
    const auto links = links_.personLinks();
    ASSERT_EQ(links.size(), 3u) << "every record belongs to a person";
    for (const auto& link : links) {
        EXPECT_FALSE(link.person_id.empty());
        EXPECT_EQ(links_.personOf(link.source, link.source_id), link.person_id);
    }
    EXPECT_EQ(links_.linkState().linked_through_batch, batch);
    EXPECT_FALSE(links_.linkState().model_json.empty());
    EXPECT_EQ(logged("link.run"), 1u);

    const LinkRunReport again = job_.run(options);
    EXPECT_TRUE(again.incremental);
    EXPECT_EQ(again.dirty, 0u);
    EXPECT_EQ(logged("link.run"), 1u) << "nothing staged since, nothing written";
}

TEST_F(LinkJobTest, AReviewersPairJoinsTheQueueDecidedAndIsLoggedWithoutPersonalNumbers) {
    stage({record("P1", "张子涵", "2014-03-05"), record("P2", "张紫涵", "2014-03-05")});
    linkage::ReviewDecision decision;
    decision.decision = "no_link";
    decision.reviewer = "reviewer-li";
    decision.comment = "twins, see 320411201403051248";
    const linkage::ReviewItem item = job_.decidePair("police_population/P1", "police_population/P2", decision);
    EXPECT_EQ(item.pair_id, linkage::reviewPairId("police_population", "P1", "police_population", "P2"));
    EXPECT_EQ(item.status, "decided");
    EXPECT_EQ(item.decision, "no_link");
    EXPECT_EQ(item.reason, "reviewer");
    EXPECT_EQ(item.decided_at, "2026-11-01T08:00:00.000Z") << "dated by the clock";
    EXPECT_EQ(item.comment.find("320411201403051248"), std::string::npos) << item.comment;

    const auto decisions = links_.reviewDecisions();
    ASSERT_EQ(decisions.size(), 1u);
    EXPECT_EQ(decisions[0].pair_id, item.pair_id);
    EXPECT_EQ(links_.reviewQueue("open", 0, 10).size(), 0u);
    audit::ExchangeLogQuery query;
    query.action = "review.decision";
    const auto entries = log_.searchExchangeLog(query);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].subject, item.pair_id);
    EXPECT_EQ(entries[0].actor, "reviewer-li");
    EXPECT_EQ(entries[0].detail_json.find("320411201403051248"), std::string::npos) << entries[0].detail_json;

    // Decided again, the last decision counts, on the same pair.
    decision.decision = "link";
    EXPECT_EQ(job_.decidePair("police_population/P2", "police_population/P1", decision).decision, "link");
    EXPECT_EQ(links_.reviewQueue("", 0, 10).size(), 1u);
}

TEST_F(LinkJobTest, APairNeedsTwoDifferentStagedRecords) {
    stage({record("P1", "张子涵", "2014-03-05")});
    linkage::ReviewDecision decision;
    decision.decision = "link";
    decision.reviewer = "reviewer-li";
    try {
        job_.decidePair("police_population/P1", "police_population/P9", decision);
        FAIL() << "decided on a record that is not staged";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::NotFound);
        EXPECT_EQ(e.message(), "no staged record police_population/P9");
    }
    EXPECT_THROW(job_.decidePair("police_population/P1", "police_population/P1", decision), GatewayError);
    EXPECT_TRUE(links_.reviewQueue("", 0, 10).empty()) << "nothing queued";
}

}  // namespace
}  // namespace gateway::jobs
