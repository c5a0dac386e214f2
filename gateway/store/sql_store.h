#pragma once

#include "gateway/audit/chain.h"
#include "gateway/audit/digest.h"
#include "gateway/common/error.h"
#include "gateway/store/bulk_rows.h"
#include "gateway/store/migrations.h"
#include "gateway/store/store.h"

#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>
#include <Poco/Semaphore.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace gateway::store {

/// One row of profile_codes: a classification or alert code of a current profile.
struct ProfileCode {
    std::string person_id;
    std::string kind;  // "classification" or "alert"
    std::string code;
};

/// The SQL both stores share, run through a Poco::Data::SessionPool. Subclasses open and configure connections
/// and supply the few dialect differences (locking, placeholders, bulk loading, error classification).
///
/// Thread-safe: each call borrows one pooled connection for its duration; when all are borrowed, callers wait.
class SqlStore : public Store {
public:
    ~SqlStore() override;

    void migrate() override;
    /// Applies the migrations up to `version` only: how a test builds a database of an earlier schema to upgrade.
    void migrate(int version);
    int schemaVersion() override;
    std::vector<AppliedMigration> appliedMigrations() override;
    void ping() override;
    CommitResult commitBatch(const BatchCommit& batch) override;
    std::optional<std::string> watermark(std::string_view source) override;
    std::optional<StagedRecord> sourceRecord(std::string_view source, std::string_view source_id) override;
    std::int64_t countSourceRecords(std::string_view source) override;
    std::vector<QuarantinedRecord> quarantined(std::string_view source, std::size_t limit) override;
    std::optional<RawBatch> rawBatch(std::int64_t batch_id) override;
    std::int64_t countRawBatches(std::string_view source) override;
    std::int64_t appendExchangeLog(const ExchangeLogEntry& entry) override;
    std::int64_t appendExchangeLog(const std::vector<ExchangeLogEntry>& entries) override;
    std::vector<ExchangeLogEntry> exchangeLog(std::int64_t after_seq, std::size_t limit) override;
    std::int64_t startSyncRun(const SyncRun& run) override;
    void finishSyncRun(const SyncRun& run) override;
    SourceSummary sourceSummary(std::string_view source) override;
    std::int64_t countQuarantined(std::string_view source) override;
    bool claimLease(std::string_view job, std::string_view holder, std::string_view now,
                    std::string_view expires_at) override;
    void releaseLease(std::string_view job, std::string_view holder) override;
    std::optional<std::string> leaseHolder(std::string_view job) override;
    bool takeOverLease(std::string_view job, std::string_view from_holder, std::string_view to_holder,
                       std::string_view expires_at) override;

    // reconcile::ReconcileStore (sql_store_reconcile.cpp).
    std::vector<reconcile::KeyHash> stagedKeys(std::string_view source, const std::optional<std::string>& after,
                                               std::size_t limit) override;
    std::int64_t startReconcileRun(const reconcile::ReconcileRun& run) override;
    void addFindings(std::int64_t run_id, const std::vector<reconcile::Finding>& findings) override;
    std::int64_t markRepaired(std::int64_t run_id, const std::string& source, const std::string& kind,
                              const std::string& repair) override;
    void finishReconcileRun(const reconcile::ReconcileRun& run) override;
    std::optional<reconcile::ReconcileRun> reconcileRun(std::int64_t id) override;
    std::vector<reconcile::ReconcileRun> reconcileRuns(std::int64_t before_id, std::size_t limit) override;
    std::vector<reconcile::Finding> findings(const reconcile::FindingQuery& query) override;
    std::vector<reconcile::FindingCount> findingCounts(std::int64_t run_id, const std::string& division,
                                                       std::size_t part_digits) override;
    std::int64_t retireRecords(const reconcile::RecordRetirement& retirement) override;

    // Sealed personal data (sql_store_sealing.cpp).
    bool sealsPersonalData() const override { return cipher_ != nullptr; }
    std::vector<SealedColumnCount> sealedCounts() override;
    std::int64_t resealSome(std::size_t limit, bool plaintext_only) override;

