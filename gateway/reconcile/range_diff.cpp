#include "gateway/reconcile/range_diff.h"

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"

#include <algorithm>
#include <charconv>

namespace gateway::reconcile {
namespace {

class Bisection {
public:
    Bisection(RangeSide& source, RangeSide& gateway, const DiscrepancyHandler& on_discrepancy,
              const BisectOptions& options, BisectStats& stats)
        : source_(source), gateway_(gateway), on_discrepancy_(on_discrepancy), options_(options), stats_(stats) {}

    DiffCounts compare(const KeyRange& range, int depth = 0) {
        const RangeSummary at_source = source_.summarize(range);
        const RangeSummary in_gateway = gateway_.summarize(range);
        ++stats_.summaries;
        DiffCounts counts;
        if (at_source == in_gateway) {
            counts.source_rows = at_source.rows;
            counts.gateway_rows = in_gateway.rows;
            return counts;
        }
        // Sixteen parts a level reach 2,000 rows from a million in three levels; a side whose split keys never
        // separate its rows must not keep the recursion going.
        constexpr int kMaxDepth = 24;
        if (std::max(at_source.rows, in_gateway.rows) >= options_.merge_below && depth < kMaxDepth) {
            // Cut where the side holding more rows has them, so that each part is smaller on that side at least.
            RangeSide& larger = at_source.rows >= in_gateway.rows ? source_ : gateway_;
            const std::vector<std::string> keys = usableSplits(range, larger.splitKeys(range, options_.parts));
            if (!keys.empty()) {
                std::optional<std::string> from = range.from;
                for (const std::string& key : keys) {
                    counts += compare(KeyRange{from, key}, depth + 1);
                    from = key;
                }
                counts += compare(KeyRange{from, range.to}, depth + 1);
                return counts;
            }
        }
        return merge(range);
    }

private:
    /// The keys strictly inside the range, increasing: a side that returned a bound or repeated a key would make the
    /// recursion compare the same range again, forever.
    static std::vector<std::string> usableSplits(const KeyRange& range, std::vector<std::string> keys) {
        std::vector<std::string> usable;
        for (std::string& key : keys) {
            const bool inside = range.contains(key) && (!range.from || *range.from < key);
            if (inside && (usable.empty() || usable.back() < key)) {
                usable.push_back(std::move(key));
            }
        }
        return usable;
    }

    DiffCounts merge(const KeyRange& range) {
        ++stats_.merged_ranges;
        const std::unique_ptr<KeyHashStream> at_source = source_.rows(range);
        const std::unique_ptr<KeyHashStream> in_gateway = gateway_.rows(range);
        Bounded source_rows(*at_source, range, "the source");
        Bounded gateway_rows(*in_gateway, range, "the gateway");
        const DiffCounts counts = diffStreams(source_rows, gateway_rows, on_discrepancy_);
        stats_.merged_rows += counts.source_rows + counts.gateway_rows;
        return counts;
    }

    /// A side's rows of one range, refused if the side sends a row outside it: that row would be counted twice, or
    /// reported missing from the range it belongs to.
    class Bounded : public KeyHashStream {
    public:
        Bounded(KeyHashStream& rows, const KeyRange& range, const char* side)
            : rows_(rows), range_(range), side_(side) {}

        bool next(KeyHash& row) override {
            if (!rows_.next(row)) {
                return false;
            }
            if (!range_.contains(row.key)) {
                throw GatewayError(ErrorCode::SourceError, std::string(side_) + " sent key " + utf8::quote(row.key) +
                                                               " for a range that does not hold it");
            }
            return true;
        }

    private:
        KeyHashStream& rows_;
        const KeyRange& range_;
        const char* side_;
    };

    RangeSide& source_;
    RangeSide& gateway_;
    const DiscrepancyHandler& on_discrepancy_;
    const BisectOptions& options_;
    BisectStats& stats_;
};

}  // namespace

std::uint64_t rowChecksum(const std::string& hash) {
    std::uint64_t value = 0;
    if (hash.size() >= 16) {
        const char* end = hash.data() + 16;
        const auto [stop, error] = std::from_chars(hash.data(), end, value, 16);
        if (error == std::errc() && stop == end) {
            return value;
        }
    }
    // FNV-1a over the bytes: not what a database sums, but a source that sends such hashes cannot summarise in SQL
    // anyway, and each row must still move the sum.
    value = 0xcbf29ce484222325ULL;
    for (const unsigned char c : hash) {
        value = (value ^ c) * 0x100000001b3ULL;
    }
    return value;
}

DiffCounts diffByRanges(RangeSide& source, RangeSide& gateway, const DiscrepancyHandler& on_discrepancy,
                        const BisectOptions& options, BisectStats* stats) {
    if (options.parts < 2) {
        throw GatewayError(ErrorCode::InvalidArgument, "a range that differs must be cut into at least 2 parts");
    }
    BisectStats local;
    Bisection bisection(source, gateway, on_discrepancy, options, stats != nullptr ? *stats : local);
    return bisection.compare(KeyRange{});
}

}  // namespace gateway::reconcile
