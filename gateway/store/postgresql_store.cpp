#include "gateway/store/postgresql_store.h"

#include "gateway/common/utf8.h"
#include "gateway/store/sql_store_internal.h"

#include <Poco/Data/PooledSessionImpl.h>
#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/PostgreSQLException.h>
#include <Poco/Data/PostgreSQL/SessionImpl.h>
#include <Poco/Data/Statement.h>

#include <libpq-fe.h>

#include <charconv>
#include <map>
#include <memory>
#include <mutex>

namespace gateway::store {

using Poco::Data::Session;
using namespace Poco::Data::Keywords;

namespace {

// Arbitrary but fixed: every node must use the same keys. The high half spells "gw".
constexpr Poco::Int64 kMigrationLockKey = 0x6777'0000'0000'0001;
constexpr Poco::Int64 kExchangeLogLockKey = 0x6777'0000'0000'0002;
constexpr Poco::Int64 kLinkageLockKey = 0x6777'0000'0000'0003;
constexpr Poco::Int64 kProfilesLockKey = 0x6777'0000'0000'0004;

constexpr std::size_t kCopyChunkBytes = 1 << 20;

const std::string& registeredConnector() {
    static std::once_flag once;
    std::call_once(once, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
    return Poco::Data::PostgreSQL::Connector::KEY;
}

/// The configured libpq options, keyword to value. Accepts both keyword/value strings and URIs.
std::map<std::string, std::string> parseConnection(const std::string& connection) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(connection.c_str(), &error);
    if (options == nullptr) {
        const std::string reason = error != nullptr ? oneLine(error) : "out of memory";
        PQfreemem(error);
        throw GatewayError(ErrorCode::StoreUnavailable, "invalid PostgreSQL connection string: " + reason);
    }
    std::map<std::string, std::string> values;
    for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
        if (option->val != nullptr) {
            values[option->keyword] = option->val;
        }
    }
    PQconninfoFree(options);
    return values;
}

std::string quoteValue(const std::string& value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    out += '\'';
    return out;
}

/// The configured string with the defaults the store relies on: UTF-8 on the wire whatever the server's
/// default, and a bounded connect time so that an unreachable host fails start-up instead of hanging it.
std::string effectiveConnection(const StoreSettings& settings) {
    std::map<std::string, std::string> values = parseConnection(settings.postgresql_connection);
    values.emplace("connect_timeout", "10");
    values.emplace("application_name", "gateway");
    values["client_encoding"] = "UTF8";
    std::string out;
    for (const auto& [keyword, value] : values) {
        if (!out.empty()) {
            out += ' ';
        }
        out += keyword + "=" + quoteValue(value);
    }
    return out;
}

/// Names the database in messages; never includes the password.
std::string describeConnection(const StoreSettings& settings) {
    const std::map<std::string, std::string> values = parseConnection(settings.postgresql_connection);
    auto value = [&](const char* keyword, const char* fallback) {
        const auto it = values.find(keyword);
        return it != values.end() && !it->second.empty() ? it->second : std::string(fallback);
    };
    std::string host = value("host", "");
    if (host.empty()) {
        host = value("hostaddr", "localhost");
    }
    return "PostgreSQL database " + value("dbname", value("user", "postgres").c_str()) + " at " + host + ":" +
           value("port", "5432");
}

std::string sqlState(const std::string& message) {
    const std::string marker = "State: ";
    const std::size_t at = message.find(marker);
    if (at == std::string::npos || at + marker.size() + 5 > message.size()) {
        return {};
    }
    std::string state = message.substr(at + marker.size(), 5);
    // SQLSTATE codes are five digits or upper-case letters; Poco writes "N/A" when there is none.
    for (char c : state) {
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) {
            return {};
        }
    }
    return state;
}

// PooledSessionImpl exposes the connector's own session only to subclasses; COPY needs the libpq handle of the
// very connection the transaction runs on. Naming the accessor through a derived class is the language's way to
// form a pointer to a protected member; no object of this type is ever made.
struct PooledSessionAccess : Poco::Data::PooledSessionImpl {
    static Poco::Data::SessionImpl* inner(Poco::Data::PooledSessionImpl& pooled) {
        auto accessor = &PooledSessionAccess::impl;
        return (pooled.*accessor)();
    }
};

Poco::Data::PostgreSQL::SessionHandle& handleOf(Session& session) {
    Poco::Data::SessionImpl* impl = session.impl();
    if (auto* pooled = dynamic_cast<Poco::Data::PooledSessionImpl*>(impl)) {
        impl = PooledSessionAccess::inner(*pooled);
    }
    auto* postgres = dynamic_cast<Poco::Data::PostgreSQL::SessionImpl*>(impl);
    if (postgres == nullptr) {
        throw GatewayError(ErrorCode::Internal, "a PostgreSQL store got a session of connector " +
                                                    std::string(session.impl()->connectorName()));
    }
    return postgres->handle();
}