    // The exchange log's reads and checkpoints (sql_store_audit.cpp).
    std::vector<ExchangeLogEntry> searchExchangeLog(const ExchangeLogQuery& query) override;
    std::int64_t indexExchangeLog(std::size_t max_entries) override;
    std::int64_t exchangeLogIndexed() override;
    void forEachLogTerm(std::int64_t first_seq, std::int64_t last_seq,
                        const std::function<void(const std::string& term, std::int64_t seq)>& visit) override;
    void clearExchangeLogIndex() override;
    std::optional<ExchangeLogEntry> exchangeLogEntry(std::int64_t seq) override;
    std::vector<std::string> exchangeLogHashes(std::int64_t after_seq, std::size_t limit) override;
    LogHead exchangeLogHead() override;
    std::optional<std::string> exchangeLogAlgorithm() override;
    std::int64_t exchangeLogPersonsFrom() override;
    std::vector<std::string> logBlockRoots(std::int64_t first_block, std::size_t limit) override;
    void storeLogBlockRoots(std::int64_t first_block, const std::vector<std::string>& roots) override;
    void appendCheckpoint(const audit::Checkpoint& checkpoint) override;
    std::vector<audit::Checkpoint> checkpoints(std::uint64_t min_size, std::uint64_t max_size) override;
    std::optional<audit::Checkpoint> latestCheckpoint() override;
    std::optional<audit::Checkpoint> checkpointAtMost(std::uint64_t size) override;
    std::optional<audit::Checkpoint> checkpointAtLeast(std::uint64_t size) override;

    // Linkage (sql_store_linkage.cpp).
    std::int64_t forEachStagedRecord(std::int64_t after_batch_id,
                                     const std::function<void(const StagedRecord&)>& visit) override;
    std::vector<PersonLink> personLinks() override;
    std::optional<std::string> personOf(std::string_view source, std::string_view source_id) override;
    std::vector<PersonLink> personRecords(std::string_view person_id) override;
    void commitLinkRun(const LinkRunCommit& run) override;
    LinkState linkState() override;
    std::vector<ReviewItem> reviewQueue(std::string_view status, std::int64_t after_seq, std::size_t limit) override;
    std::optional<ReviewItem> reviewItem(std::string_view pair_id) override;
    ReviewItem openReviewPair(const ReviewItem& item) override;
    std::vector<ReviewItem> reviewDecisions() override;
    ReviewItem decideReview(const ReviewDecision& decision, const std::vector<PersonLink>& assignments) override;

    // Profiles (sql_store_profiles.cpp).
    std::vector<ProfileVersion> commitProfiles(const std::vector<ProfileVersion>& profiles,
                                               std::string_view actor) override;
    std::optional<ProfileVersion> profile(std::string_view person_id) override;
    std::vector<ProfileVersion> profileHistory(std::string_view person_id) override;
    std::vector<ProfileVersion> queryProfiles(const ProfileQuery& query) override;
    std::vector<DivisionCounts> profileCounts(std::string_view division_prefix, std::size_t child_digits) override;
    void forEachPerson(const std::function<void(const std::string& person_id,
                                                const std::vector<StagedRecord>& records)>& visit) override;
    std::vector<std::string> profiledPersons() override;
    std::vector<std::string> profilesToPurge(std::string_view removed_on_or_before, std::size_t limit) override;
    std::vector<std::string> purgedWithRecords(std::size_t limit) override;
    std::vector<PurgeOutcome> purgeProfiles(const std::vector<std::string>& persons, std::string_view actor) override;
    std::vector<PersonMove> personMoves(std::int64_t after_seq) override;
    ProfileState profileState() override;
    void setProfileState(const ProfileState& state) override;
    std::vector<std::string> personsChangedAfter(std::int64_t after_batch_id) override;
    void forEachPersonIn(const std::vector<std::string>& persons,
                         const std::function<void(const std::string& person_id,
                                                  const std::vector<StagedRecord>& records)>& visit) override;
    std::vector<OutboxEntry> outbox(std::int64_t after_seq, std::string_view division_prefix,
                                    std::size_t limit) override;
    std::vector<OutboxEntry> outboxEntries(const std::vector<std::int64_t>& seqs) override;
    std::int64_t outboxHead() override;
    PushState pushState(std::string_view subscriber) override;
    void commitPushOutcome(const PushOutcome& outcome) override;
    std::vector<DeadLetter> deadLetters(std::string_view subscriber, std::string_view status, std::int64_t after_seq,
                                        std::size_t limit) override;
    std::int64_t requestRedelivery(std::string_view subscriber, std::optional<std::int64_t> seq,
                                   std::string_view actor) override;

protected:
    /// `connector` and `connection` are what the pool opens. `description` names the database in every message
    /// and must hold no secret. No connection is opened here: the subclass constructor finishes its own set-up
    /// first, then checks the database with withSession().
    /// A log_hash other than "sha256" or "sm3" is InvalidConfig.
    /// From `settings`: pool_size, log_hash, cipher and clock.
    SqlStore(const std::string& connector, const std::string& connection, std::string description,
             const StoreSettings& settings);

