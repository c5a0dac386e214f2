// Comparing by ranges: an unchanged side costs a handful of summaries, planted changes are found exactly as a full
// merge finds them while reading only the ranges around them, and a side that answers badly cannot make the
// comparison loop or count a row twice.

#include "gateway/reconcile/range_diff.h"

#include "gateway/common/error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace gateway::reconcile {
namespace {

class VectorStream : public KeyHashStream {
public:
    VectorStream(std::vector<KeyHash>::const_iterator begin, std::vector<KeyHash>::const_iterator end)
        : at_(begin), end_(end) {}

    bool next(KeyHash& row) override {
        if (at_ == end_) {
            return false;
        }
        row = *at_++;
        return true;
    }

private:
    std::vector<KeyHash>::const_iterator at_;
    std::vector<KeyHash>::const_iterator end_;
};

/// A side held in memory, sorted by key: what an SQL table with an index on the key answers.
class MemorySide : public RangeSide {
public:
    explicit MemorySide(std::vector<KeyHash> rows) : rows_(std::move(rows)) {
        std::sort(rows_.begin(), rows_.end(), [](const KeyHash& a, const KeyHash& b) { return a.key < b.key; });
    }

    RangeSummary summarize(const KeyRange& range) override {
        RangeSummary summary;
        for (auto it = begin(range); it != end(range); ++it) {
            ++summary.rows;
            summary.checksum += rowChecksum(it->hash);
        }
        return summary;
    }

    std::unique_ptr<KeyHashStream> rows(const KeyRange& range) override {
        rows_read += end(range) - begin(range);
        return std::make_unique<VectorStream>(begin(range), end(range));
    }

    std::vector<std::string> splitKeys(const KeyRange& range, std::size_t parts) override {
        const auto first = begin(range);
        const auto count = static_cast<std::size_t>(end(range) - first);
        std::vector<std::string> keys;
        for (std::size_t part = 1; part < parts; ++part) {
            const std::size_t at = count * part / parts;
            if (at > 0 && at < count) {
                keys.push_back((first + static_cast<std::ptrdiff_t>(at))->key);
            }
        }
        keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
        return keys;
    }

    const std::vector<KeyHash>& all() const { return rows_; }
    std::int64_t rows_read = 0;

private:
    std::vector<KeyHash>::const_iterator begin(const KeyRange& range) const {
        if (!range.from) {
            return rows_.begin();
        }
        return std::lower_bound(rows_.begin(), rows_.end(), *range.from,
                                [](const KeyHash& row, const std::string& key) { return row.key < key; });
    }
    std::vector<KeyHash>::const_iterator end(const KeyRange& range) const {
        if (!range.to) {
            return rows_.end();
        }
        return std::lower_bound(rows_.begin(), rows_.end(), *range.to,
                                [](const KeyHash& row, const std::string& key) { return row.key < key; });
    }

