#pragma once

// Source against gateway, one source at a time: what the source holds and what the gateway staged from it, each as
// a stream of (key, content hash) in key order, merged without holding either side in memory.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace gateway::reconcile {

/// One row as reconciliation compares it: its key at the source and a hash of its content. Both sides hash a row
/// the same way, so equal hashes mean equal content.
struct KeyHash {
    std::string key;
    std::string hash;
};

/// Rows in strictly increasing key order, compared as bytes (as std::string compares; PostgreSQL must sort with
/// COLLATE "C"). A stream that breaks the order is refused: merged, it would report rows that are there as missing.
class KeyHashStream {
public:
    virtual ~KeyHashStream() = default;
    /// Puts the next row in `row`; false at the end.
    virtual bool next(KeyHash& row) = 0;
};

/// How a source and the gateway disagree about one row.
enum class Discrepancy {
    MissingInGateway,  // the source has it, the gateway never staged it (a lost page, a replaced file)
    DeletedAtSource,   // the gateway staged it, the source no longer has it
    Changed,           // both have it with different content: an edit that did not move the watermark
};

/// "missing_in_gateway", "deleted_at_source", "changed": the names reports and the exchange log use.
std::string_view discrepancyName(Discrepancy discrepancy);

/// What a comparison counted.
struct DiffCounts {
    std::int64_t source_rows = 0;
    std::int64_t gateway_rows = 0;
    std::int64_t missing_in_gateway = 0;
    std::int64_t deleted_at_source = 0;
    std::int64_t changed = 0;

    bool agrees() const { return missing_in_gateway == 0 && deleted_at_source == 0 && changed == 0; }
    DiffCounts& operator+=(const DiffCounts& other);
};

/// Called once per discrepancy, in key order, with the row's key and its content hash on each side ("" on the side
/// that lacks it): the evidence a finding keeps.
using DiscrepancyHandler = std::function<void(Discrepancy discrepancy, const std::string& key,
                                              const std::string& source_hash, const std::string& gateway_hash)>;

/// Merges the two streams and reports every key on which they disagree. Memory holds one row of each side.
/// Throws GatewayError(SourceError) naming the side and both keys when a stream repeats a key or goes back.
DiffCounts diffStreams(KeyHashStream& source, KeyHashStream& gateway, const DiscrepancyHandler& on_discrepancy);

}  // namespace gateway::reconcile