    using SessionBody = std::function<void(Poco::Data::Session&)>;

    /// Runs `body` on a borrowed connection. Poco failures become a GatewayError (classify() picks the code) with
    /// a one-line message "<description>: cannot <what>: <detail>"; GatewayErrors pass through unchanged.
    void withSession(std::string_view what, const SessionBody& body);

    const std::string& description() const { return description_; }

    /// Runs once on every new connection (pragmas, session settings).
    virtual void configureSession(Poco::Data::Session& session) = 0;

    /// Write transactions. SQLite must take its write lock up front: a deferred transaction that later upgrades
    /// fails with SQLITE_BUSY at once instead of waiting.
    virtual void beginWrite(Poco::Data::Session& session) = 0;
    virtual void commitWrite(Poco::Data::Session& session) = 0;
    virtual void rollbackWrite(Poco::Data::Session& session) = 0;

    /// A read-only transaction whose reads all see one snapshot of the database, however long it stays open.
    virtual void beginSnapshot(Poco::Data::Session& session) = 0;
    virtual void endSnapshot(Poco::Data::Session& session) = 0;

    /// Held until the end of the current write transaction.
    virtual void lockMigrations(Poco::Data::Session& session) = 0;
    virtual void lockExchangeLog(Poco::Data::Session& session) = 0;
    /// Serialises the writers of person assignments and review pairs (link runs, review decisions).
    virtual void lockLinkage(Poco::Data::Session& session) = 0;
    /// Serialises the writers of profiles, so that two builders never hand out the same version number.
    virtual void lockProfiles(Poco::Data::Session& session) = 0;

    virtual DialectTokens tokens() const = 0;

    /// A query with one `?` (a table name) returning how many tables of that name exist.
    virtual std::string_view tableExistsSql() const = 0;

    /// The statement with `?` placeholders rewritten for the connector.
    virtual std::string sql(std::string_view text) const { return std::string(text); }

    /// Writes the rows into their table. This default is one INSERT binding a vector per column, which Poco
    /// executes once per row; PostgreSQL sends them as COPY. Each table's rows come from its one description
    /// (the *Rows() functions beside the code that writes it).
    virtual void insertRows(Poco::Data::Session& session, BulkRows rows);

    /// StoreUnavailable for failures to reach the database or to get its lock in time, StoreError otherwise.
    /// `session` is the connection the failure happened on, if any.
    virtual ErrorCode classify(const Poco::Exception& error, Poco::Data::Session* session) const;

    /// The database's own words for a failure, on one line.
    virtual std::string errorDetail(const Poco::Exception& error) const;

    /// `value` sealed for `context` (a column, see sealedColumns()) and `row` (sealedRow() of the row's key) when the
    /// store has a cipher; unchanged without one, and an empty value stays empty (its absence is no secret, and ''
    /// stays a cheap test).
    std::string seal(std::string_view value, std::string_view context, std::string_view row) const;
    /// The plaintext of a stored value. With a cipher, a value must be a token sealed for this column and row:
    /// anything else (plaintext written without a cipher, an unbound token, a token of another row) is a StoreError
    /// until `gateway keys rotate` re-seals it, so that nobody with write access to the database can slip a value
    /// in. Without a cipher, plaintext is read as it is and a token is a StoreError. '' is '' either way.
    std::string unseal(std::string value, std::string_view context, std::string_view row) const;
    /// Opens a staged record's JSON in place (sealed for its source and source_id).
    void unsealRecord(StagedRecord& record) const;
    /// The blind index of an ID number for profiles.id_number_index: HMAC of the number trimmed and upper-cased;
    /// "" for no number or without a cipher.
    std::string idNumberIndex(std::string_view id_number) const;

private:
    class Pool;
    class WriteTransaction;
    class ReadSnapshot;

