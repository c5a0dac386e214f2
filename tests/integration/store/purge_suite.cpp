// Minimum necessary, for as long as necessary: some time after a child's profile left the views at 18, the store
// erases what it holds about the child (earlier versions' content, staged records, review explanations), keeps
// the person ID, version numbers and hashes, and logs each purge. Nobody else's data is touched.

#include "tests/integration/store/store_suite.h"

#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "gateway/vault/field_cipher.h"
#include "gateway/vault/keyring.h"

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gateway::testing {

namespace {

constexpr const char* kSource = "school_register";
constexpr const char* kAdultId = "110101200801011234";
constexpr const char* kAdultName = "王小明";
constexpr const char* kChildId = "110101201501011230";

intake::StagedRecord recordOf(const std::string& source_id, const std::string& id_number, const std::string& name) {
    intake::StagedRecord record;
    record.source = kSource;
    record.source_id = source_id;
    record.observed_at = "2026-01-01T08:00:00.000Z";
    record.record_json =
        R"({"source_id":")" + source_id + R"(","id_number":")" + id_number + R"(","name":")" + name + "\"}";
    record.content_hash = sha256Hex(record.record_json);
    return record;
}

intake::BatchCommit batchOf(std::vector<intake::StagedRecord> records, std::optional<std::string> expected,
                            const std::string& next) {
    intake::BatchCommit batch;
    batch.raw.source = kSource;
    batch.raw.received_at = "2026-01-01T08:00:05.000Z";
    batch.raw.payload = "rows " + next;
    batch.raw.sha256 = sha256Hex(batch.raw.payload);
    batch.raw.record_count = static_cast<std::int64_t>(records.size());
    batch.records = std::move(records);
    batch.expected_watermark = std::move(expected);
    batch.new_watermark = next;
    batch.actor = "sync";
    return batch;
}

linkage::ReviewItem pair(const std::string& left, const std::string& right) {
    linkage::ReviewItem item;
    item.left_source = kSource;
    item.left_id = left;
    item.right_source = kSource;
    item.right_id = right;
    item.pair_id = linkage::reviewPairId(kSource, left, kSource, right);
    item.weight = 3.0;
    item.reason = "review_band";
    item.explanation_json = std::string(R"({"left":")") + kAdultId + R"(","right":")" + kChildId + "\"}";
    return item;
}

profile::ProfileVersion live(const std::string& person, const std::string& id_number, const std::string& name,
                             const std::string& content) {
    profile::ProfileVersion profile;
    profile.person_id = person;
    profile.built_at = "2026-01-02T09:00:00.000Z";
    profile.profile_json = R"({"person_id":")" + person + R"(","name":")" + name + R"(","id_number":")" + id_number +
                           R"(","c":")" + content + "\"}";
    profile.content_hash = sha256Hex(profile.profile_json);
    profile.name = name;
    profile.id_number = id_number;
    profile.birth_date = "2008-01-01";
    profile.residence_division = "110101001001";
    profile.hukou_division = "110101001001";
    profile.classifications = {"left_behind"};
    return profile;
}

profile::ProfileVersion removal(const std::string& person, const std::string& reason, const std::string& on) {
    profile::ProfileVersion profile;
    profile.person_id = person;
    profile.built_at = on + "T00:00:00.000Z";
    profile.removed = true;
    profile.profile_json = R"({"person_id":")" + person + R"(","removed":true,"reason":")" + reason + "\"}";
    profile.content_hash = sha256Hex(profile.profile_json);
    profile.removed_reason = reason;
    profile.removed_on = on;
    return profile;
}

