// What reconciliation reads of a source's staged records: keys and hashes in byte order on both stores (PostgreSQL's
// default collation would put "a" before "B"), paged without a row lost or repeated, and only that source's.

#include "tests/integration/store/store_suite.h"

#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "gateway/reconcile/reconcile_store.h"

#include <algorithm>
#include <string>
#include <vector>

namespace gateway::testing {

namespace {

intake::StagedRecord stagedOf(const std::string& source, const std::string& source_id) {
    intake::StagedRecord record;
    record.source = source;
    record.source_id = source_id;
    record.observed_at = "2026-01-01T08:00:00.000Z";
    record.record_json = R"({"source_id":")" + source_id + "\"}";
    record.content_hash = sha256Hex(record.record_json + source);
    return record;
}

void stage(store::Store& store, const std::string& source, const std::vector<std::string>& ids) {
    intake::BatchCommit batch;
    batch.raw.source = source;
    batch.raw.received_at = "2026-01-01T08:00:05.000Z";
    batch.raw.payload = source + " rows";
    batch.raw.sha256 = sha256Hex(batch.raw.payload);
    batch.raw.record_count = static_cast<std::int64_t>(ids.size());
    for (const std::string& id : ids) {
        batch.records.push_back(stagedOf(source, id));
    }
    batch.new_watermark = "w1";
    batch.actor = "sync";
    store.commitBatch(batch);
}

}  // namespace

TEST_P(StoreSuite, StagedKeysComeInByteOrderPagedWithoutLossOrRepeat) {
    store().migrate();
    // Deliberately unsorted, with the cases a locale's collation orders differently from bytes.
    const std::vector<std::string> ids = {"b", "B", "a", "A-1", "a-1", "张三", "Z", "10", "9", "a b", "ab", "_x"};
    stage(store(), "school_register", ids);
    stage(store(), "police_population", {"a", "zz"});

    std::vector<std::string> expected = ids;
    std::sort(expected.begin(), expected.end());

    const std::vector<reconcile::KeyHash> whole = store().stagedKeys("school_register", std::nullopt, 1000);
    ASSERT_EQ(whole.size(), expected.size());
    for (std::size_t i = 0; i < whole.size(); ++i) {
        EXPECT_EQ(whole[i].key, expected[i]) << i;
        EXPECT_EQ(whole[i].hash, stagedOf("school_register", expected[i]).content_hash) << expected[i];
    }

    for (const std::size_t page : {1u, 2u, 5u, 12u, 13u}) {
        reconcile::StagedKeyStream stream(store(), "school_register", page);
        std::vector<std::string> read;
        reconcile::KeyHash row;
        while (stream.next(row)) {
            read.push_back(row.key);
        }
        EXPECT_EQ(read, expected) << "pages of " << page;
    }

    const auto after = store().stagedKeys("school_register", std::string("a"), 3);
    ASSERT_EQ(after.size(), 3u);
    EXPECT_EQ(after[0].key, "a b");
    EXPECT_TRUE(store().stagedKeys("no_such_source", std::nullopt, 10).empty());
    EXPECT_THROW(store().stagedKeys("school_register", std::string("\xff\xfe"), 10), GatewayError);
}

}  // namespace gateway::testing
