#pragma once

// What reconciliation reads of the store: the keys and content hashes the gateway staged from a source, in the byte
// order the merge with the source's rows needs. The store implements the port.

#include "gateway/reconcile/stream_diff.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::reconcile {

/// Implementations are thread-safe: each call takes a pooled connection. Failures to reach the database throw
/// GatewayError(StoreUnavailable); rejected statements throw GatewayError(StoreError).
class ReconcileStore {
public:
    virtual ~ReconcileStore() = default;

    /// Up to `limit` staged records of `source` (source_id as the key, content hash), in byte order of source_id,
    /// starting after `after` (from the first when nullopt). A caller that pages through a source holds its sync
    /// lease, so that no batch lands between two pages.
    virtual std::vector<KeyHash> stagedKeys(std::string_view source, const std::optional<std::string>& after,
                                            std::size_t limit) = 0;
};

/// The staged records of one source as a stream, read a page at a time.
class StagedKeyStream : public KeyHashStream {
public:
    StagedKeyStream(ReconcileStore& store, std::string source, std::size_t page_rows = 20000);
    bool next(KeyHash& row) override;

private:
    ReconcileStore& store_;
    std::string source_;
    std::size_t page_rows_;
    std::vector<KeyHash> page_;
    std::size_t at_ = 0;
    std::optional<std::string> after_;
    bool last_page_ = false;
};

}  // namespace gateway::reconcile
