#pragma once

#include "gateway/audit/checkpoint.h"
#include "gateway/audit/entry.h"
#include "gateway/common/clock.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::vault {
class FieldCipher;
}

namespace gateway::store {

enum class StoreKind { Sqlite, Postgresql };

/// Parsed from the `store.*` configuration keys.
struct StoreSettings {
    StoreKind kind = StoreKind::Sqlite;
    std::string sqlite_path;            // file path; created with its schema if missing
    int busy_timeout_ms = 5000;         // how long SQLite waits on a lock held by another connection
    std::string postgresql_connection;  // libpq keyword/value string, e.g. "host=127.0.0.1 port=5432 dbname=gw"
    int pool_size = 4;                  // connections kept open
    std::string log_hash = "sha256";    // what a new exchange log is chained with: sha256 or sm3
    /// Seals the columns that hold citizen and guardian ID numbers and phone numbers (see sealedColumns()) on write
    /// and opens them on read; nullptr stores them as plaintext. Values written without one still read with one.
    std::shared_ptr<const vault::FieldCipher> cipher{};
    /// What the store stamps its rows and log entries with when the caller gives no time; nullptr is the system
    /// clock.
    std::shared_ptr<const Clock> clock{};
};

/// One column whose values the store seals when it has a cipher, named "table.column": also the context its values
/// are sealed for, so that a value moved to another column fails to open.
struct SealedColumn {
    std::string_view table;
    std::string_view column;
    std::string_view context;  // what its values are sealed for: "table.column", shared by the two id_number columns
    std::string_view key1;     // the primary key: one column, or two
    std::string_view key2;
    bool blob = false;  // a column of bytes rather than text
    /// SQL expressions over the row (text) whose values, in order, are the parts of the row a value is bound to (see
    /// sealedRow()): the primary key where it is known when the value is sealed, else a natural key.
    std::vector<std::string_view> row;
};

/// Every column that can hold a citizen ID, a guardian's ID or a phone number: raw payloads and quarantined rows
/// (whole, and the reason, which may quote a rejected ID), staged record JSON, the linkage model (term frequencies of
/// values shared by several records) and review explanations (the values compared), profile JSON and the profile's ID
/// number.
const std::vector<SealedColumn>& sealedColumns();

/// How the values of one sealed column are stored.
struct SealedColumnCount {
    std::string column;                        // "table.column"
    std::int64_t plaintext = 0;                // not sealed (written without a cipher); empty values not counted
    std::int64_t unbound = 0;                  // sealed before values were bound to their rows ("e1:"/"z1:")
    std::map<std::string, std::int64_t> keys;  // key id -> values sealed under it
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

/// One line of the exchange log, numbered and chained by the store as it appends it.
using ExchangeLogEntry = audit::LogEntry;

/// Filters on the exchange log; empty ones match everything.
struct ExchangeLogQuery {
    std::string actor{};
    std::string action{};  // exact, or a family ending in '.': "api." matches every API read
    std::string person{};  // the entry's subject, or one of the persons it names
    std::string from{};    // at >= from (ISO-8601 UTC, any prefix of it: "2026" is the start of 2026)
    std::string to{};      // at < to
    std::int64_t after_seq = 0;
    std::size_t limit = 100;
    bool with_persons = true;  // read the persons each entry names
};

/// The last entry of the exchange log.
struct LogHead {
    std::int64_t seq = 0;  // 0 for an empty log
    std::string hash;      // its chain hash; empty for an empty log
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
    std::string reason;            // "review_band", "conflict" or "ambiguous" as the matcher wrote it; "reviewer"
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

/// One version of a child's profile, as the profile builder wrote it. The indexed columns repeat what the JSON holds
/// so that queries need not parse it.
struct ProfileVersion {
    std::string person_id;
    std::int64_t version = 0;                  // filled by commitProfiles: 1 for a new profile, +1 on each change
    std::string built_at;                      // ISO-8601 UTC
    std::string profile_json;                  // the whole profile
    std::string content_hash;                  // lower-case hex SHA-256 of profile_json without its volatile parts
    std::string name;                          // survivor values, for lookup
    std::string id_number;                     // 18 characters, or empty
    std::string birth_date;                    // YYYY-MM-DD, or empty
    std::string residence_division;            // 12 digits, or empty
    std::string hukou_division;                // 12 digits, or empty
    std::vector<std::string> classifications;  // codes, e.g. "left_behind"
    std::vector<std::string> alerts;           // codes, e.g. "unsupervised_under_16"
    bool removed = false;        // the person left every view: its records went to other persons, or it came of age
    std::string removed_reason;  // with removed: "gone" (records went elsewhere) or "adult"; "" otherwise
    std::string removed_on;      // with removed: the as-of date (YYYY-MM-DD) of the build that removed it
    /// Written with the version's outbox entry only (not kept in the profile tables): "" or a JSON object saying
    /// that records moved between persons, e.g. {"kind":"merge","persons":["P2"]} (see the profile job).
    std::string correction_json;
};

/// What purgeProfiles erased for one person.
struct PurgeOutcome {
    std::string person_id;
    std::string removed_on;         // the date the profile was removed as adult
    std::int64_t versions = 0;      // earlier versions whose content was erased
    std::int64_t records = 0;       // staged records deleted
    std::int64_t review_pairs = 0;  // review pairs whose explanation was erased
};

/// Filters of queryProfiles; empty fields do not filter. Current versions only, ordered by person_id.
struct ProfileQuery {
    std::string division_prefix;    // residence_division starts with it
    std::string classification;     // holds this code
    std::string alert;              // holds this code
    std::string born_after;         // birth_date > this (YYYY-MM-DD), for a maximum age
    std::string born_on_or_before;  // birth_date <= this, for a minimum age
    std::string updated_since;      // built_at >= this
    std::string id_number;          // exact
    std::string after_person;       // cursor: person_id > this
    bool include_removed = false;
    bool with_profile_json = true;  // false: profile_json is left empty (a list needs only the indexed columns)
    std::size_t limit = 100;
};

/// Counts of current, non-removed profiles per classification and per alert, for one division prefix.
struct DivisionCounts {
    std::string division_prefix;
    std::int64_t children = 0;
    std::map<std::string, std::int64_t> classifications;
    std::map<std::string, std::int64_t> alerts;
};

/// One record that a link run or a review decision moved from one existing person to another: what the profile
/// builder turns into split and merge corrections.
struct PersonMove {
    std::int64_t seq = 0;
    std::string source;
    std::string source_id;
    std::string from_person;
    std::string to_person;
    std::string at;  // ISO-8601 UTC
};

/// Where profile building stands: what the last build covered, so that the next one rebuilds only what changed.
struct ProfileState {
    std::int64_t moves_through = 0;        // personMoves read into corrections
    std::int64_t built_through_batch = 0;  // linked records of raw batches up to this are in the profiles
    std::string as_of;                     // YYYY-MM-DD the profiles were built on; "" before the first build
};

/// One profile change to publish, written by commitProfiles in the same transaction as the version. Push subscribers
/// and the changes feed read the entries in seq order, which is commit order.
struct OutboxEntry {
    std::int64_t seq = 0;
    std::string person_id;
    std::int64_t version = 0;
    std::string division;           // residence division of this version ("" for a removal)
    std::string previous_division;  // residence division of the version before ("" for a first version)
    bool removed = false;
    std::string correction_json;  // as ProfileVersion::correction_json
    std::string created_at;       // ISO-8601 UTC
    std::string profile_json;     // the version's whole profile, read with the entry
    bool removed_now = false;     // the person's current version is a removal (of age, or gone)
};

/// Where one push subscriber stands.
struct PushState {
    std::string subscriber;
    std::int64_t delivered_through = 0;  // outbox seq up to which everything is delivered or dead-lettered
    std::int64_t delivered = 0;          // events delivered so far
    int attempts = 0;                    // failed attempts in a row (the backoff grows with them)
    int refusals = 0;                    // of which the subscriber answered with an error, at the current batch
    std::string next_attempt_at;         // ISO-8601 UTC; "" means now
    std::string last_error;
    std::string last_success_at;
    std::int64_t dead_letters = 0;  // entries in the dead state now
    std::int64_t redeliveries = 0;  // dead letters an operator asked to send again, not yet sent
};

/// An outbox entry a subscriber did not accept within its attempts.
struct DeadLetter {
    std::string subscriber;
    std::int64_t outbox_seq = 0;
    std::string person_id;
    std::int64_t version = 0;
    int attempts = 0;
    std::string error;
    std::string dead_at;
    std::string status;  // "dead", "redeliver" (asked for again) or "redelivered"
};

/// What one delivery attempt for a subscriber changes, written in one transaction with its exchange-log entry.
struct PushOutcome {
    std::string subscriber;
    std::int64_t delivered_through = 0;     // the new cursor (the old one after a failure)
    std::int64_t delivered = 0;             // events accepted now
    int attempts = 0;                       // failed attempts in a row after this outcome (0 after success)
    int refusals = 0;                       // refused attempts at the current batch after this outcome
    std::string next_attempt_at;            // when to try again ("" = at once)
    std::string error;                      // this attempt's failure, "" on success
    std::vector<std::int64_t> dead;         // outbox seqs that become dead letters (their attempts are spent)
    std::vector<std::int64_t> redelivered;  // dead letters delivered by this attempt
    std::string at;                         // ISO-8601 UTC
    ExchangeLogEntry log;                   // appended when its action is not empty
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
    /// Every append, here and in the transactions that log what they do, numbers the entries 1, 2, 3 … in commit
    /// order without gaps and chains each to the one before (audit/chain.h), under one lock: nodes sharing one
    /// PostgreSQL database extend one chain, never a fork.
    virtual std::int64_t appendExchangeLog(const ExchangeLogEntry& entry) = 0;
    /// Appends the entries in one transaction, in order, and returns the last one's seq (0 if none).
    virtual std::int64_t appendExchangeLog(const std::vector<ExchangeLogEntry>& entries) = 0;
    /// Entries with seq > after_seq, oldest first, with their hashes and persons: what verifying the chain reads.
    virtual std::vector<ExchangeLogEntry> exchangeLog(std::int64_t after_seq, std::size_t limit) = 0;
    /// Entries matching the query, oldest first, each with the persons it names. Entries the log index has not
    /// reached yet are matched too, row by row.
    virtual std::vector<ExchangeLogEntry> searchExchangeLog(const ExchangeLogQuery& query) = 0;
    /// Indexes the actor, action, subject and persons of up to `max_entries` entries after the last indexed one, in
    /// one transaction, and returns how many it indexed (0 when the index is up to date). Appends never wait for
    /// the index: it is built after them in large sorted runs, and several nodes may call this at once.
    virtual std::int64_t indexExchangeLog(std::size_t max_entries) = 0;
    /// The last entry the log index covers (0 for none).
    virtual std::int64_t exchangeLogIndexed() = 0;
    /// Calls `visit` with every term the log index holds for entries first_seq … last_seq, in term order, a page at a
    /// time: a walk of the whole index, which is what checking it against the entries reads.
    virtual void forEachLogTerm(std::int64_t first_seq, std::int64_t last_seq,
                                const std::function<void(const std::string& term, std::int64_t seq)>& visit) = 0;
    /// Empties the log index, for indexExchangeLog to build again from entry 1. Searches stay complete meanwhile:
    /// they read the entries the index has not reached row by row.
    virtual void clearExchangeLogIndex() = 0;
    virtual std::optional<ExchangeLogEntry> exchangeLogEntry(std::int64_t seq) = 0;
    /// The stored hashes of entries after_seq + 1 … after_seq + limit, in seq order (fewer at the end of the log).
    virtual std::vector<std::string> exchangeLogHashes(std::int64_t after_seq, std::size_t limit) = 0;
    virtual LogHead exchangeLogHead() = 0;
    /// What the log is chained with ("sha256" or "sm3"), fixed by its first entry; nullopt while it is empty.
    virtual std::optional<std::string> exchangeLogAlgorithm() = 0;
    /// The first entry whose hash covers the persons it names (see audit::ChainFormat): 1, unless the log was begun
    /// by a version that did not hash them.
    virtual std::int64_t exchangeLogPersonsFrom() = 0;

