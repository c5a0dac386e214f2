#include "gateway/reconcile/source_pull.h"

#include "gateway/common/error.h"
#include "gateway/intake/stage_row.h"

#include <optional>

namespace gateway::reconcile {

void forEachBatch(adapters::Adapter& adapter, const std::string& source, std::size_t batch_rows,
                  const std::function<bool(adapters::PullBatch& batch)>& visit) {
    if (batch_rows == 0) {
        throw GatewayError(ErrorCode::InvalidArgument, "a batch must hold at least one row");
    }
    std::optional<std::string> since;
    for (;;) {
        adapters::PullBatch batch = adapter.pull(since, batch_rows);
        if (!visit(batch) || !batch.more) {
            return;
        }
        if (since && batch.watermark == *since) {
            throw GatewayError(ErrorCode::SourceError, source +
                                                           ": the source says it has more rows, but its watermark "
                                                           "did not move past " +
                                                           *since);
        }
        since = std::move(batch.watermark);
    }
}

SourcePull pullWhole(adapters::Adapter& adapter, const mapping::Mapping& mapping, const std::string& source,
                     std::size_t batch_rows, const std::string& received_at, KeySorter& sorter,
                     const std::function<void(const SourcePull&)>& on_batch) {
    SourcePull pulled;
    forEachBatch(adapter, source, batch_rows, [&](adapters::PullBatch& batch) {
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
        pulled.remaining = batch.remaining;
        if (on_batch) {
            on_batch(pulled);
        }
        return true;
    });
    return pulled;
}

}  // namespace gateway::reconcile