/// person-adult: two records (A1, A2), two live versions, then removed as adult on 2026-03-01. person-child: one
/// record (C1), live. person-gone: removed on 2026-02-01 because its records went elsewhere. Review pairs: A1–C1
/// (open), A2–X9 (decided), C1–X8 (open).
void writeCity(store::Store& store) {
    store.migrate();
    store.commitBatch(batchOf({recordOf("A1", kAdultId, kAdultName), recordOf("A2", kAdultId, kAdultName),
                               recordOf("C1", kChildId, "李小红")},
                              std::nullopt, "w1"));
    linkage::LinkRunCommit run;
    run.assignments = {
        {kSource, "A1", "person-adult"}, {kSource, "A2", "person-adult"}, {kSource, "C1", "person-child"}};
    run.review = {pair("A1", "C1"), pair("A2", "X9"), pair("C1", "X8")};
    run.linked_through_batch = 1;
    run.model_json = "{}";
    run.at = "2026-01-01T09:00:00.000Z";
    run.actor = "link";
    store.commitLinkRun(run);
    linkage::ReviewDecision decision;
    decision.pair_id = linkage::reviewPairId(kSource, "A2", kSource, "X9");
    decision.decision = "no_link";
    decision.reviewer = "reviewer-1";
    decision.at = "2026-01-01T10:00:00.000Z";
    store.decideReview(decision, {});
    store.commitProfiles({live("person-adult", kAdultId, kAdultName, "1"),
                          live("person-child", kChildId, "李小红", "1"), live("person-gone", kChildId, "李小红", "0")},
                         "profiles");
    store.commitProfiles(
        {live("person-adult", kAdultId, kAdultName, "2"), removal("person-gone", "gone", "2026-02-01")}, "profiles");
    store.commitProfiles({removal("person-adult", "adult", "2026-03-01")}, "profiles");
}

std::vector<audit::ExchangeLogEntry> purgeEntries(store::Store& store) {
    audit::ExchangeLogQuery query;
    query.action = "profile.purge";
    query.limit = 100;
    return store.searchExchangeLog(query);
}

}  // namespace

TEST_P(StoreSuite, TheOutboxHandsOutNoContentOfAPersonWhoseProfileLeftTheViews) {
    writeCity(store());
    const auto entries = store().outbox(0, "", 100);
    ASSERT_EQ(entries.size(), 6u);
    std::size_t live_entries = 0;
    for (const auto& entry : entries) {
        if (entry.person_id == "person-child") {
            EXPECT_FALSE(entry.removed_now);
            EXPECT_NE(entry.profile_json.find(kChildId), std::string::npos) << "a live child's content is read";
            ++live_entries;
            continue;
        }
        // person-adult (two live versions, then the removal at 18) and person-gone, before the purge.
        EXPECT_TRUE(entry.removed_now) << entry.person_id << " v" << entry.version;
        EXPECT_EQ(entry.profile_json, "") << entry.person_id << " v" << entry.version;
    }
    EXPECT_EQ(live_entries, 1u);
    // The same through a scope, where township and village streams gather their entries another way.
    for (const auto& entry : store().outbox(0, "110101001001", 100)) {
        EXPECT_EQ(entry.removed_now, entry.person_id != "person-child") << entry.person_id;
        EXPECT_EQ(entry.profile_json.find(kAdultId), std::string::npos) << entry.person_id << " v" << entry.version;
    }
}

TEST_P(StoreSuite, AnAdultsProfileIsDueOnlyOnceThePeriodHasPassed) {
    writeCity(store());
    EXPECT_TRUE(store().profilesToPurge("2026-02-28", 10).empty());
    EXPECT_EQ(store().profilesToPurge("2026-03-01", 10), std::vector<std::string>{"person-adult"});
    EXPECT_EQ(store().profilesToPurge("2099-12-31", 10), std::vector<std::string>{"person-adult"});
    EXPECT_TRUE(store().profilesToPurge("2099-12-31", 0).empty());
}

