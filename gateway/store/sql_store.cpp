// SqlStore's connection pool, sessions, error classification and migrations. The statements of each stage's port
// are in sql_store_<port>.cpp (intake, linkage, profiles and persons, publish, purge, audit, leases, sealing).

#include "gateway/store/sql_store.h"

#include "gateway/audit/chain.h"
#include "gateway/common/utf8.h"
#include "gateway/store/sql_store_internal.h"

#include <Poco/Data/DataException.h>
#include <Poco/Data/Statement.h>

#include <algorithm>
#include <limits>
#include <optional>

namespace gateway::store {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

namespace {

// A borrowed connection is returned within one call; a caller still waiting after this long means the database
// or the pool is stuck, which is reported rather than waited out.
constexpr long kBorrowTimeoutMs = 60'000;
constexpr int kIdleSeconds = 60;

}  // namespace

std::string oneLine(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool space = false;
    for (char c : text) {
        if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space) {
            out += ' ';
            space = false;
        }
        out += c;
    }
    return out;
}

class SqlStore::Pool : public Poco::Data::SessionPool {
public:
    Pool(const std::string& connector, const std::string& connection, int size, std::function<void(Session&)> configure)
        : Poco::Data::SessionPool(connector, connection, 1, size, kIdleSeconds), configure_(std::move(configure)) {}

protected:
    void customizeSession(Session& session) override { configure_(session); }

private:
    std::function<void(Session&)> configure_;
};

SqlStore::SqlStore(const std::string& connector, const std::string& connection, std::string description,
                   const StoreSettings& settings)
    : description_(std::move(description)),
      log_hash_([&] {
          const auto algorithm = audit::parseHashAlgorithm(settings.log_hash);
          if (!algorithm) {
              throw GatewayError(ErrorCode::InvalidConfig,
                                 "audit.hash must be sha256 or sm3, not " + utf8::quote(settings.log_hash));
          }
          return *algorithm;
      }()),
      cipher_(settings.cipher),
      clock_(settings.clock != nullptr ? settings.clock : std::make_shared<SystemClock>()),
      pool_size_(settings.pool_size < 1 ? 1 : settings.pool_size),
      available_(pool_size_, pool_size_),
      pool_(std::make_unique<Pool>(connector, connection, pool_size_,
                                   [this](Session& session) { configureSession(session); })) {}

SqlStore::~SqlStore() = default;

void SqlStore::withSession(std::string_view what, const SessionBody& body) {
    if (!available_.tryWait(kBorrowTimeoutMs)) {
        throw GatewayError(ErrorCode::StoreUnavailable,
                           description_ + ": cannot " + std::string(what) + ": all " + std::to_string(pool_size_) +
                               " connections stayed busy for " + std::to_string(kBorrowTimeoutMs / 1000) + " s");
    }
    struct Release {
        Poco::Semaphore& semaphore;
        ~Release() { semaphore.set(); }
    } release{available_};

    std::optional<Session> session;
    try {
        session.emplace(pool_->get());
    } catch (const Poco::Exception& error) {
        throw GatewayError(ErrorCode::StoreUnavailable, description_ + ": cannot connect: " + errorDetail(error));
    }
    try {
        body(*session);
    } catch (const GatewayError&) {
        throw;
    } catch (const Poco::Exception& error) {
        throw GatewayError(classify(error, &*session),
                           description_ + ": cannot " + std::string(what) + ": " + errorDetail(error));
    }
}

ErrorCode SqlStore::classify(const Poco::Exception& error, Session* session) const {
    if (dynamic_cast<const Poco::Data::ConnectionFailedException*>(&error) != nullptr ||
        dynamic_cast<const Poco::Data::NotConnectedException*>(&error) != nullptr ||
        dynamic_cast<const Poco::Data::SessionUnavailableException*>(&error) != nullptr ||
        dynamic_cast<const Poco::Data::SessionPoolExhaustedException*>(&error) != nullptr) {
        return ErrorCode::StoreUnavailable;
    }
    if (session != nullptr && !session->isConnected()) {
        return ErrorCode::StoreUnavailable;
    }
    return ErrorCode::StoreError;
}

std::string SqlStore::errorDetail(const Poco::Exception& error) const {
    return oneLine(error.displayText());
}

void SqlStore::migrate() {
    migrate(latestSchemaVersion());
    sealUnchainedEntries();
}

void SqlStore::migrate(int version) {
    for (const Migration& migration : migrations()) {
        if (migration.version > version) {
            break;
        }
        withSession("apply migration " + std::to_string(migration.version) + " (" + std::string(migration.name) + ")",
                    [&](Session& session) { migrateOne(session, migration); });
    }
}