/// One COPY … FROM STDIN in text format. Rows are buffered and sent in chunks; finish() ends the copy and
/// returns the server's row count. An unfinished copy is cancelled, so the connection can roll back.
class CopyIn {
public:
    CopyIn(Session& session, const std::string& statement)
        : handle_(handleOf(session)), lock_(handle_.mutex()), connection_(handle_) {
        PGresult* result = PQexec(connection_, statement.c_str());
        const ExecStatusType status = PQresultStatus(result);
        if (status != PGRES_COPY_IN) {
            const std::string message = failure(result);
            PQclear(result);
            throw Poco::Data::PostgreSQL::StatementException(message);
        }
        PQclear(result);
        active_ = true;
        buffer_.reserve(kCopyChunkBytes + 4096);
    }

    CopyIn(const CopyIn&) = delete;
    CopyIn& operator=(const CopyIn&) = delete;

    ~CopyIn() {
        if (active_) {
            // The copy is abandoned because an exception is propagating; the server answers with an error that
            // only says so, and the transaction is rolled back next.
            PQputCopyEnd(connection_, "abandoned by the client");
            drainResults();
        }
    }

    void text(std::string_view value) {
        separate();
        for (char c : value) {
            switch (c) {
                case '\\':
                    buffer_ += "\\\\";
                    break;
                case '\t':
                    buffer_ += "\\t";
                    break;
                case '\n':
                    buffer_ += "\\n";
                    break;
                case '\r':
                    buffer_ += "\\r";
                    break;
                default:
                    buffer_ += c;
            }
        }
    }

    void integer(std::int64_t value) {
        separate();
        buffer_ += std::to_string(value);
    }

    /// The shortest text that reads back as the same double; the caller has rejected NaN and infinities.
    void real(double value) {
        separate();
        char text[32];
        const auto [end, error] = std::to_chars(text, text + sizeof(text), value);
        buffer_.append(text, error == std::errc() ? end : text);
    }

    /// bytea in hex form; the backslash of "\x" is itself escaped in COPY text format.
    void bytes(std::string_view value) {
        static constexpr char kHex[] = "0123456789abcdef";
        separate();
        buffer_ += "\\\\x";
        for (unsigned char c : value) {
            buffer_ += kHex[c >> 4];
            buffer_ += kHex[c & 0x0f];
        }
    }

    void endRow() {
        buffer_ += '\n';
        first_in_row_ = true;
        if (buffer_.size() >= kCopyChunkBytes) {
            flush();
        }
    }

    std::int64_t finish() {
        flush();
        active_ = false;
        if (PQputCopyEnd(connection_, nullptr) != 1) {
            throw Poco::Data::PostgreSQL::ConnectionException("postgresql_copy error: " +
                                                              std::string(PQerrorMessage(connection_)));
        }
        std::string error;
        std::int64_t rows = 0;
        while (PGresult* result = PQgetResult(connection_)) {
            if (PQresultStatus(result) == PGRES_COMMAND_OK) {
                rows = std::strtoll(PQcmdTuples(result), nullptr, 10);
            } else if (error.empty()) {
                error = failure(result);
            }
            PQclear(result);
        }
        if (!error.empty()) {
            throw Poco::Data::PostgreSQL::StatementException(error);
        }
        return rows;
    }

private:
    void separate() {
        if (!first_in_row_) {
            buffer_ += '\t';
        }
        first_in_row_ = false;
    }

    void flush() {
        if (buffer_.empty()) {
            return;
        }
        if (PQputCopyData(connection_, buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
            throw Poco::Data::PostgreSQL::ConnectionException("postgresql_copy error: " +
                                                              std::string(PQerrorMessage(connection_)));
        }
        buffer_.clear();
    }

    void drainResults() {
        while (PGresult* result = PQgetResult(connection_)) {
            PQclear(result);
        }
    }

    static std::string failure(const PGresult* result) {
        const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
        return "postgresql_copy error: " + std::string(PQresultErrorMessage(result)) +
               " State: " + (state != nullptr ? state : "N/A");
    }

    Poco::Data::PostgreSQL::SessionHandle& handle_;
    Poco::FastMutex::ScopedLock lock_;
    PGconn* connection_;
    std::string buffer_;
    bool first_in_row_ = true;
    bool active_ = false;
};

}  // namespace

PostgresqlStore::PostgresqlStore(const StoreSettings& settings)
    : SqlStore(registeredConnector(), effectiveConnection(settings), describeConnection(settings), settings) {
    try {
        ping();
    } catch (const GatewayError& error) {
        throw GatewayError(ErrorCode::StoreUnavailable, error.message());
    }
}

