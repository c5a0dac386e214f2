#pragma once

#include "gateway/audit/log_store.h"
#include "gateway/common/clock.h"
#include "gateway/intake/intake_store.h"
#include "gateway/linkage/link_store.h"
#include "gateway/profile/profile_store.h"
#include "gateway/publish/outbox_store.h"
#include "gateway/reconcile/reconcile_store.h"
#include "gateway/store/lease_store.h"

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

/// One applied migration, as recorded in schema_migrations.
struct AppliedMigration {
    int version = 0;
    std::string name;
    std::string applied_at;  // ISO-8601 UTC
};

// The store implements every stage's port (below); its code names their types as its own.
using audit::ExchangeLogEntry;
using audit::ExchangeLogQuery;
using audit::LogHead;
using intake::BatchCommit;
using intake::CommitResult;
using intake::QuarantinedRecord;
using intake::RawBatch;
using intake::SourceSummary;
using intake::StagedRecord;
using intake::SyncRun;
using linkage::LinkRunCommit;
using linkage::LinkState;
using linkage::PersonLink;
using linkage::ReviewDecision;
using linkage::ReviewItem;
using linkage::reviewPairId;
using profile::DivisionCounts;
using profile::PersonMove;
using profile::ProfileQuery;
using profile::ProfileState;
using profile::ProfileVersion;
using profile::PurgeOutcome;
using publish::DeadLetter;
using publish::OutboxEntry;
using publish::PushOutcome;
using publish::PushState;

/// The gateway's persistent state: one database behind every stage's port, each of which a job or route takes on
/// its own, and what only the gateway's own commands need (the schema, sealing). Implementations are thread-safe:
/// each call takes a pooled connection. Failures to reach the database throw GatewayError(StoreUnavailable);
/// rejected statements throw GatewayError(StoreError); a lost optimistic race throws GatewayError(Conflict).
class Store : public intake::IntakeStore,
              public linkage::LinkStore,
              public linkage::ReviewStore,
              public profile::ProfileStore,
              public profile::ProfileBuildStore,
              public profile::PurgeStore,
              public publish::OutboxStore,
              public audit::LogStore,
              public reconcile::ReconcileStore,
              public LeaseStore {
public:
    ~Store() override = default;

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