    /// Roots of the log's Merkle tree over whole blocks of audit::kBlockLeaves entries, from `first_block` on and
    /// while they are stored without a gap, at most `limit`: a cache that lets a proof read O(log n) hashes. Never
    /// trusted: a proof built from them is checked against its signed root.
    virtual std::vector<std::string> logBlockRoots(std::int64_t first_block, std::size_t limit) = 0;
    /// Stores the roots of blocks first_block, first_block + 1, …; a block already stored keeps its root.
    virtual void storeLogBlockRoots(std::int64_t first_block, const std::vector<std::string>& roots) = 0;

    /// Stores a signed checkpoint. Conflict if one of that size exists.
    virtual void appendCheckpoint(const audit::Checkpoint& checkpoint) = 0;
    /// The checkpoints with min_size <= size <= max_size, smallest first.
    virtual std::vector<audit::Checkpoint> checkpoints(std::uint64_t min_size, std::uint64_t max_size) = 0;
    virtual std::optional<audit::Checkpoint> latestCheckpoint() = 0;
    /// The largest checkpoint of at most `size` entries / the smallest of at least `size`.
    virtual std::optional<audit::Checkpoint> checkpointAtMost(std::uint64_t size) = 0;
    virtual std::optional<audit::Checkpoint> checkpointAtLeast(std::uint64_t size) = 0;

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
    /// Adds a pair a reviewer asks about (any two staged records, e.g. to split a wrong merge) to the queue as "open",
    /// unless the pair is there already; returns the stored item either way. The item's seq, status and decision
    /// fields are ignored.
    virtual ReviewItem openReviewPair(const ReviewItem& item) = 0;
    /// Every decided pair, for the matcher to obey.
    virtual std::vector<ReviewItem> reviewDecisions() = 0;
    /// Records the decision on an existing pair (NotFound otherwise; a pair may be decided again, the last
    /// decision counts), applies `assignments` (the person changes the decision implies), and appends a
    /// "review.decision" exchange-log entry with the pair, decision, reviewer and comment (citizen ID and mobile
    /// numbers in it redacted, see redactPersonalNumbers()), in one transaction.
    /// Returns the updated item.
    virtual ReviewItem decideReview(const ReviewDecision& decision, const std::vector<PersonLink>& assignments) = 0;