    std::vector<KeyHash> rows_;
};

std::string hexHash(std::uint64_t seed) {
    char text[65];
    std::mt19937_64 random(seed);
    for (int i = 0; i < 4; ++i) {
        std::snprintf(text + 16 * i, 17, "%016llx", static_cast<unsigned long long>(random()));
    }
    return text;
}

std::string keyOf(int i) {
    char text[16];
    std::snprintf(text, sizeof text, "S%08d", i);
    return text;
}

std::vector<KeyHash> table(int rows) {
    std::vector<KeyHash> out;
    for (int i = 0; i < rows; ++i) {
        out.push_back({keyOf(i), hexHash(static_cast<std::uint64_t>(i))});
    }
    return out;
}

using Found = std::vector<std::pair<Discrepancy, std::string>>;

DiffCounts byRanges(RangeSide& source, RangeSide& gateway, Found& found, BisectStats& stats,
                    const BisectOptions& options = {}) {
    return diffByRanges(
        source, gateway,
        [&found](Discrepancy d, const std::string& key, const std::string&, const std::string&) {
            found.emplace_back(d, key);
        },
        options, &stats);
}

DiffCounts fully(const MemorySide& source, const MemorySide& gateway, Found& found) {
    VectorStream at_source(source.all().begin(), source.all().end());
    VectorStream in_gateway(gateway.all().begin(), gateway.all().end());
    return diffStreams(at_source, in_gateway,
                       [&found](Discrepancy d, const std::string& key, const std::string&, const std::string&) {
                           found.emplace_back(d, key);
                       });
}

TEST(RangeDiffTest, AnUnchangedTableCostsOneSummaryAndNoRows) {
    MemorySide source(table(100000));
    MemorySide gateway(table(100000));
    Found found;
    BisectStats stats;
    const DiffCounts counts = byRanges(source, gateway, found, stats);
    EXPECT_TRUE(counts.agrees());
    EXPECT_EQ(counts.source_rows, 100000);
    EXPECT_EQ(counts.gateway_rows, 100000);
    EXPECT_EQ(stats.summaries, 1);
    EXPECT_EQ(stats.merged_rows, 0);
    EXPECT_EQ(source.rows_read + gateway.rows_read, 0);
}

TEST(RangeDiffTest, PlantedChangesAreFoundAsAFullMergeFindsThemReadingFewRows) {
    std::vector<KeyHash> at_source = table(100000);
    std::vector<KeyHash> in_gateway = at_source;
    std::mt19937 random(20261207);
    std::uniform_int_distribution<int> pick(0, 99999);
    std::set<int> touched;
    while (touched.size() < 30) {
        touched.insert(pick(random));
    }
    int n = 0;
    for (const int i : touched) {
        switch (n++ % 3) {
            case 0:  // deleted at the source
                at_source[static_cast<std::size_t>(i)].key.clear();
                break;
            case 1:  // edited without moving the watermark
                at_source[static_cast<std::size_t>(i)].hash = hexHash(1000000 + static_cast<std::uint64_t>(i));
                break;
            default:  // a page the gateway never got
                in_gateway[static_cast<std::size_t>(i)].key.clear();
        }
    }
    const auto dropCleared = [](std::vector<KeyHash>& rows) {
        rows.erase(std::remove_if(rows.begin(), rows.end(), [](const KeyHash& row) { return row.key.empty(); }),
                   rows.end());
    };
    dropCleared(at_source);
    dropCleared(in_gateway);
    // Rows added at the source past the end, and before the first key.
    at_source.push_back({keyOf(100000), hexHash(100000)});
    at_source.push_back({"A-first", hexHash(7)});

    MemorySide source(at_source);
    MemorySide gateway(in_gateway);
    Found by_ranges;
    BisectStats stats;
    const DiffCounts counts = byRanges(source, gateway, by_ranges, stats);
    Found merged;
    const DiffCounts expected = fully(source, gateway, merged);

    EXPECT_EQ(by_ranges, merged);
    EXPECT_EQ(counts.missing_in_gateway, expected.missing_in_gateway);
    EXPECT_EQ(counts.deleted_at_source, expected.deleted_at_source);
    EXPECT_EQ(counts.changed, expected.changed);
    EXPECT_EQ(counts.source_rows, expected.source_rows);
    EXPECT_EQ(counts.gateway_rows, expected.gateway_rows);
    EXPECT_EQ(counts.deleted_at_source, 10);
    EXPECT_EQ(counts.changed, 10);
    EXPECT_EQ(counts.missing_in_gateway, 12);
    // 32 disagreements among 200,000 rows: the ranges around them are read, the rest summarised.
    EXPECT_LT(stats.merged_rows, 200000 / 2) << "summaries " << stats.summaries;
}

TEST(RangeDiffTest, AnEmptyGatewayIsCutWhereTheSourceHasItsRows) {
    MemorySide source(table(20000));
    MemorySide gateway({});
    Found found;
    BisectStats stats;
    const DiffCounts counts = byRanges(source, gateway, found, stats, BisectOptions{4, 1000});
    EXPECT_EQ(counts.missing_in_gateway, 20000);
    EXPECT_EQ(found.size(), 20000u);
    EXPECT_TRUE(
        std::is_sorted(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.second < b.second; }));
    EXPECT_GT(stats.merged_ranges, 1) << "the source's rows were cut into ranges";
}

