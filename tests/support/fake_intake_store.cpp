#include "tests/support/fake_intake_store.h"

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"
#include "gateway/store/log_details.h"
#include "gateway/store/port_checks.h"
#include "gateway/store/text_checks.h"

#include <algorithm>
#include <set>

namespace gateway::testing {

namespace {

using intake::BatchCommit;
using intake::CommitResult;
using intake::QuarantinedRecord;
using intake::StagedRecord;
using intake::SyncRun;

}  // namespace

CommitResult FakeIntakeStore::commitBatch(const BatchCommit& batch) {
    store::validateBatch(batch);
    const std::string& source = batch.raw.source;
    const std::lock_guard lock(mutex_);

    const auto current = watermarks_.find(source);
    const bool moves = batch.expected_watermark
                           ? current != watermarks_.end() && current->second.value == *batch.expected_watermark
                           : current == watermarks_.end();
    if (!moves) {
        const std::string expected_text =
            batch.expected_watermark ? utf8::quote(*batch.expected_watermark, 80) : "none";
        const std::string found_text = current == watermarks_.end() ? "none" : utf8::quote(current->second.value, 80);
        throw GatewayError(ErrorCode::Conflict, "the watermark of source " + utf8::quote(source) +
                                                    " moved meanwhile: expected " + expected_text + ", found " +
                                                    found_text + "; nothing was committed");
    }
    std::set<std::string_view> ids;
    for (const StagedRecord& record : batch.records) {
        if (!ids.insert(record.source_id).second) {
            // As the SQL store's staging table rejects it.
            throw GatewayError(ErrorCode::StoreError, "commit a batch from " + source + ": record " +
                                                          utf8::quote(record.source_id) +
                                                          " appears twice (primary key of batch_stage)");
        }
    }

    CommitResult result;
    result.batch_id = static_cast<std::int64_t>(batches_.size()) + 1;
    std::vector<StagedRecord> written;
    for (const StagedRecord& record : batch.records) {
        StagedRecord stored = record;
        stored.batch_id = result.batch_id;
        const auto existing = records_.find({record.source, record.source_id});
        if (existing == records_.end()) {
            stored.version = 1;
            ++result.inserted;
        } else if (existing->second.content_hash != record.content_hash) {
            stored.version = existing->second.version + 1;
            ++result.updated;
        } else {
            ++result.unchanged;
            continue;
        }
        written.push_back(std::move(stored));
    }
    result.quarantined = static_cast<std::int64_t>(batch.quarantined.size());

    audit::ExchangeLogEntry entry;
    entry.at = batch.raw.received_at;
    entry.actor = batch.actor;
    entry.action = "source.pull";
    entry.subject = source;
    entry.detail_json = store::pullDetail(batch, result);
    // Last before the writes, which cannot fail: the batch and its entry are kept together or not at all.
    log_.appendExchangeLog(entry);

    watermarks_[source] = Watermark{batch.new_watermark, formatIso(clock_.now())};
    batches_.push_back(batch.raw);
    for (StagedRecord& record : written) {
        Key key{record.source, record.source_id};
        records_[std::move(key)] = std::move(record);
    }
    for (QuarantinedRecord row : batch.quarantined) {
        row.batch_id = result.batch_id;
        quarantine_.push_back(std::move(row));
    }
    return result;
}

std::optional<std::string> FakeIntakeStore::watermark(std::string_view source) {
    const std::lock_guard lock(mutex_);
    const auto found = watermarks_.find(source);
    if (found == watermarks_.end()) {
        return std::nullopt;
    }
    return found->second.value;
}

std::optional<StagedRecord> FakeIntakeStore::sourceRecord(std::string_view source, std::string_view source_id) {
    const std::lock_guard lock(mutex_);
    const auto found = records_.find({std::string(source), std::string(source_id)});
    if (found == records_.end()) {
        return std::nullopt;
    }
    return found->second;
}

std::int64_t FakeIntakeStore::countSourceRecords(std::string_view source) {
    const std::lock_guard lock(mutex_);
    return std::count_if(records_.begin(), records_.end(),
                         [&](const auto& record) { return record.first.first == source; });
}

std::vector<QuarantinedRecord> FakeIntakeStore::quarantined(std::string_view source, std::size_t limit) {
    const std::lock_guard lock(mutex_);
    std::vector<QuarantinedRecord> result;
    for (const QuarantinedRecord& row : quarantine_) {
        if (result.size() >= limit) {
            break;
        }
        if (row.source == source) {
            result.push_back(row);
        }
    }
    return result;
}

std::optional<intake::RawBatch> FakeIntakeStore::rawBatch(std::int64_t batch_id) {
    const std::lock_guard lock(mutex_);
    if (batch_id < 1 || batch_id > std::ssize(batches_)) {
        return std::nullopt;
    }
    return batches_[static_cast<std::size_t>(batch_id - 1)];
}

std::int64_t FakeIntakeStore::countRawBatches(std::string_view source) {
    const std::lock_guard lock(mutex_);
    return std::count_if(batches_.begin(), batches_.end(),
                         [&](const intake::RawBatch& batch) { return batch.source == source; });
}

std::int64_t FakeIntakeStore::startSyncRun(const SyncRun& run) {
    const std::string where = "sync run of " + utf8::quote(run.source);
    store::requireText("source", run.source, where);
    store::requireText("node", run.node, where);
    store::requireText("trigger", run.trigger, where);
    store::requireText("started_at", run.started_at, where);
    const std::lock_guard lock(mutex_);
    SyncRun started;
    started.id = static_cast<std::int64_t>(runs_.size()) + 1;
    started.source = run.source;
    started.node = run.node;
    started.trigger = run.trigger;
    started.started_at = run.started_at;
    started.status = "running";
    runs_.push_back(started);
    return started.id;
}

void FakeIntakeStore::finishSyncRun(const SyncRun& run) {
    const std::string where = "sync run " + std::to_string(run.id);
    store::requireText("finished_at", run.finished_at, where);
    store::requireText("status", run.status, where);
    store::requireText("error", run.error, where);
    const std::lock_guard lock(mutex_);
    if (run.id < 1 || run.id > std::ssize(runs_)) {
        throw GatewayError(ErrorCode::NotFound, "in-memory intake store: no sync run " + std::to_string(run.id));
    }
    SyncRun& stored = runs_[static_cast<std::size_t>(run.id - 1)];
    // As the SQL store's log entry: the run as the caller describes it, under the source the run was started for.
    log_.appendExchangeLog({0, run.finished_at, run.node, "sync.run", run.source, store::syncRunDetail(run)});
    stored.finished_at = run.finished_at;
    stored.status = run.status;
    stored.batches = run.batches;
    stored.pulled = run.pulled;
    stored.inserted = run.inserted;
    stored.updated = run.updated;
    stored.unchanged = run.unchanged;
    stored.quarantined = run.quarantined;
    stored.error = run.error;
}

intake::SourceSummary FakeIntakeStore::sourceSummary(std::string_view source) {
    intake::SourceSummary summary;
    summary.source = std::string(source);
    summary.records = countSourceRecords(source);
    summary.quarantined = countQuarantined(source);
    summary.raw_batches = countRawBatches(source);
    const std::lock_guard lock(mutex_);
    const auto found = watermarks_.find(source);
    if (found != watermarks_.end()) {
        summary.watermark = found->second.value;
        summary.watermark_updated_at = found->second.updated_at;
    }
    for (auto run = runs_.rbegin(); run != runs_.rend(); ++run) {
        if (run->source != source) {
            continue;
        }
        if (!summary.last_run) {
            summary.last_run = *run;
        }
        if (run->status == "failed" && !summary.last_failure) {
            summary.last_failure = *run;
        }
    }
    return summary;
}

std::int64_t FakeIntakeStore::countQuarantined(std::string_view source) {
    const std::lock_guard lock(mutex_);
    return std::count_if(quarantine_.begin(), quarantine_.end(),
                         [&](const QuarantinedRecord& row) { return row.source == source; });
}

std::vector<StagedRecord> FakeIntakeStore::stagedRecords() {
    const std::lock_guard lock(mutex_);
    std::vector<StagedRecord> result;
    result.reserve(records_.size());
    for (const auto& [key, record] : records_) {
        result.push_back(record);
    }
    return result;
}

}  // namespace gateway::testing
