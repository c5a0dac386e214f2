#include "gateway/reconcile/source_pull.h"

#include "gateway/common/error.h"
#include "gateway/intake/stage_row.h"

#include <optional>

namespace gateway::reconcile {

SourcePull pullWhole(adapters::Adapter& adapter, const mapping::Mapping& mapping, const std::string& source,
                     std::size_t batch_rows, const std::string& received_at, KeySorter& sorter,
                     const std::function<void(const SourcePull&)>& on_batch) {
    if (batch_rows == 0) {
        throw GatewayError(ErrorCode::InvalidArgument, "a batch must hold at least one row");
    }
    SourcePull pulled;
    std::optional<std::string> since;
    for (;;) {
        adapters::PullBatch batch = adapter.pull(since, batch_rows);
        ++pulled.batches;
        for (const adapters::RawRow& row : batch.rows) {
            ++pulled.rows;
            intake::RowOutcome outcome = intake::stageRow(source, row, mapping, received_at);
            if (outcome.quarantined) {
                ++pulled.quarantined;
                continue;
            }
            sorter.add({std::move(outcome.record->source_id), std::move(outcome.record->content_hash)});
        }
        if (on_batch) {
            on_batch(pulled);
        }
        if (!batch.more) {
            break;
        }
        // Ending here would report every row not yet pulled as deleted at the source; pulling again would never end.
        if (since && batch.watermark == *since) {
            throw GatewayError(ErrorCode::SourceError, source +
                                                           ": the source says it has more rows, but its watermark "
                                                           "did not move past " +
                                                           *since);
        }
        since = std::move(batch.watermark);
    }
    return pulled;
}

}  // namespace gateway::reconcile