/// A side whose split keys are useless: its bounds, repeats, keys outside the range, or ever new keys between.
class UnhelpfulSide : public MemorySide {
public:
    using MemorySide::MemorySide;
    std::vector<std::string> splitKeys(const KeyRange& range, std::size_t) override {
        std::vector<std::string> keys;
        if (range.from) {
            keys.push_back(*range.from);
            keys.push_back(*range.from + "\x01");  // a new key each time, always before every row
        }
        keys.push_back("0");  // before every key
        keys.push_back("~");  // after every key
        if (range.to) {
            keys.push_back(*range.to);
        }
        return keys;
    }
};

TEST(RangeDiffTest, SplitKeysThatDoNotCutStillEndInAnExactComparison) {
    std::vector<KeyHash> rows = table(5000);
    UnhelpfulSide source(rows);
    rows.erase(rows.begin() + 2500);
    UnhelpfulSide gateway(rows);
    Found found;
    BisectStats stats;
    const DiffCounts counts = byRanges(source, gateway, found, stats, BisectOptions{2, 100});
    EXPECT_EQ(counts.missing_in_gateway, 1);
    EXPECT_EQ(found, (Found{{Discrepancy::MissingInGateway, keyOf(2500)}}));
    EXPECT_EQ(counts.source_rows, 5000);
    EXPECT_EQ(counts.gateway_rows, 4999);
}

/// A side that sends every row it has whatever range is asked for.
class LeakySide : public MemorySide {
public:
    using MemorySide::MemorySide;
    std::unique_ptr<KeyHashStream> rows(const KeyRange&) override { return MemorySide::rows(KeyRange{}); }
};

TEST(RangeDiffTest, ARowSentForARangeThatDoesNotHoldItIsRefused) {
    std::vector<KeyHash> rows = table(5000);
    LeakySide source(rows);
    rows[4000].hash = "changed";
    MemorySide gateway(rows);
    Found found;
    BisectStats stats;
    try {
        byRanges(source, gateway, found, stats, BisectOptions{4, 100});
        ADD_FAILURE() << "accepted";
    } catch (const GatewayError& e) {
        EXPECT_EQ(e.code(), ErrorCode::SourceError);
        EXPECT_NE(e.message().find("the source sent key"), std::string::npos) << e.message();
    }
}

TEST(RangeDiffTest, FewerThanTwoPartsIsRefused) {
    MemorySide side({});
    Found found;
    BisectStats stats;
    EXPECT_THROW(byRanges(side, side, found, stats, BisectOptions{1, 100}), GatewayError);
}

TEST(RangeDiffTest, RowChecksumsReadHexHashesAndStillCountOtherHashes) {
    EXPECT_EQ(rowChecksum("00000000000000ff" + std::string(48, '0')), 255u);
    EXPECT_EQ(rowChecksum("FFFFFFFFFFFFFFFF"), 0xffffffffffffffffULL);
    EXPECT_EQ(rowChecksum("0123456789abcdefXYZ"), 0x0123456789abcdefULL) << "the first 16 digits";
    EXPECT_NE(rowChecksum("not hex at all!!"), rowChecksum("not hex at all!?"));
    EXPECT_NE(rowChecksum(""), rowChecksum("a"));
    EXPECT_NE(rowChecksum("short"), 0u);
}

TEST(RangeDiffTest, AChangedHashIsSeenEvenWhenTheRowCountsMatch) {
    std::vector<KeyHash> rows = table(3000);
    MemorySide source(rows);
    rows[1234].hash = hexHash(999999);
    MemorySide gateway(rows);
    Found found;
    BisectStats stats;
    const DiffCounts counts = byRanges(source, gateway, found, stats, BisectOptions{16, 100});
    EXPECT_EQ(found, (Found{{Discrepancy::Changed, keyOf(1234)}}));
    EXPECT_EQ(counts.changed, 1);
    EXPECT_LT(stats.merged_rows, 2 * 3000 / 4);
}

}  // namespace
}  // namespace gateway::reconcile
