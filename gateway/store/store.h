#pragma once

#include <cstdint>
#include <functional>
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

/// Which person a staged source record belongs to, as the last link run (or a review decision) left it.
struct PersonLink {
    std::string source;
    std::string source_id;
    std::string person_id;

    friend bool operator==(const PersonLink&, const PersonLink&) = default;
};

/// A candidate pair the matcher could not settle: its score fell in the review band, or it conflicted with
/// another link. `pair_id` is stable for the two records (see reviewPairId), so re-runs update, never duplicate.
struct ReviewItem {
    std::int64_t seq = 0;  // filled on read: queue order, the cursor of reviewQueue
    std::string pair_id;
    std::string left_source;
    std::string left_id;
    std::string right_source;
    std::string right_id;
    double weight = 0;             // the pair's match weight (bits)
    std::string reason;            // "review_band", "conflict" or "ambiguous", as the matcher wrote it
    std::string explanation_json;  // the comparison levels and weights, as the matcher wrote it
    std::string status;            // "open", "decided" or "obsolete" (no longer a candidate after a later run)
    std::string created_at;        // ISO-8601 UTC
    std::string decision;          // "link" or "no_link" once decided, else empty
    std::string reviewer;
    std::string comment;
    std::string decided_at;
};

/// What one link run writes, in one transaction: changed person assignments, the review candidates it found, the
/// model it used, and how far through the staged records it has linked.
struct LinkRunCommit {
    std::vector<PersonLink> assignments;  // upserted by (source, source_id)
    /// Upserted by pair_id: a new pair is inserted "open"; an open pair gets the new weight, reason and
    /// explanation; a decided pair is left as it is (the matcher never overrides a reviewer).
    std::vector<ReviewItem> review;
    /// When set (a full run), open pairs not in `review` become "obsolete".
    bool replace_open_review = false;
    std::string model_json;  // the estimated parameters, kept for explanations
    std::int64_t linked_through_batch = 0;
    std::string at;           // ISO-8601 UTC
    std::string actor;        // for the exchange log
    std::string detail_json;  // counts, for the "link.run" exchange-log entry
};

/// Where linking stands: the raw batch up to which staged records have been linked, and the last model.
struct LinkState {
    std::int64_t linked_through_batch = 0;
    std::string model_json;  // empty before the first run
    std::string linked_at;   // ISO-8601 UTC; empty before the first run
};

/// A reviewer's decision on one pair.
struct ReviewDecision {
    std::string pair_id;
    std::string decision;  // "link" or "no_link"
    std::string reviewer;
    std::string comment;
    std::string at;  // ISO-8601 UTC
};

/// The stable identifier of the pair of records (a, b), the same whichever order they are given in:
/// the first 16 hex digits of SHA-256 over the two "source\x1fsource_id" keys, sorted, joined by \x1e.
std::string reviewPairId(std::string_view a_source, std::string_view a_id, std::string_view b_source,
                         std::string_view b_id);

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

    /// Calls `visit` for every staged record whose last change came in a raw batch after `after_batch_id`,
    /// in (source, source_id) order, streaming (not all in memory at once). Returns the highest batch id seen
    /// among all staged records (0 when there are none), read in the same snapshot.
    virtual std::int64_t forEachStagedRecord(std::int64_t after_batch_id,
                                             const std::function<void(const StagedRecord&)>& visit) = 0;

    /// Every person assignment, in (source, source_id) order.
    virtual std::vector<PersonLink> personLinks() = 0;
    /// The person a record belongs to, if linked.
    virtual std::optional<std::string> personOf(std::string_view source, std::string_view source_id) = 0;
    /// The records of one person, in (source, source_id) order; empty for an unknown person.
    virtual std::vector<PersonLink> personRecords(std::string_view person_id) = 0;

    /// Writes a link run (see LinkRunCommit) and appends a "link.run" exchange-log entry, in one transaction.
    virtual void commitLinkRun(const LinkRunCommit& run) = 0;
    virtual LinkState linkState() = 0;

    /// Review pairs with seq > after_seq in seq order; `status` empty means any status.
    virtual std::vector<ReviewItem> reviewQueue(std::string_view status, std::int64_t after_seq, std::size_t limit) = 0;
    virtual std::optional<ReviewItem> reviewItem(std::string_view pair_id) = 0;
    /// Every decided pair, for the matcher to obey.
    virtual std::vector<ReviewItem> reviewDecisions() = 0;
    /// Records the decision on an existing pair (NotFound otherwise; a pair may be decided again, the last
    /// decision counts), applies `assignments` (the person changes the decision implies), and appends a
    /// "review.decision" exchange-log entry with the pair, decision, reviewer and comment, in one transaction.
    /// Returns the updated item.
    virtual ReviewItem decideReview(const ReviewDecision& decision, const std::vector<PersonLink>& assignments) = 0;

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
