#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::store {

enum class StoreKind { Sqlite, Postgresql };

/// Parsed from the `store.*` configuration keys.
struct StoreSettings {
    StoreKind kind = StoreKind::Sqlite;
    std::string sqlite_path;            // file path; created with its schema if missing
    int busy_timeout_ms = 5000;         // how long SQLite waits on a lock held by another connection
    std::string postgresql_connection;  // libpq keyword/value string, e.g. "host=127.0.0.1 port=5432 dbname=gw"
    int pool_size = 4;                  // connections kept open
};

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

/// One applied migration, as recorded in schema_migrations.
struct AppliedMigration {
    int version = 0;
    std::string name;
    std::string applied_at;  // ISO-8601 UTC
};

struct CommitResult {
    std::int64_t batch_id = 0;
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::int64_t quarantined = 0;
};

/// One line of the exchange log (a plain table until the audit module chains and signs it).
struct ExchangeLogEntry {
    std::int64_t seq = 0;  // filled on read
    std::string at;        // ISO-8601 UTC
    std::string actor;
    std::string action;   // e.g. "source.pull"
    std::string subject;  // e.g. the source name or a person id
    std::string detail_json;
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

/// The gateway's persistent state. Implementations are thread-safe: each call takes a pooled connection.
/// Failures to reach the database throw GatewayError(StoreUnavailable); rejected statements throw
/// GatewayError(StoreError); a lost optimistic race throws GatewayError(Conflict).
class Store {
public:
    virtual ~Store() = default;

    virtual StoreKind kind() const = 0;

    /// Applies the pending numbered migrations in order, each in its own transaction, and records them.
    /// Safe to call from several nodes at once: only one applies each migration.
    virtual void migrate() = 0;

    /// The highest applied migration number; 0 on an empty database.
    virtual int schemaVersion() = 0;

    /// The applied migrations, lowest version first; empty on an empty database.
    virtual std::vector<AppliedMigration> appliedMigrations() = 0;

    /// Throws unless a trivial statement succeeds on a pooled connection.
    virtual void ping() = 0;

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

    /// Appends one entry outside any batch (configuration changes, start-up, reads) and returns its seq.
    virtual std::int64_t appendExchangeLog(const ExchangeLogEntry& entry) = 0;
    /// Entries with seq > after_seq, oldest first. Sequence numbers follow commit order, also across nodes
    /// sharing one PostgreSQL database, so a reader paging by seq never skips an entry committed later; they may
    /// have gaps (PostgreSQL does not reuse numbers of rolled-back transactions).
    virtual std::vector<ExchangeLogEntry> exchangeLog(std::int64_t after_seq, std::size_t limit) = 0;

    /// Records the start of a run (status "running") and returns its id.
    virtual std::int64_t startSyncRun(const SyncRun& run) = 0;
    /// Records the end of run `run.id` (status, counts, error) and appends a "sync.run" entry to the exchange
    /// log, in one transaction.
    virtual void finishSyncRun(const SyncRun& run) = 0;
    virtual SourceSummary sourceSummary(std::string_view source) = 0;
    virtual std::int64_t countQuarantined(std::string_view source) = 0;

    /// Takes or renews the lease on `job` for `holder` until `expires_at` if it is free, expired (its expiry is
    /// before `now`) or already held by `holder`. Returns whether `holder` holds it now. Times are ISO-8601 UTC.
    virtual bool claimLease(std::string_view job, std::string_view holder, std::string_view now,
                            std::string_view expires_at) = 0;
    /// Gives the lease up if `holder` holds it.
    virtual void releaseLease(std::string_view job, std::string_view holder) = 0;
    /// Who holds the lease on `job` (expired or not), if anyone.
    virtual std::optional<std::string> leaseHolder(std::string_view job) = 0;
    /// Moves the lease from `from_holder` (known to be dead) to `to_holder`; false if someone else holds it by now.
    virtual bool takeOverLease(std::string_view job, std::string_view from_holder, std::string_view to_holder,
                               std::string_view expires_at) = 0;
};

/// Opens the configured store (creating the SQLite file if needed) without migrating it.
/// Throws GatewayError(StoreUnavailable) with a one-line reason if it cannot.
std::unique_ptr<Store> openStore(const StoreSettings& settings);

std::string_view storeKindName(StoreKind kind);

/// The highest migration number this build knows; migrate() brings a database to it.
int latestSchemaVersion();

}  // namespace gateway::store