    void migrateOne(Poco::Data::Session& session, const Migration& migration);
    void moveWatermark(Poco::Data::Session& session, const BatchCommit& batch);
    /// Inserts the batch with `payload`, its payload as stored (sealed when the store seals).
    std::int64_t insertRawBatch(Poco::Data::Session& session, const RawBatch& raw, const std::string& payload);
    std::int64_t insertLogEntry(Poco::Data::Session& session, const ExchangeLogEntry& entry);
    /// Like insertLogEntry() for many entries at once, in order, without a round trip per entry; returns the last
    /// seq. Takes the log's lock, numbers and chains the entries after the last one. The log index follows later.
    std::int64_t insertLogEntries(Poco::Data::Session& session, std::vector<ExchangeLogEntry> entries);
    /// How the log is hashed, recording `log_hash_` (with persons covered from entry 1) if the log has no format
    /// yet; the caller holds lockExchangeLog().
    audit::ChainFormat chainFormat(Poco::Data::Session& session);
    /// Chains the entries that predate the chain (migration 6 leaves them without a hash).
    void sealUnchainedEntries();
    std::vector<audit::Checkpoint> readCheckpoints(Poco::Data::Session& session, const std::string& tail,
                                                   const std::function<void(Poco::Data::Statement&)>& bind);
    std::optional<SyncRun> readSyncRun(Poco::Data::Session& session, const std::string& condition,
                                       const std::string& source);
    /// Upserts person assignments by (source, source_id) through link_stage; unchanged ones are not written.
    void upsertLinks(Poco::Data::Session& session, const std::vector<PersonLink>& links, const std::string& at);
    /// The review pairs a query selects: `tail` follows "SELECT <columns> FROM review_items" and takes `bind`'s
    /// parameters.
    std::vector<ReviewItem> readReviewItems(Poco::Data::Session& session, const std::string& tail,
                                            const std::function<void(Poco::Data::Statement&)>& bind);

    /// The profiles a query selects from `table` (profiles or profile_versions, aliased p): `tail` follows
    /// "SELECT <columns> FROM <table> AS p" and takes `bind`'s parameters. Without `with_json`, profile_json is
    /// left empty.
    std::vector<ProfileVersion> readProfiles(Poco::Data::Session& session, const std::string& table,
                                             const std::string& tail,
                                             const std::function<void(Poco::Data::Statement&)>& bind,
                                             bool with_json = true);

    /// Sets profile_stage.correction for the profiles that carry one.
    void stageCorrections(Poco::Data::Session& session, const std::vector<ProfileVersion>& profiles);
    /// Records why and when each removal among the written versions left the views (profiles.removed_reason,
    /// removed_on), for the purge.
    void markRemovals(Poco::Data::Session& session, const std::vector<ProfileVersion>& written);
    /// The outbox entries a query selects, each with its version's profile: `tail` follows
    /// "SELECT <columns> FROM outbox AS o JOIN profile_versions AS v ON …" and takes `bind`'s parameters.
    std::vector<OutboxEntry> readOutbox(Poco::Data::Session& session, const std::string& tail,
                                        const std::function<void(Poco::Data::Statement&)>& bind);

    /// Re-seals at most `limit` values of one column in one transaction; returns how many it selected.
    std::int64_t resealColumn(const SealedColumn& column, std::size_t limit, bool unbound_only);

    /// The store's clock now, as formatIso() writes it: the time of rows and log entries the caller gave none.
    std::string nowIso() const { return formatIso(clock_->now()); }

    std::string description_;
    audit::HashAlgorithm log_hash_;
    std::shared_ptr<const vault::FieldCipher> cipher_;
    std::shared_ptr<const Clock> clock_;
    int pool_size_;
    Poco::Semaphore available_;
    std::unique_ptr<Pool> pool_;
};

/// Collapses a multi-line database message to one line.
std::string oneLine(std::string_view text);

}  // namespace gateway::store