void SqlStore::sealUnchainedEntries() {
    withSession("chain the exchange log", [&](Session& session) {
        // Entries from before the chain are the log's first ones and are sealed together, so the first entry tells;
        // an index lookup, where counting the unsealed ones would read the whole log at every start.
        const std::string first_unsealed =
            "SELECT COUNT(*) FROM exchange_log WHERE seq = (SELECT MIN(seq) FROM exchange_log) AND hash IS NULL";
        Poco::Int64 unchained = 0;
        session << first_unsealed, into(unchained), now;
        if (unchained == 0) {
            return;
        }
        WriteTransaction transaction(*this, session);
        lockExchangeLog(session);
        session << first_unsealed, into(unchained), now;
        if (unchained == 0) {
            return;  // another node sealed them meanwhile
        }
        const audit::ChainFormat format = chainFormat(session);
        audit::Digest digest(format.algorithm);
        std::vector<Poco::Int64> seqs;
        std::vector<std::string> ats;
        std::vector<std::string> actors;
        std::vector<std::string> actions;
        std::vector<std::string> subjects;
        std::vector<std::string> details;
        std::vector<std::string> hashes;
        std::vector<std::string> persons;
        session << "SELECT seq, at, actor, action, subject, detail_json, COALESCE(hash, ''), persons FROM "
                   "exchange_log ORDER BY seq",
            into(seqs), into(ats), into(actors), into(actions), into(subjects), into(details), into(hashes),
            into(persons), now;
        audit::Hash previous = audit::kGenesis;
        std::vector<std::string> sealed;
        std::vector<Poco::Int64> sealed_seqs;
        for (std::size_t i = 0; i < seqs.size(); ++i) {
            if (!hashes[i].empty()) {
                previous = audit::hashFromHex(hashes[i]).value_or(previous);
                continue;
            }
            const ExchangeLogEntry entry{seqs[i],     ats[i],     actors[i], actions[i],
                                         subjects[i], details[i], "",        splitCodes(persons[i])};
            previous = audit::entryHash(digest, previous, entry, format.coversPersons(entry.seq));
            sealed.push_back(audit::toHex(previous));
            sealed_seqs.push_back(seqs[i]);
        }
        session << sql("UPDATE exchange_log SET hash = ? WHERE seq = ?"), use(sealed), use(sealed_seqs), now;
        transaction.commit();
    });
}

void SqlStore::migrateOne(Session& session, const Migration& migration) {
    WriteTransaction transaction(*this, session);
    // Under the lock, so that two nodes starting together neither both create the table nor both apply a step.
    lockMigrations(session);
    session << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
               "applied_at TEXT NOT NULL)",
        now;
    int version = migration.version;
    Poco::Int64 applied = 0;
    session << sql("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"), use(version), into(applied), now;
    if (applied == 0) {
        const DialectTokens dialect = tokens();
        for (std::string_view statement : migration.statements) {
            session << renderMigrationSql(statement, dialect), now;
        }
        std::string name(migration.name);
        std::string applied_at = nowIso();
        session << sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"), use(version),
            use(name), use(applied_at), now;
    }
    transaction.commit();
}

int SqlStore::schemaVersion() {
    int version = 0;
    withSession("read the schema version", [&](Session& session) {
        std::string table = "schema_migrations";
        Poco::Int64 tables = 0;
        session << sql(tableExistsSql()), use(table), into(tables), now;
        if (tables == 0) {
            return;
        }
        Poco::Int64 highest = 0;
        session << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", into(highest), now;
        version = static_cast<int>(highest);
    });
    return version;
}

std::vector<AppliedMigration> SqlStore::appliedMigrations() {
    std::vector<AppliedMigration> applied;
    withSession("read the applied migrations", [&](Session& session) {
        std::string table = "schema_migrations";
        Poco::Int64 tables = 0;
        session << sql(tableExistsSql()), use(table), into(tables), now;
        if (tables == 0) {
            return;
        }
        std::vector<Poco::Int64> versions;
        std::vector<std::string> names;
        std::vector<std::string> times;
        session << "SELECT version, name, applied_at FROM schema_migrations ORDER BY version", into(versions),
            into(names), into(times), now;
        for (std::size_t i = 0; i < versions.size(); ++i) {
            applied.push_back({static_cast<int>(versions[i]), names[i], times[i]});
        }
    });
    return applied;
}

void SqlStore::ping() {
    withSession("ping", [&](Session& session) {
        Poco::Int64 one = 0;
        session << "SELECT 1", into(one), now;
    });
}

void SqlStore::insertRows(Session& session, BulkRows rows) {
    if (rows.size() == 0) {
        return;
    }
    std::vector<std::vector<Poco::Data::BLOB>> blobs;
    blobs.reserve(rows.columns().size());  // bound by reference: never moved once bound
    std::string values;
    for (const BulkRows::Column& column : rows.columns()) {
        // An empty BLOB binds as NULL; the column wants the empty bytes that were received.
        values += std::string(values.empty() ? "" : ", ") +
                  (column.kind == BulkRows::Kind::Bytes ? "COALESCE(?, CAST('' AS " + std::string(tokens().blob) + "))"
                                                        : std::string("?"));
    }
    Statement statement(session);
    statement << sql("INSERT INTO " + rows.table() + " (" + rows.columnList() + ") VALUES (" + values + ")");
    for (BulkRows::Column& column : rows.columns()) {
        switch (column.kind) {
            case BulkRows::Kind::Text:
                statement, use(column.text);
                break;
            case BulkRows::Kind::Bytes: {
                std::vector<Poco::Data::BLOB>& bytes = blobs.emplace_back();
                bytes.reserve(column.text.size());
                for (const std::string& value : column.text) {
                    bytes.push_back(toBlob(value));
                }
                statement, use(bytes);
                break;
            }
            case BulkRows::Kind::Integer:
                statement, use(column.integers);
                break;
            case BulkRows::Kind::Real:
                statement, use(column.reals);
                break;
        }
    }
    statement.execute();
}

}  // namespace gateway::store
