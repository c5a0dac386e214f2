// Intake's port (intake::IntakeStore): one pull committed whole with its watermark, what is staged per source, and
// the sources' sync runs.

#include "gateway/store/sql_store.h"

#include "gateway/common/json_writer.h"
#include "gateway/common/utf8.h"
#include "gateway/store/log_details.h"
#include "gateway/store/port_checks.h"
#include "gateway/store/sql_store_internal.h"

#include <Poco/Data/LOB.h>
#include <Poco/Data/Statement.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <future>

namespace gateway::store {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

namespace {

/// batch_stage: the records of one pull, before they are merged into records.
BulkRows batchStageRows(const std::vector<StagedRecord>& records) {
    BulkRows rows("batch_stage", records.size());
    rows.text("source", records, &StagedRecord::source)
        .text("source_id", records, &StagedRecord::source_id)
        .text("observed_at", records, &StagedRecord::observed_at)
        .text("record_json", records, &StagedRecord::record_json)
        .text("content_hash", records, &StagedRecord::content_hash);
    return rows;
}

/// quarantine: the rows of batch `batch_id` that did not map, with their bytes as received.
BulkRows quarantineRows(std::int64_t batch_id, const std::vector<QuarantinedRecord>& quarantined) {
    BulkRows rows("quarantine", quarantined.size());
    rows.text("source", quarantined, &QuarantinedRecord::source)
        .integer("batch_id", quarantined, [batch_id](const QuarantinedRecord&) { return batch_id; })
        .text("locator", quarantined, &QuarantinedRecord::locator)
        .bytes("raw_payload", quarantined, &QuarantinedRecord::raw_payload)
        .text("reason", quarantined, &QuarantinedRecord::reason);
    return rows;
}

}  // namespace

CommitResult SqlStore::commitBatch(const BatchCommit& batch) {
    validateBatch(batch);
    // Sealed before the transaction starts: the cipher's work holds no lock. Without a cipher nothing is copied.
    // The raw payload (deflated first, the largest single piece of work) is sealed on a thread of its own while
    // this one seals the records.
    std::vector<StagedRecord> sealed_records;
    std::vector<QuarantinedRecord> sealed_quarantine;
    std::future<std::string> sealed_payload;
    if (sealsPersonalData()) {
        sealed_payload = std::async(std::launch::async, [&] {
            return seal(batch.raw.payload, sealed::kRawPayload, sealedRow({batch.raw.source, batch.raw.sha256}));
        });
        sealed_records.reserve(batch.records.size());
        for (const StagedRecord& record : batch.records) {
            sealed_records.push_back(
                {record.source, record.source_id, record.observed_at,
                 seal(record.record_json, sealed::kRecordJson, sealedRow({record.source, record.source_id})),
                 record.content_hash, record.version, record.batch_id});
        }
        sealed_quarantine = batch.quarantined;
        for (QuarantinedRecord& row : sealed_quarantine) {
            const std::string sealed_row = sealedRow({row.source, batch.raw.sha256, row.locator});
            row.raw_payload = seal(row.raw_payload, sealed::kQuarantinePayload, sealed_row);
            row.reason = seal(row.reason, sealed::kQuarantineReason, sealed_row);
        }
    }
    const std::vector<StagedRecord>& records = sealsPersonalData() ? sealed_records : batch.records;
    const std::vector<QuarantinedRecord>& quarantined = sealsPersonalData() ? sealed_quarantine : batch.quarantined;
    const std::string payload_token = sealed_payload.valid() ? sealed_payload.get() : std::string();
    const std::string& payload = sealsPersonalData() ? payload_token : batch.raw.payload;
    CommitResult result;
    withSession("commit a batch from " + batch.raw.source, [&](Session& session) {
        result = CommitResult();
        WriteTransaction transaction(*this, session);
        // First, so that a concurrent commit for the same source waits on the row here (or on SQLite's write
        // lock) and then sees the moved watermark, instead of both writing their data.
        moveWatermark(session, batch);
        result.batch_id = insertRawBatch(session, batch.raw, payload);

        if (!batch.records.empty()) {
            // Staging first turns the three outcomes (new, changed, unchanged) into two set-based statements,
            // and the stage's primary key rejects a source_id that appears twice in one batch.
            session << "CREATE TEMP TABLE batch_stage (source TEXT NOT NULL, source_id TEXT NOT NULL, "
                       "observed_at TEXT NOT NULL, record_json TEXT NOT NULL, content_hash TEXT NOT NULL, "
                       "PRIMARY KEY (source, source_id))",
                now;
            insertRows(session, batchStageRows(records));

            // Counted before the upsert: which staged records exist already (each a primary-key lookup).
            Poco::Int64 existing = 0;
            session << "SELECT COUNT(*) FROM batch_stage AS b WHERE EXISTS (SELECT 1 FROM source_records AS r "
                       "WHERE r.source = b.source AND r.source_id = b.source_id)",
                into(existing), now;

            // One upsert driven by the stage, so that each record costs a primary-key lookup whatever the size of
            // source_records (an UPDATE … FROM may scan the whole table for every batch). Unchanged records match
            // the conflict target but fail its WHERE, so they are neither written nor counted.
            Poco::Int64 batch_id = result.batch_id;
            std::string staged_at = nowIso();
            Statement upsert(session);
            upsert << sql(
                "INSERT INTO source_records (source, source_id, observed_at, record_json, content_hash, "
                "version, batch_id, staged_at) "
                "SELECT b.source, b.source_id, b.observed_at, b.record_json, b.content_hash, 1, "
                "CAST(? AS BIGINT), CAST(? AS TEXT) FROM batch_stage AS b WHERE true "
                "ON CONFLICT (source, source_id) DO UPDATE SET observed_at = excluded.observed_at, "
                "record_json = excluded.record_json, content_hash = excluded.content_hash, "
                "version = source_records.version + 1, batch_id = excluded.batch_id, staged_at = excluded.staged_at "
                "WHERE source_records.content_hash <> excluded.content_hash"),
                use(batch_id), use(staged_at);
            const auto written = static_cast<std::int64_t>(upsert.execute());
            const auto staged = static_cast<std::int64_t>(batch.records.size());
            result.inserted = staged - existing;
            result.updated = written - result.inserted;
            result.unchanged = existing - result.updated;
            session << "DROP TABLE batch_stage", now;
        }

        if (!batch.quarantined.empty()) {
            insertRows(session, quarantineRows(result.batch_id, quarantined));
        }
        result.quarantined = static_cast<std::int64_t>(batch.quarantined.size());

        ExchangeLogEntry entry;
        entry.at = batch.raw.received_at;
        entry.actor = batch.actor;
        entry.action = "source.pull";
        entry.subject = batch.raw.source;
        entry.detail_json = pullDetail(batch, result);
        insertLogEntry(session, entry);
        transaction.commit();
    });
    return result;
}

void SqlStore::moveWatermark(Session& session, const BatchCommit& batch) {
    std::string source = batch.raw.source;
    std::string next = batch.new_watermark;
    std::string updated_at = nowIso();
    std::size_t moved = 0;
    if (batch.expected_watermark) {
        std::string expected = *batch.expected_watermark;
        Statement update(session);
        update << sql("UPDATE source_state SET watermark = ?, updated_at = ? WHERE source = ? AND watermark = ?"),
            use(next), use(updated_at), use(source), use(expected);
        moved = update.execute();
    } else {
        Statement insert(session);
        insert << sql(
            "INSERT INTO source_state (source, watermark, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (source) DO NOTHING"),
            use(source), use(next), use(updated_at);
        moved = insert.execute();
    }
    if (moved == 1) {
        return;
    }
    std::vector<std::string> current;
    session << sql("SELECT watermark FROM source_state WHERE source = ?"), use(source), into(current), now;
    const std::string expected_text = batch.expected_watermark ? utf8::quote(*batch.expected_watermark, 80) : "none";
    const std::string found_text = current.empty() ? "none" : utf8::quote(current.front(), 80);
    throw GatewayError(ErrorCode::Conflict, "the watermark of source " + utf8::quote(source) +
                                                " moved meanwhile: expected " + expected_text + ", found " +
                                                found_text + "; nothing was committed");
}

std::int64_t SqlStore::insertRawBatch(Session& session, const RawBatch& raw, const std::string& stored_payload) {
    std::string source = raw.source;
    std::string received_at = raw.received_at;
    std::string sha256 = raw.sha256;
    Poco::Int64 record_count = raw.record_count;
    Poco::Data::BLOB payload = toBlob(stored_payload);
    Poco::Int64 id = 0;
    // Poco binds an empty BLOB as NULL.
    const std::string empty_blob = "CAST('' AS " + std::string(tokens().blob) + ")";
    session << sql(
        "INSERT INTO raw_batches (source, received_at, sha256, record_count, payload) "
        "VALUES (?, ?, ?, ?, COALESCE(?, " +
        empty_blob + ")) RETURNING id"),
        use(source), use(received_at), use(sha256), use(record_count), use(payload), into(id), now;
    return id;
}

std::optional<std::string> SqlStore::watermark(std::string_view source) {
    std::optional<std::string> result;
    withSession("read the watermark of " + std::string(source), [&](Session& session) {
        std::string key(source);
        std::vector<std::string> found;
        session << sql("SELECT watermark FROM source_state WHERE source = ?"), use(key), into(found), now;
        if (!found.empty()) {
            result = found.front();
        }
    });
    return result;
}

std::optional<StagedRecord> SqlStore::sourceRecord(std::string_view source, std::string_view source_id) {
    std::optional<StagedRecord> result;
    withSession("read record " + std::string(source_id) + " of " + std::string(source), [&](Session& session) {
        std::string key_source(source);
        std::string key_id(source_id);
        std::vector<std::string> observed;
        std::vector<std::string> json;
        std::vector<std::string> hashes;
        std::vector<Poco::Int64> versions;
        std::vector<Poco::Int64> batch_ids;
        session << sql(
            "SELECT observed_at, record_json, content_hash, version, batch_id FROM source_records "
            "WHERE source = ? AND source_id = ?"),
            use(key_source), use(key_id), into(observed), into(json), into(hashes), into(versions), into(batch_ids),
            now;
        if (!observed.empty()) {
            result =
                StagedRecord{key_source, key_id, observed[0], std::move(json[0]), hashes[0], versions[0], batch_ids[0]};
            unsealRecord(*result);
        }
    });
    return result;
}

std::int64_t SqlStore::countSourceRecords(std::string_view source) {
    Poco::Int64 count = 0;
    withSession("count the records of " + std::string(source), [&](Session& session) {
        std::string key(source);
        session << sql("SELECT COUNT(*) FROM source_records WHERE source = ?"), use(key), into(count), now;
    });
    return count;
}

std::vector<QuarantinedRecord> SqlStore::quarantined(std::string_view source, std::size_t limit) {
    std::vector<QuarantinedRecord> result;
    withSession("read the quarantine of " + std::string(source), [&](Session& session) {
        std::string key(source);
        Poco::Int64 max_rows = rowLimit(limit);
        std::vector<Poco::Int64> batch_ids;
        std::vector<std::string> locators;
        std::vector<Poco::Data::BLOB> payloads;
        std::vector<std::string> reasons;
        std::vector<std::string> batch_hashes;
        session << sql(
            "SELECT q.batch_id, q.locator, q.raw_payload, q.reason, b.sha256 FROM quarantine AS q "
            "JOIN raw_batches AS b ON b.id = q.batch_id WHERE q.source = ? ORDER BY q.id LIMIT ?"),
            use(key), use(max_rows), into(batch_ids), into(locators), into(payloads), into(reasons), into(batch_hashes),
            now;
        result.reserve(batch_ids.size());
        for (std::size_t i = 0; i < batch_ids.size(); ++i) {
            const std::string row = sealedRow({key, batch_hashes[i], locators[i]});
            result.push_back({key, locators[i], unseal(fromBlob(payloads[i]), sealed::kQuarantinePayload, row),
                              unseal(std::move(reasons[i]), sealed::kQuarantineReason, row), batch_ids[i]});
        }
    });
    return result;
}

std::optional<RawBatch> SqlStore::rawBatch(std::int64_t batch_id) {
    std::optional<RawBatch> result;
    withSession("read raw batch " + std::to_string(batch_id), [&](Session& session) {
        Poco::Int64 id = batch_id;
        std::vector<std::string> sources;
        std::vector<std::string> received;
        std::vector<std::string> hashes;
        std::vector<Poco::Int64> counts;
        std::vector<Poco::Data::BLOB> payloads;
        session << sql("SELECT source, received_at, sha256, record_count, payload FROM raw_batches WHERE id = ?"),
            use(id), into(sources), into(received), into(hashes), into(counts), into(payloads), now;
        if (!sources.empty()) {
            std::string payload =
                unseal(fromBlob(payloads[0]), sealed::kRawPayload, sealedRow({sources[0], hashes[0]}));
            result = RawBatch{sources[0], received[0], std::move(payload), hashes[0], counts[0]};
        }
    });
    return result;
}

std::int64_t SqlStore::countRawBatches(std::string_view source) {
    Poco::Int64 count = 0;
    withSession("count the raw batches of " + std::string(source), [&](Session& session) {
        std::string key(source);
        session << sql("SELECT COUNT(*) FROM raw_batches WHERE source = ?"), use(key), into(count), now;
    });
    return count;
}

std::int64_t SqlStore::startSyncRun(const SyncRun& run) {
    const auto where = [&] { return "sync run of " + utf8::quote(run.source); };
    requireText("source", run.source, where);
    requireText("node", run.node, where);
    requireText("trigger", run.trigger, where);
    requireText("started_at", run.started_at, where);
    Poco::Int64 id = 0;
    withSession("record the start of a sync run", [&](Session& session) {
        WriteTransaction transaction(*this, session);
        std::string source = run.source;
        std::string node = run.node;
        std::string trigger = run.trigger;
        std::string started_at = run.started_at;
        session << sql(
            "INSERT INTO sync_runs (source, node, trigger_kind, started_at, status) VALUES (?, ?, ?, ?, 'running') "
            "RETURNING id"),
            use(source), use(node), use(trigger), use(started_at), into(id), now;
        transaction.commit();
    });
    return id;
}

void SqlStore::finishSyncRun(const SyncRun& run) {
    const auto where = [&] { return "sync run " + std::to_string(run.id); };
    requireText("finished_at", run.finished_at, where);
    requireText("status", run.status, where);
    requireText("error", run.error, where);
    withSession("record the end of a sync run", [&](Session& session) {
        WriteTransaction transaction(*this, session);
        Poco::Int64 id = run.id;
        std::string finished_at = run.finished_at;
        std::string status = run.status;
        Poco::Int64 batches = run.batches;
        Poco::Int64 pulled = run.pulled;
        Poco::Int64 inserted = run.inserted;
        Poco::Int64 updated = run.updated;
        Poco::Int64 unchanged = run.unchanged;
        Poco::Int64 quarantined = run.quarantined;
        std::string error = run.error;
        Statement update(session);
        update << sql(
            "UPDATE sync_runs SET finished_at = ?, status = ?, batches = ?, pulled = ?, inserted = ?, updated = ?, "
            "unchanged = ?, quarantined = ?, error = ? WHERE id = ?"),
            use(finished_at), use(status), use(batches), use(pulled), use(inserted), use(updated), use(unchanged),
            use(quarantined), use(error), use(id);
        if (update.execute() != 1) {
            throw GatewayError(ErrorCode::NotFound, description() + ": no sync run " + std::to_string(run.id));
        }

        insertLogEntry(session, {0, run.finished_at, run.node, "sync.run", run.source, syncRunDetail(run)});
        transaction.commit();
    });
}

std::optional<SyncRun> SqlStore::readSyncRun(Session& session, const std::string& condition,
                                             const std::string& source) {
    std::string key = source;
    std::vector<Poco::Int64> ids;
    std::vector<std::string> nodes;
    std::vector<std::string> triggers;
    std::vector<std::string> started;
    std::vector<std::string> finished;
    std::vector<std::string> statuses;
    std::vector<Poco::Int64> batches;
    std::vector<Poco::Int64> pulled;
    std::vector<Poco::Int64> inserted;
    std::vector<Poco::Int64> updated;
    std::vector<Poco::Int64> unchanged;
    std::vector<Poco::Int64> quarantined;
    std::vector<std::string> errors;
    session << sql(
        "SELECT id, node, trigger_kind, started_at, COALESCE(finished_at, ''), status, batches, pulled, inserted, "
        "updated, "
        "unchanged, quarantined, error FROM sync_runs WHERE source = ? " +
        condition + " ORDER BY id DESC LIMIT 1"),
        use(key), into(ids), into(nodes), into(triggers), into(started), into(finished), into(statuses), into(batches),
        into(pulled), into(inserted), into(updated), into(unchanged), into(quarantined), into(errors), now;
    if (ids.empty()) {
        return std::nullopt;
    }
    SyncRun run;
    run.id = ids[0];
    run.source = source;
    run.node = nodes[0];
    run.trigger = triggers[0];
    run.started_at = started[0];
    run.finished_at = finished[0];
    run.status = statuses[0];
    run.batches = batches[0];
    run.pulled = pulled[0];
    run.inserted = inserted[0];
    run.updated = updated[0];
    run.unchanged = unchanged[0];
    run.quarantined = quarantined[0];
    run.error = errors[0];
    return run;
}

SourceSummary SqlStore::sourceSummary(std::string_view source) {
    SourceSummary summary;
    summary.source = std::string(source);
    withSession("summarise source " + std::string(source), [&](Session& session) {
        std::string key(source);
        std::vector<std::string> watermarks;
        std::vector<std::string> updated_at;
        session << sql("SELECT watermark, updated_at FROM source_state WHERE source = ?"), use(key), into(watermarks),
            into(updated_at), now;
        if (!watermarks.empty()) {
            summary.watermark = watermarks[0];
            summary.watermark_updated_at = updated_at[0];
        }
        Poco::Int64 records = 0;
        Poco::Int64 quarantined = 0;
        Poco::Int64 batches = 0;
        session << sql("SELECT COUNT(*) FROM source_records WHERE source = ?"), use(key), into(records), now;
        session << sql("SELECT COUNT(*) FROM quarantine WHERE source = ?"), use(key), into(quarantined), now;
        session << sql("SELECT COUNT(*) FROM raw_batches WHERE source = ?"), use(key), into(batches), now;
        summary.records = records;
        summary.quarantined = quarantined;
        summary.raw_batches = batches;
        summary.last_run = readSyncRun(session, "", key);
        summary.last_failure = readSyncRun(session, "AND status = 'failed'", key);
    });
    return summary;
}

std::int64_t SqlStore::countQuarantined(std::string_view source) {
    Poco::Int64 count = 0;
    withSession("count the quarantine of " + std::string(source), [&](Session& session) {
        std::string key(source);
        session << sql("SELECT COUNT(*) FROM quarantine WHERE source = ?"), use(key), into(count), now;
    });
    return count;
}

}  // namespace gateway::store