    /// Writes the profiles whose content_hash differs from their current version as new versions (every version
    /// kept), skips the unchanged ones, and appends one "profile.version" exchange-log entry per written version
    /// (subject: person_id; detail: version and content hash), all in one transaction. Returns the versions
    /// written, with their version numbers filled, in the order given.
    /// A profile whose `removed` flag differs from its current version's is written even if its hash is the same.
    /// An empty built_at is filled with the commit time. Throws InvalidArgument, before writing anything, for an
    /// empty person_id or content_hash, a person_id given twice, text that is not well-formed UTF-8 or holds a
    /// NUL byte, or a classification or alert code that is empty or contains '|'.
    virtual std::vector<ProfileVersion> commitProfiles(const std::vector<ProfileVersion>& profiles,
                                                       std::string_view actor) = 0;
    /// The current version of a person's profile.
    virtual std::optional<ProfileVersion> profile(std::string_view person_id) = 0;
    /// Every version of a person's profile, oldest first.
    virtual std::vector<ProfileVersion> profileHistory(std::string_view person_id) = 0;
    /// Current versions matching every non-empty filter of `query`. Throws InvalidArgument for a division_prefix
    /// that is not all digits, or a filter that is not well-formed UTF-8.
    virtual std::vector<ProfileVersion> queryProfiles(const ProfileQuery& query) = 0;
    /// Counts for `division_prefix` itself and for each distinct residence-division prefix of `child_digits`
    /// digits below it (e.g. prefix "320411", child_digits 9: the district and each of its townships), in order.
    /// The first element is always there (zero counts for an empty division); there are no others when
    /// child_digits <= the prefix's length. Throws InvalidArgument unless the prefix is all digits.
    virtual std::vector<DivisionCounts> profileCounts(std::string_view division_prefix, std::size_t child_digits) = 0;
    /// Calls `visit` for every person with the staged records linked into it, in person_id order, streaming
    /// (one person's records in memory at a time).
    virtual void forEachPerson(
        const std::function<void(const std::string& person_id, const std::vector<StagedRecord>& records)>& visit) = 0;
    /// Person IDs with a current, non-removed profile, in order: what a rebuild must mark removed when the person
    /// no longer exists.
    virtual std::vector<std::string> profiledPersons() = 0;