TEST_P(StoreSuite, PurgeErasesTheAdultsDataKeepsHashesAndLogsIt) {
    writeCity(store());
    const auto before = store().profileHistory("person-adult");
    ASSERT_EQ(before.size(), 3U);

    const auto outcomes = store().purgeProfiles({"person-adult"}, "purger");
    ASSERT_EQ(outcomes.size(), 1U);
    EXPECT_EQ(outcomes[0].person_id, "person-adult");
    EXPECT_EQ(outcomes[0].removed_on, "2026-03-01");
    EXPECT_EQ(outcomes[0].versions, 2);
    EXPECT_EQ(outcomes[0].records, 2);
    EXPECT_EQ(outcomes[0].review_pairs, 2);

    // Every version is still there, numbered and hashed as before, with nothing personal left in it.
    const auto after = store().profileHistory("person-adult");
    ASSERT_EQ(after.size(), before.size());
    for (std::size_t i = 0; i < after.size(); ++i) {
        EXPECT_EQ(after[i].version, before[i].version);
        EXPECT_EQ(after[i].content_hash, before[i].content_hash);
        EXPECT_EQ(after[i].removed, before[i].removed);
        EXPECT_EQ(after[i].profile_json.find(kAdultId), std::string::npos) << after[i].profile_json;
        EXPECT_EQ(after[i].profile_json.find(kAdultName), std::string::npos) << after[i].profile_json;
        EXPECT_EQ(after[i].name, "");
        EXPECT_EQ(after[i].id_number, "");
        EXPECT_EQ(after[i].birth_date, "");
        EXPECT_EQ(after[i].residence_division, "");
        EXPECT_TRUE(after[i].classifications.empty());
        rapidjson::Document json;
        json.Parse(after[i].profile_json.c_str());
        ASSERT_TRUE(json.IsObject()) << after[i].profile_json;
        EXPECT_EQ(std::string(json["person_id"].GetString()), "person-adult");
    }
    EXPECT_NE(after[0].profile_json.find("\"purged\":true"), std::string::npos);
    EXPECT_EQ(backend_->query("SELECT COUNT(*) FROM profile_versions WHERE name = '" + std::string(kAdultName) + "'"),
              "0");

    // The staged records are gone; their links stay, so a record sent again finds the same person.
    EXPECT_FALSE(store().sourceRecord(kSource, "A1").has_value());
    EXPECT_FALSE(store().sourceRecord(kSource, "A2").has_value());
    EXPECT_EQ(store().personOf(kSource, "A1"), std::optional<std::string>("person-adult"));
    EXPECT_TRUE(store().sourceRecord(kSource, "C1").has_value());

    // Review pairs naming the adult's records lose their explanation; an open one can no longer be decided.
    const auto open = store().reviewItem(linkage::reviewPairId(kSource, "A1", kSource, "C1"));
    ASSERT_TRUE(open.has_value());
    EXPECT_EQ(open->status, "obsolete");
    EXPECT_EQ(open->explanation_json.find(kAdultId), std::string::npos) << open->explanation_json;
    const auto decided = store().reviewItem(linkage::reviewPairId(kSource, "A2", kSource, "X9"));
    ASSERT_TRUE(decided.has_value());
    EXPECT_EQ(decided->status, "decided");
    EXPECT_EQ(decided->decision, "no_link");
    EXPECT_EQ(decided->explanation_json.find(kAdultId), std::string::npos);
    const auto other = store().reviewItem(linkage::reviewPairId(kSource, "C1", kSource, "X8"));
    ASSERT_TRUE(other.has_value());
    EXPECT_EQ(other->status, "open");
    EXPECT_NE(other->explanation_json.find(kAdultId), std::string::npos);

    // Nobody else was touched.
    const auto child = store().profile("person-child");
    ASSERT_TRUE(child.has_value());
    EXPECT_EQ(child->id_number, kChildId);
    EXPECT_NE(child->profile_json.find(kChildId), std::string::npos);
    EXPECT_EQ(store().profileHistory("person-gone")[0].name, "李小红");

    const auto entries = purgeEntries(store());
    ASSERT_EQ(entries.size(), 1U);
    EXPECT_EQ(entries[0].subject, "person-adult");
    EXPECT_EQ(entries[0].actor, "purger");
    EXPECT_EQ(entries[0].detail_json, R"({"removed_on":"2026-03-01","versions":2,"records":2,"review_pairs":2})");

    // Done: no longer due, and purging again erases and logs nothing.
    EXPECT_TRUE(store().profilesToPurge("2099-12-31", 10).empty());
    EXPECT_TRUE(store().purgeProfiles({"person-adult"}, "purger").empty());
    EXPECT_EQ(purgeEntries(store()).size(), 1U);
}

