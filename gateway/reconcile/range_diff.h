#pragma once

// Source against gateway without reading every row: both sides summarise a key range (how many rows, and a sum of
// their hashes), and only ranges whose summaries differ are split and looked into, until they are small enough to
// merge row by row. An unchanged table of a million rows then costs a few dozen summaries. This is how data-diff
// compares databases; here one side is the gateway's store and the other a source that can summarise in place (an
// SQL database computing the sums itself).

#include "gateway/reconcile/stream_diff.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gateway::reconcile {

/// Keys from `from` (included) to `to` (excluded); an absent bound is open.
struct KeyRange {
    std::optional<std::string> from;
    std::optional<std::string> to;

    bool contains(const std::string& key) const { return (!from || *from <= key) && (!to || key < *to); }
};

/// What a side says of a range without sending its rows. `checksum` is the sum, modulo 2^64, of rowChecksum() of each
/// row's hash: independent of order, so that a database can compute it with SUM, and equal on both sides when they
/// hold the same rows (but for a chance of 2^-64).
struct RangeSummary {
    std::int64_t rows = 0;
    std::uint64_t checksum = 0;

    bool operator==(const RangeSummary& other) const = default;
};

/// A row's part of a range checksum: the first 16 hex digits of its hash (hex, as the gateway writes hashes) as a
/// number; a hash that is not hex contributes by its bytes instead, so that every hash counts.
std::uint64_t rowChecksum(const std::string& hash);

/// One side of the comparison.
class RangeSide {
public:
    virtual ~RangeSide() = default;
    virtual RangeSummary summarize(const KeyRange& range) = 0;
    /// The rows of the range, in key order.
    virtual std::unique_ptr<KeyHashStream> rows(const KeyRange& range) = 0;
    /// Up to `parts` - 1 keys inside the range, in increasing order, that cut it into parts of about equal rows; fewer
    /// (or none) when the range holds few rows.
    virtual std::vector<std::string> splitKeys(const KeyRange& range, std::size_t parts) = 0;
};

struct BisectOptions {
    std::size_t parts = 16;           // a range that differs is cut into this many
    std::int64_t merge_below = 2000;  // a range with fewer rows than this on both sides is merged row by row
};

/// What a comparison by ranges did besides counting.
struct BisectStats {
    std::int64_t summaries = 0;      // ranges summarised (each on both sides)
    std::int64_t merged_ranges = 0;  // ranges merged row by row
    std::int64_t merged_rows = 0;    // rows read to merge them, both sides together
};

/// Compares the whole key space of the two sides, reporting each discrepancy once, in key order, as diffStreams()
/// does. The counts equal those of diffStreams() over all rows; only the rows of ranges that differ are read.
DiffCounts diffByRanges(RangeSide& source, RangeSide& gateway, const DiscrepancyHandler& on_discrepancy,
                        const BisectOptions& options = {}, BisectStats* stats = nullptr);

}  // namespace gateway::reconcile
