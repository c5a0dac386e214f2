#include "gateway/store/sqlite_store.h"

#include "gateway/common/private_file.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/Statement.h>

#include <sqlite3.h>

#include <memory>
#include <mutex>

namespace gateway::store {

using Poco::Data::Session;
using namespace Poco::Data::Keywords;

namespace {

const std::string& registeredConnector() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
    return Poco::Data::SQLite::Connector::KEY;
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

/// Runs `statement`; `first_value` receives the first column of its first row.
int execute(sqlite3* db, const char* statement, std::string* first_value = nullptr) {
    auto keep_first = [](void* out, int columns, char** values, char**) -> int {
        auto* text = static_cast<std::string*>(out);
        if (text != nullptr && text->empty() && columns > 0 && values[0] != nullptr) {
            *text = values[0];
        }
        return 0;
    };
    return sqlite3_exec(db, statement, keep_first, first_value, nullptr);
}

}  // namespace

SqliteStore::SqliteStore(const StoreSettings& settings)
    : SqlStore(registeredConnector(), settings.sqlite_path, "SQLite database " + settings.sqlite_path, settings),
      path_(settings.sqlite_path),
      busy_timeout_ms_(settings.busy_timeout_ms < 0 ? 0 : settings.busy_timeout_ms) {
    if (path_.empty()) {
        throw GatewayError(ErrorCode::StoreUnavailable, "no SQLite database path configured (store.sqlite.path)");
    }
    checkDatabaseFile();
}

void SqliteStore::checkDatabaseFile() const {
    // SQLite opens files lazily: a path in a missing folder, or one that cannot be written, would otherwise only
    // fail at the first write, long after start-up. Poco's connector also retries a failed open for a minute,
    // so the check talks to SQLite directly. Switching to WAL writes the header of a new file, and BEGIN
    // IMMEDIATE takes the write lock; the journal mode is stored in the file, so pooled connections inherit it.
    auto fail = [&](const std::string& reason) {
        throw GatewayError(ErrorCode::StoreUnavailable, description() + ": cannot open: " + oneLine(reason));
    };
    // The file is made here, 0600 and never through a symbolic link, before SQLite makes it with the umask's mode;
    // SQLite gives its WAL and shared-memory files the mode of the database.
    if (path_ != ":memory:" && !path_.starts_with("file:")) {
        try {
            const PrivateFile created(path_, PrivateFile::Mode::Keep);
        } catch (const GatewayError& error) {
            fail(error.message());
        }
    }
    sqlite3* raw = nullptr;
    const int opened =
        sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, nullptr);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    if (opened != SQLITE_OK) {
        fail(db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(opened));
    }
    sqlite3_busy_timeout(db.get(), busy_timeout_ms_);
    std::string mode;
    if (execute(db.get(), "PRAGMA journal_mode = WAL", &mode) != SQLITE_OK) {
        fail(sqlite3_errmsg(db.get()));
    }
    if (mode != "wal") {
        fail("the file system does not support the WAL journal (journal mode stays " + mode + ")");
    }
    if (execute(db.get(), "SELECT COUNT(*) FROM sqlite_master") != SQLITE_OK ||
        execute(db.get(), "BEGIN IMMEDIATE") != SQLITE_OK) {
        fail(sqlite3_errmsg(db.get()));
    }
    if (execute(db.get(), "COMMIT") != SQLITE_OK) {
        fail(sqlite3_errmsg(db.get()));
    }
}

void SqliteStore::configureSession(Session& session) {
    session << "PRAGMA busy_timeout = " + std::to_string(busy_timeout_ms_), now;
    session << "PRAGMA foreign_keys = ON", now;
    // In WAL mode NORMAL still never corrupts the file; a power cut may lose the last commits, not reorder them.
    session << "PRAGMA synchronous = NORMAL", now;
    // The default 2 MB page cache makes every upsert of a large batch re-read index pages from the file; 64 MB
    // per connection keeps the hot part of the primary-key index in memory.
    session << "PRAGMA cache_size = -65536", now;
    // A commit that dirties more pages than this is also checkpointed into the file, with its fsyncs. The default of
    // 1,000 pages (4 MB) is less than one batch of staged records or exchange-log entries writes to indexes with
    // random keys, so every commit paid for a checkpoint; 40 MB of WAL lets commits go by without one.
    session << "PRAGMA wal_autocheckpoint = 10000", now;
}

void SqliteStore::beginWrite(Session& session) {
    session << "BEGIN IMMEDIATE", now;
}

void SqliteStore::commitWrite(Session& session) {
    session << "COMMIT", now;
}

void SqliteStore::rollbackWrite(Session& session) {
    session << "ROLLBACK", now;
}

// A deferred transaction takes its snapshot at the first read and keeps it to the end; in WAL mode it never blocks
// the writer, nor the writer it.
void SqliteStore::beginSnapshot(Session& session) {
    session << "BEGIN DEFERRED", now;
}

void SqliteStore::endSnapshot(Session& session) {
    session << "ROLLBACK", now;
}

// BEGIN IMMEDIATE already holds SQLite's single write lock until commit.
void SqliteStore::lockMigrations(Session&) {}

void SqliteStore::lockExchangeLog(Session&) {}

void SqliteStore::lockLinkage(Session&) {}

void SqliteStore::lockProfiles(Session&) {}

DialectTokens SqliteStore::tokens() const {
    // AUTOINCREMENT, so that the id of a deleted last row is never handed out again.
    return {
        "INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB", "INTEGER PRIMARY KEY", "group_concat", "COLLATE BINARY", "instr"};
}

std::string_view SqliteStore::tableExistsSql() const {
    return "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?";
}

ErrorCode SqliteStore::classify(const Poco::Exception& error, Session* session) const {
    if (dynamic_cast<const Poco::Data::SQLite::DBLockedException*>(&error) != nullptr ||
        dynamic_cast<const Poco::Data::SQLite::TableLockedException*>(&error) != nullptr ||
        dynamic_cast<const Poco::Data::SQLite::CantOpenDBFileException*>(&error) != nullptr ||
        dynamic_cast<const Poco::Data::SQLite::IOErrorException*>(&error) != nullptr ||
        dynamic_cast<const Poco::Data::SQLite::ReadOnlyException*>(&error) != nullptr ||
        dynamic_cast<const Poco::Data::SQLite::DatabaseFullException*>(&error) != nullptr ||
        dynamic_cast<const Poco::Data::SQLite::DBAccessDeniedException*>(&error) != nullptr) {
        return ErrorCode::StoreUnavailable;
    }
    // With extended result codes on, some of these arrive as the generic SQLiteException; SQLite's own message
    // is stable across versions.
    const std::string& text = error.message();
    if (contains(text, "database is locked") || contains(text, "database table is locked") ||
        contains(text, "unable to open database file") || contains(text, "disk I/O error") ||
        contains(text, "attempt to write a readonly database") || contains(text, "database or disk is full")) {
        return ErrorCode::StoreUnavailable;
    }
    return SqlStore::classify(error, session);
}

}  // namespace gateway::store