TEST_P(StoreSuite, PurgeSkipsLiveAndGonePersonsWhateverItIsAsked) {
    writeCity(store());
    const auto outcomes = store().purgeProfiles({"person-child", "person-gone", "nobody"}, "purger");
    EXPECT_TRUE(outcomes.empty());
    EXPECT_TRUE(purgeEntries(store()).empty());
    EXPECT_TRUE(store().sourceRecord(kSource, "C1").has_value());
    EXPECT_EQ(store().profileHistory("person-gone")[0].name, "李小红");
    EXPECT_THROW(store().purgeProfiles({""}, "purger"), GatewayError);
    EXPECT_THROW(store().purgeProfiles({"person-adult"}, std::string("bad\0actor", 9)), GatewayError);
    EXPECT_EQ(store().profileHistory("person-adult")[0].name, kAdultName);
}

TEST_P(StoreSuite, ARecordSentAgainAfterThePurgeIsErasedAgain) {
    writeCity(store());
    ASSERT_EQ(store().purgeProfiles({"person-adult"}, "purger").size(), 1U);
    EXPECT_TRUE(store().purgeProfiles({"person-adult"}, "purger").empty());

    // The school sends the record again (a full pull): it is staged, and the person is due again at once.
    store().commitBatch(batchOf({recordOf("A1", kAdultId, kAdultName)}, "w1", "w2"));
    EXPECT_TRUE(store().profilesToPurge("2099-12-31", 10).empty()) << "not due again: purged already";
    EXPECT_EQ(store().purgedWithRecords(10), std::vector<std::string>{"person-adult"});
    EXPECT_TRUE(store().purgedWithRecords(0).empty());
    const auto again = store().purgeProfiles({"person-adult"}, "purger");
    ASSERT_EQ(again.size(), 1U);
    EXPECT_EQ(again[0].records, 1);
    EXPECT_EQ(again[0].versions, 0);  // the versions were erased the first time
    EXPECT_FALSE(store().sourceRecord(kSource, "A1").has_value());
    EXPECT_TRUE(store().profilesToPurge("2099-12-31", 10).empty());
    EXPECT_TRUE(store().purgedWithRecords(10).empty());
    EXPECT_EQ(purgeEntries(store()).size(), 2U);
}

TEST_P(StoreSuite, APurgedPersonWhoIsAChildAgainIsLiveAndDueNoMore) {
    writeCity(store());
    ASSERT_EQ(store().purgeProfiles({"person-adult"}, "purger").size(), 1U);
    // A corrected birth date makes the person a child again: a live version clears the removal and the purge.
    store().commitProfiles({live("person-adult", kAdultId, kAdultName, "3")}, "profiles");
    EXPECT_EQ(backend_->query("SELECT removed_reason || '/' || removed_on || '/' || purged_at FROM profiles "
                              "WHERE person_id = 'person-adult'"),
              "//");
    EXPECT_TRUE(store().profilesToPurge("2099-12-31", 10).empty());
    EXPECT_TRUE(store().purgeProfiles({"person-adult"}, "purger").empty());
    // Removed again later, the person is due again from the new date.
    store().commitProfiles({removal("person-adult", "adult", "2026-06-01")}, "profiles");
    EXPECT_TRUE(store().profilesToPurge("2026-05-31", 10).empty());
    EXPECT_EQ(store().profilesToPurge("2026-06-01", 10), std::vector<std::string>{"person-adult"});
    const auto outcomes = store().purgeProfiles({"person-adult"}, "purger");
    ASSERT_EQ(outcomes.size(), 1U);
    EXPECT_EQ(outcomes[0].versions, 1);
}

TEST_P(StoreSuite, ASealedStoresPurgeLeavesSealedStubsAndNoPlaintext) {
    store::StoreSettings settings = backend_->settings();
    settings.cipher =
        std::make_shared<const vault::FieldCipher>(vault::Keyring::parse(vault::Keyring::generate(), "test keyring"));
    auto sealed = store::openStore(settings);
    sealed->migrate();
    writeCity(*sealed);
    ASSERT_EQ(sealed->purgeProfiles({"person-adult"}, "purger").size(), 1U);
    for (const auto& version : sealed->profileHistory("person-adult")) {
        EXPECT_EQ(version.profile_json.find(kAdultId), std::string::npos);
    }
    // The stubs are sealed like everything else in their columns: no plaintext value is left to re-seal.
    for (const auto& column : sealed->sealedCounts()) {
        EXPECT_EQ(column.plaintext, 0) << column.column;
    }
}

}  // namespace gateway::testing