    /// Persons whose profile was removed as adult on or before `removed_on_or_before` (YYYY-MM-DD) and not purged
    /// yet, in person_id order, at most `limit`.
    virtual std::vector<std::string> profilesToPurge(std::string_view removed_on_or_before, std::size_t limit) = 0;
    /// Purged persons with records staged again since (a source sent one again): each is linked back to its person
    /// and rebuilt into the same removal, so only the records need erasing. In person_id order, at most `limit`.
    /// Reads every purged person: once per purge run, not per batch.
    virtual std::vector<std::string> purgedWithRecords(std::size_t limit) = 0;
    /// Erases the personal data held about each person whose current profile is an adult's removal: the content of
    /// every earlier version (a stub holding the person ID takes the JSON's place; version numbers and content
    /// hashes stay), the person's staged records (their links stay, so a record staged again comes back to the
    /// same person and is purged again), and the explanations of review pairs that name one of those records (open
    /// ones become obsolete). One "profile.purge" exchange-log entry per person purged, all in one transaction.
    /// Other persons are skipped. Returns what was erased, per person purged, in person_id order.
    virtual std::vector<PurgeOutcome> purgeProfiles(const std::vector<std::string>& persons,
                                                    std::string_view actor) = 0;

    /// Records moved between persons with seq > after_seq, in seq order (see PersonMove). commitLinkRun and
    /// decideReview write them for every assignment that changes an existing one.
    virtual std::vector<PersonMove> personMoves(std::int64_t after_seq) = 0;
    /// Where profile building stands (zeros and "" before the first build), and moving it on.
    virtual ProfileState profileState() = 0;
    virtual void setProfileState(const ProfileState& state) = 0;
    /// Persons with a linked record that changed in a raw batch after `after_batch_id`, in order.
    virtual std::vector<std::string> personsChangedAfter(std::int64_t after_batch_id) = 0;
    /// As forEachPerson, for the given persons only (in person_id order; persons without records are not visited).
    virtual void forEachPersonIn(
        const std::vector<std::string>& persons,
        const std::function<void(const std::string& person_id, const std::vector<StagedRecord>& records)>& visit) = 0;