void PostgresqlStore::configureSession(Session& session) {
    // "relation already exists, skipping" and the like would otherwise go to stderr through libpq.
    session << "SET client_min_messages = warning", now;
}

void PostgresqlStore::beginWrite(Session& session) {
    session.begin();
}

void PostgresqlStore::commitWrite(Session& session) {
    session.commit();
}

void PostgresqlStore::rollbackWrite(Session& session) {
    session.rollback();
}

void PostgresqlStore::beginSnapshot(Session& session) {
    session.begin();
    // Must come before the transaction's first query; a plain BEGIN would give each statement its own snapshot.
    session << "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", now;
}

void PostgresqlStore::endSnapshot(Session& session) {
    session.rollback();
}

void PostgresqlStore::lockMigrations(Session& session) {
    Poco::Int64 key = kMigrationLockKey;
    std::string ignored;
    session << "SELECT pg_advisory_xact_lock($1)", use(key), into(ignored), now;
}

void PostgresqlStore::lockExchangeLog(Session& session) {
    Poco::Int64 key = kExchangeLogLockKey;
    std::string ignored;
    session << "SELECT pg_advisory_xact_lock($1)", use(key), into(ignored), now;
}

void PostgresqlStore::lockLinkage(Session& session) {
    Poco::Int64 key = kLinkageLockKey;
    std::string ignored;
    session << "SELECT pg_advisory_xact_lock($1)", use(key), into(ignored), now;
}

void PostgresqlStore::lockProfiles(Session& session) {
    Poco::Int64 key = kProfilesLockKey;
    std::string ignored;
    session << "SELECT pg_advisory_xact_lock($1)", use(key), into(ignored), now;
}

DialectTokens PostgresqlStore::tokens() const {
    return {"BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
            "BYTEA",
            "BIGINT PRIMARY KEY",
            "string_agg",
            "COLLATE \"C\"",
            "strpos"};
}

std::string_view PostgresqlStore::tableExistsSql() const {
    return "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?";
}

std::string PostgresqlStore::sql(std::string_view text) const {
    std::string out;
    out.reserve(text.size() + 16);
    int number = 0;
    bool quoted = false;
    for (char c : text) {
        if (c == '\'') {
            quoted = !quoted;
        }
        if (c == '?' && !quoted) {
            out += '$';
            out += std::to_string(++number);
        } else {
            out += c;
        }
    }
    return out;
}

void PostgresqlStore::insertRows(Session& session, BulkRows rows) {
    if (rows.size() == 0) {
        return;
    }
    CopyIn copy(session, "COPY " + rows.table() + " (" + rows.columnList() + ") FROM STDIN");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        for (const BulkRows::Column& column : rows.columns()) {
            switch (column.kind) {
                case BulkRows::Kind::Text:
                    copy.text(column.text[i]);
                    break;
                case BulkRows::Kind::Bytes:
                    copy.bytes(column.text[i]);
                    break;
                case BulkRows::Kind::Integer:
                    copy.integer(column.integers[i]);
                    break;
                case BulkRows::Kind::Real:
                    copy.real(column.reals[i]);
                    break;
            }
        }
        copy.endRow();
    }
    copy.finish();
}

ErrorCode PostgresqlStore::classify(const Poco::Exception& error, Session* session) const {
    if (dynamic_cast<const Poco::Data::PostgreSQL::ConnectionException*>(&error) != nullptr) {
        return ErrorCode::StoreUnavailable;
    }
    // Connection failures (08), operator intervention such as a shutdown (57P), insufficient resources (53),
    // a deadlock or lock timeout (40P01, 55P03) and a cancelled statement (57014) are worth retrying later.
    const std::string state = sqlState(error.message());
    if (state.starts_with("08") || state.starts_with("57P") || state.starts_with("53") || state == "40P01" ||
        state == "55P03" || state == "57014") {
        return ErrorCode::StoreUnavailable;
    }
    return SqlStore::classify(error, session);
}

std::string PostgresqlStore::errorDetail(const Poco::Exception& error) const {
    std::string text = error.message();
    const std::string state = sqlState(text);
    for (const std::string_view prefix : {"[PostgreSQL]: ", "postgresql_stmt_execute error: ",
                                          "postgresql_stmt_prepare error: ", "postgresql_copy error: ", "ERROR: "}) {
        if (text.starts_with(prefix)) {
            text.erase(0, prefix.size());
        }
    }
    // Poco appends the fields of the error again ("Severity: … State: … Detail: …"); the message already says it.
    const std::size_t fields = text.find(" Severity: ");
    if (fields != std::string::npos) {
        text.erase(fields);
    }
    const std::size_t copy_state = text.find(" State: ");
    if (copy_state != std::string::npos) {
        text.erase(copy_state);
    }
    text = oneLine(text);
    if (!state.empty()) {
        text += " (SQLSTATE " + state + ")";
    }
    return text;
}

}  // namespace gateway::store
