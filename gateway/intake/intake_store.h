#pragma once

// What intake stores: raw batches as received, the staged records and quarantined rows mapped from them, the
// sources' watermarks and sync runs. The store implements it (gateway/store/); the sync job uses it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::intake {

/// One pull from a source, as received, before mapping. Kept so that any staged record can be traced to the
/// bytes it came from.
struct RawBatch {
    std::string source;
    std::string received_at;  // ISO-8601 UTC, e.g. 2026-11-01T08:00:00.000Z
    std::string payload;      // the bytes received (may be large; may be any encoding)
    std::string sha256;       // lower-case hex SHA-256 of payload
    std::int64_t record_count = 0;
};

/// A canonical source record (DESIGN §4) as staged: the JSON plus the keys the store indexes.
struct StagedRecord {
    std::string source;
    std::string source_id;
    std::string observed_at;    // ISO-8601 UTC
    std::string record_json;    // the canonical record, compact JSON
    std::string content_hash;   // lower-case hex SHA-256 of record_json; an unchanged hash is not a change
    std::int64_t version = 0;   // filled on read: 1 on first staging, +1 on each change
    std::int64_t batch_id = 0;  // filled on read: the raw batch that last changed it
};

/// A row that could not be mapped, kept whole with the reason.
struct QuarantinedRecord {
    std::string source;
    std::string locator;        // where in the batch: row number, record id, file and line
    std::string raw_payload;    // the row as received
    std::string reason;         // precise, human-readable
    std::int64_t batch_id = 0;  // filled on read
};

/// Everything one pull produced, committed in one transaction together with the new watermark.
struct BatchCommit {
    RawBatch raw;
    std::vector<StagedRecord> records;
    std::vector<QuarantinedRecord> quarantined;
    /// The watermark the caller started from; the commit fails with ErrorCode::Conflict if another node has
    /// moved it meanwhile. nullopt means "no watermark yet".
    std::optional<std::string> expected_watermark;
    std::string new_watermark;
    std::string actor;  // who ran the pull, for the exchange log
};

struct CommitResult {
    std::int64_t batch_id = 0;
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::int64_t quarantined = 0;
};

/// One run of a source's sync job, as `gateway sources` reports it.
struct SyncRun {
    std::int64_t id = 0;  // assigned by startSyncRun
    std::string source;
    std::string node;         // which gateway process ran it (host:pid)
    std::string trigger;      // "cli" or "schedule"
    std::string started_at;   // ISO-8601 UTC
    std::string finished_at;  // empty while running
    std::string status;       // running, succeeded or failed
    std::int64_t batches = 0;
    std::int64_t pulled = 0;
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::int64_t quarantined = 0;
    std::string error;  // the failure, one line; empty on success
};

/// What the store knows of one source.
struct SourceSummary {
    std::string source;
    std::optional<std::string> watermark;
    std::string watermark_updated_at;
    std::int64_t records = 0;
    std::int64_t quarantined = 0;
    std::int64_t raw_batches = 0;
    std::optional<SyncRun> last_run;
    std::optional<SyncRun> last_failure;
};

/// Staging: one pull committed whole with its watermark, and what is staged per source.
/// Implementations are thread-safe: each call takes a pooled connection. Failures to reach the database throw
/// GatewayError(StoreUnavailable); rejected statements throw GatewayError(StoreError); a lost optimistic race throws
/// GatewayError(Conflict).
class IntakeStore {
public:
    virtual ~IntakeStore() = default;

    /// Stores the raw batch, upserts the records, stores the quarantined rows, appends a "source.pull" entry to
    /// the exchange log and moves the source's watermark — all in one transaction, or none of it.
    /// Every record and quarantined row must belong to batch.raw.source, and no source_id may appear twice
    /// (the database rejects the whole batch). Text fields must be well-formed UTF-8 without NUL bytes
    /// (InvalidArgument otherwise); payloads are bytes and kept as received. The log entry is dated
    /// batch.raw.received_at and its detail holds the counts, the payload's sha256 and the watermarks.
    virtual CommitResult commitBatch(const BatchCommit& batch) = 0;

    virtual std::optional<std::string> watermark(std::string_view source) = 0;
    virtual std::optional<StagedRecord> sourceRecord(std::string_view source, std::string_view source_id) = 0;
    virtual std::int64_t countSourceRecords(std::string_view source) = 0;
    /// The source's quarantined rows, oldest first.
    virtual std::vector<QuarantinedRecord> quarantined(std::string_view source, std::size_t limit) = 0;
    virtual std::optional<RawBatch> rawBatch(std::int64_t batch_id) = 0;
    virtual std::int64_t countRawBatches(std::string_view source) = 0;

    /// Records the start of a run (status "running") and returns its id.
    virtual std::int64_t startSyncRun(const SyncRun& run) = 0;
    /// Records the end of run `run.id` (status, counts, error) and appends a "sync.run" entry to the exchange
    /// log, in one transaction.
    virtual void finishSyncRun(const SyncRun& run) = 0;
    virtual SourceSummary sourceSummary(std::string_view source) = 0;
    virtual std::int64_t countQuarantined(std::string_view source) = 0;
};

}  // namespace gateway::intake