    /// Outbox entries with seq > after_seq whose division or previous division starts with `division_prefix` (all
    /// entries for ""), in seq order, at most `limit`. Throws InvalidArgument unless the prefix is all digits.
    virtual std::vector<OutboxEntry> outbox(std::int64_t after_seq, std::string_view division_prefix,
                                            std::size_t limit) = 0;
    /// The entries with these seqs, in seq order (unknown seqs are skipped).
    virtual std::vector<OutboxEntry> outboxEntries(const std::vector<std::int64_t>& seqs) = 0;
    /// The highest outbox seq, 0 when empty.
    virtual std::int64_t outboxHead() = 0;

    /// A subscriber's state; zeros for one never delivered to.
    virtual PushState pushState(std::string_view subscriber) = 0;
    /// Writes an attempt's outcome (see PushOutcome) in one transaction.
    virtual void commitPushOutcome(const PushOutcome& outcome) = 0;
    /// A subscriber's dead letters with outbox seq > after_seq, in seq order; `status` "" means any.
    virtual std::vector<DeadLetter> deadLetters(std::string_view subscriber, std::string_view status,
                                                std::int64_t after_seq, std::size_t limit) = 0;
    /// Marks the subscriber's dead letters (all when `seq` is nullopt, else that one) for redelivery and appends a
    /// "push.redeliver" exchange-log entry, in one transaction. Returns how many were marked.
    virtual std::int64_t requestRedelivery(std::string_view subscriber, std::optional<std::int64_t> seq,
                                           std::string_view actor) = 0;

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

    /// Whether the store seals personal data (StoreSettings::cipher).
    virtual bool sealsPersonalData() const = 0;
    /// Per sealed column, how many values are plaintext, how many are unbound tokens and how many each key sealed.
    virtual std::vector<SealedColumnCount> sealedCounts() = 0;
    /// Seals with the current key, bound to their rows, at most `limit` stored values that are plaintext or unbound
    /// tokens or, unless `unbound_only`, sealed under another key (and fills the blind index of re-sealed ID
    /// numbers), a batch per transaction. The one place where plaintext and unbound tokens are read. Returns how
    /// many it re-sealed; 0 once nothing is left. Rows written meanwhile are never overwritten (an UPDATE matches the
    /// value it read), so it is safe to run beside the gateway, to interrupt and to run again. InvalidConfig without
    /// a cipher; StoreError naming the column when a stored token does not open.
    virtual std::int64_t resealSome(std::size_t limit, bool unbound_only) = 0;
};

/// Opens the configured store (creating the SQLite file if needed) without migrating it.
/// Throws GatewayError(StoreUnavailable) with a one-line reason if it cannot.
std::unique_ptr<Store> openStore(const StoreSettings& settings);

std::string_view storeKindName(StoreKind kind);

/// The highest migration number this build knows; migrate() brings a database to it.
int latestSchemaVersion();

}  // namespace gateway::store
