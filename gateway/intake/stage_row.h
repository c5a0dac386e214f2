#pragma once

#include "adapters/adapter.h"
#include "gateway/intake/intake_store.h"
#include "gateway/mapping/mapping.h"

#include <optional>
#include <string>

namespace gateway::intake {

/// What intake makes of one row a source sent: the record to stage, or the row to quarantine with its reason.
struct RowOutcome {
    std::optional<StagedRecord> record;
    std::optional<QuarantinedRecord> quarantined;
};

/// Maps one row of `source`, as the sync job stages it. The content hash depends on the row alone (a record without
/// its own observation time is dated `received_at`, outside the hashed JSON), so that reconciliation, mapping the
/// same row again, hashes an unchanged row as it was staged.
RowOutcome stageRow(const std::string& source, const adapters::RawRow& row, const mapping::Mapping& mapping,
                    const std::string& received_at);

}  // namespace gateway::intake
