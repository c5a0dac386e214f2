#pragma once

// The source side of a comparison for any adapter: the source pulled whole from its beginning, each row mapped and
// hashed as intake stages it, into a key sorter. Nothing is staged and no watermark moves.

#include "adapters/adapter.h"
#include "gateway/mapping/mapping.h"
#include "gateway/reconcile/key_sorter.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace gateway::reconcile {

struct SourcePull {
    std::int64_t batches = 0;
    std::int64_t rows = 0;         // rows the source sent
    std::int64_t quarantined = 0;  // rows intake would quarantine: not compared, counted
    std::int64_t remaining = -1;   // rows the source still holds after the last batch, when it tells; -1 unknown
};

/// Pulls `source` through `adapter` (opened) whole, from its beginning, in batches of `batch_rows` until the source
/// has no more or `visit` returns false. Throws GatewayError(SourceError) when the source says it has more rows but
/// its watermark does not move: ending there would report every row not yet pulled as deleted, and pulling again
/// would never end. The adapter's committed() is never called.
void forEachBatch(adapters::Adapter& adapter, const std::string& source, std::size_t batch_rows,
                  const std::function<bool(adapters::PullBatch& batch)>& visit);

/// Pulls `source` through `adapter` (opened) in batches of `batch_rows` from the beginning until the source has no
/// more, and adds each mapped row's (source_id, content hash) to `sorter`. `received_at` dates records that carry
/// no observation time of their own (it is outside the hash). `on_batch`, if set, is called after each batch.
/// The adapter's committed() is never called: a re-pull must not make a drop folder archive its files.
SourcePull pullWhole(adapters::Adapter& adapter, const mapping::Mapping& mapping, const std::string& source,
                     std::size_t batch_rows, const std::string& received_at, KeySorter& sorter,
                     const std::function<void(const SourcePull&)>& on_batch = {});

}  // namespace gateway::reconcile
