#include "gateway/intake/stage_row.h"

#include "gateway/common/hash.h"
#include "gateway/model/source_record.h"

namespace gateway::intake {

RowOutcome stageRow(const std::string& source, const adapters::RawRow& row, const mapping::Mapping& mapping,
                    const std::string& received_at) {
    RowOutcome outcome;
    const std::string& payload = row.raw.empty() ? row.json : row.raw;
    if (!row.error.empty()) {
        outcome.quarantined = QuarantinedRecord{source, row.locator, payload, row.error, 0};
        return outcome;
    }
    mapping::MappedRecord mapped = mapping.apply(row.json);
    if (mapped.outcome == mapping::Outcome::Quarantined) {
        outcome.quarantined = QuarantinedRecord{source, row.locator, payload, mapped.reason, 0};
        return outcome;
    }
    StagedRecord staged;
    staged.source = source;
    staged.source_id = mapped.record.source_id;
    staged.observed_at = mapped.record.observed_at.empty() ? received_at : mapped.record.observed_at;
    staged.record_json = model::toJson(mapped.record);
    staged.content_hash = sha256Hex(staged.record_json);
    outcome.record = std::move(staged);
    return outcome;
}

}  // namespace gateway::intake
