#include "adapters/sql/sql_dialect.h"

#include "gateway/common/error.h"
#include "gateway/net/retry.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/PostgreSQL/PostgreSQLException.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/Statement.h>

#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

namespace gateway::adapters::sql {
namespace {

using namespace Poco::Data::Keywords;

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

/// Messages from the drivers may span lines; ours are one line each.
std::string oneLine(std::string text) {
    for (char& c : text) {
        if (c == '\n' || c == '\r' || c == '\t') {
            c = ' ';
        }
    }
    while (!text.empty() && text.back() == ' ') {
        text.pop_back();
    }
    return text;
}

int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

class SqliteDialect : public SqlDialect {
public:
    explicit SqliteDialect(std::string path) : path_(std::move(path)) {
        description_ = "SQLite database " + path_;
        static std::once_flag once;
        std::call_once(once, [] { Poco::Data::SQLite::Connector::registerConnector(); });
    }

    Poco::Data::Session connect() const override {
        // Poco's connector retries a failed open for a minute and creates missing files, so SQLite itself checks
        // first that the file is there and is a database.
        struct stat info {};
        if (::stat(path_.c_str(), &info) != 0) {
            throw net::TransientFailure(ErrorCode::SourceUnavailable, description_ + ": " + std::strerror(errno));
        }
        if (!S_ISREG(info.st_mode)) {
            throw GatewayError(ErrorCode::SourceError, description_ + ": not a regular file");
        }
        sqlite3* raw = nullptr;
        const int opened = sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
        std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
        if (opened != SQLITE_OK) {
            throw net::TransientFailure(
                ErrorCode::SourceUnavailable,
                description_ + ": cannot open: " + (db ? sqlite3_errmsg(db.get()) : sqlite3_errstr(opened)));
        }
        const int checked = sqlite3_exec(db.get(), "SELECT COUNT(*) FROM sqlite_master", nullptr, nullptr, nullptr);
        if (checked == SQLITE_NOTADB || checked == SQLITE_CORRUPT) {
            throw GatewayError(ErrorCode::SourceError, description_ + ": " + sqlite3_errmsg(db.get()));
        }
        if (checked != SQLITE_OK) {
            throw net::TransientFailure(ErrorCode::SourceUnavailable, description_ + ": " + sqlite3_errmsg(db.get()));
        }
        db.reset();
        try {
            Poco::Data::Session session(Poco::Data::SQLite::Connector::KEY, path_);
            // The exchange table belongs to the department: this connection only reads, and waits out their writes.
            session << "PRAGMA query_only = 1", now;
            session << "PRAGMA busy_timeout = 5000", now;
            return session;
        } catch (const Poco::Exception& error) {
            throw net::TransientFailure(ErrorCode::SourceUnavailable,
                                        description_ + ": " + oneLine(error.displayText()));
        }
    }

    std::vector<CatalogColumn> catalog(Poco::Data::Session& session, const std::string& schema,
                                       const std::string& table) const override {
        std::string table_name = table;
        std::string schema_name = schema;
        Poco::Data::Statement statement(session);
        if (schema.empty()) {
            statement << "SELECT name FROM pragma_table_info(?)", use(table_name);
        } else {
            statement << "SELECT name FROM pragma_table_info(?, ?)", use(table_name), use(schema_name);
        }
        statement.execute();
        Poco::Data::RecordSet result(statement);
        std::vector<CatalogColumn> columns;
        for (std::size_t row = 0; row < result.rowCount(); ++row) {
            columns.push_back({result.value<std::string>(0, row), false});
        }
        return columns;
    }

    std::string placeholder(int) const override { return "?"; }

    std::string selectExpression(const CatalogColumn& column) const override {
        // quote() renders each value as an SQL literal that keeps its storage class: NULL, 12, 1.5, 'text', X'00FF'.
        return "quote(" + quoteIdentifier(column.name) + ")";
    }

    std::optional<std::string> value(const Poco::Data::RecordSet& result, std::size_t col, std::size_t row,
                                     const CatalogColumn&) const override {
        if (result.isNull(col, row)) {
            return std::nullopt;
        }
        const std::string& literal = result.value<std::string>(col, row);
        if (literal == "NULL") {
            return std::nullopt;
        }
        if (literal.size() >= 2 && literal.front() == '\'' && literal.back() == '\'') {
            const std::size_t end = literal.size() - 1;
            std::string text;
            text.reserve(end - 1);
            for (std::size_t i = 1; i < end;) {
                const std::size_t quote = std::min(literal.find('\'', i), end);
                text.append(literal, i, quote - i + (quote < end ? 1 : 0));
                i = quote + 2;  // '' stands for one quote
            }
            return text;
        }
        if (literal.size() >= 3 && literal[0] == 'X' && literal[1] == '\'' && literal.back() == '\'') {
            std::string bytes;
            for (std::size_t i = 2; i + 2 < literal.size(); i += 2) {
                bytes += static_cast<char>(hexDigit(literal[i]) * 16 + hexDigit(literal[i + 1]));
            }
            return base64(bytes);
        }
        return literal;
    }

    bool isTransient(const Poco::Exception& error, Poco::Data::Session*) const override {
        return dynamic_cast<const Poco::Data::SQLite::DBLockedException*>(&error) != nullptr ||
               dynamic_cast<const Poco::Data::SQLite::TableLockedException*>(&error) != nullptr ||
               dynamic_cast<const Poco::Data::SQLite::CantOpenDBFileException*>(&error) != nullptr ||
               dynamic_cast<const Poco::Data::SQLite::IOErrorException*>(&error) != nullptr;
    }

private:
    std::string path_;
};

/// The SQLSTATE Poco writes into a PostgreSQL error message ("… [State: 42P01 …]"), or "".
std::string sqlState(const std::string& message) {
    const std::string marker = "State: ";
    const std::size_t at = message.find(marker);
    if (at == std::string::npos || at + marker.size() + 5 > message.size()) {
        return {};
    }
    return message.substr(at + marker.size(), 5);
}

class PostgresqlDialect : public SqlDialect {
public:
    PostgresqlDialect(const std::string& connection, const std::string& origin) {
        char* error = nullptr;
        PQconninfoOption* options = PQconninfoParse(connection.c_str(), &error);
        if (options == nullptr) {
            // libpq's reason may quote part of the string, which may hold a password.
            PQfreemem(error);
            throw GatewayError(ErrorCode::InvalidConfig,
                               origin + ": settings.connection: is not a valid libpq connection string");
        }
        std::map<std::string, std::string> values;
        for (const PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
            if (option->val != nullptr) {
                values[option->keyword] = option->val;
            }
        }
        PQconninfoFree(options);
        // Bounded connect time, so an unreachable host fails the pull instead of hanging it; UTF-8 whatever the
        // server's encoding, so that names arrive as code points.
        values.emplace("connect_timeout", "10");
        values.emplace("application_name", "gateway-sql-adapter");
        values["client_encoding"] = "UTF8";
        for (const auto& [keyword, value] : values) {
            std::string quoted = "'";
            for (const char c : value) {
                if (c == '\'' || c == '\\') {
                    quoted += '\\';
                }
                quoted += c;
            }
            connection_ += (connection_.empty() ? "" : " ") + keyword + "=" + quoted + "'";
        }
        auto value = [&](const char* keyword, const std::string& fallback) {
            const auto it = values.find(keyword);
            return it != values.end() && !it->second.empty() ? it->second : fallback;
        };
        const std::string host = value("host", value("hostaddr", "localhost"));
        description_ = "PostgreSQL database " + value("dbname", value("user", "postgres")) + " at " + host + ":" +
                       value("port", "5432");
        static std::once_flag once;
        std::call_once(once, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
    }

    Poco::Data::Session connect() const override {
        try {
            return Poco::Data::Session(Poco::Data::PostgreSQL::Connector::KEY, connection_);
        } catch (const Poco::Exception& error) {
            const std::string message = oneLine(error.displayText());
            if (contains(message, "authentication failed") || contains(message, "does not exist") ||
                contains(message, "no password supplied")) {
                throw GatewayError(ErrorCode::SourceError, description_ + ": " + message);
            }
            throw net::TransientFailure(ErrorCode::SourceUnavailable, description_ + ": " + message);
        }
    }

    std::vector<CatalogColumn> catalog(Poco::Data::Session& session, const std::string& schema,
                                       const std::string& table) const override {
        std::string qualified = (schema.empty() ? "" : quoteIdentifier(schema) + ".") + quoteIdentifier(table);
        // A fresh Statement for every execution: Poco 1.11's PostgreSQL connector frees a result twice when a
        // Statement that once succeeded fails on a later execution.
        Poco::Data::Statement statement(session);
        statement
            << "SELECT a.attname::varchar, (CASE WHEN a.atttypid = 'bytea'::regtype THEN 'b' ELSE 't' END)::varchar "
               "FROM pg_catalog.pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 "
               "AND NOT a.attisdropped ORDER BY a.attnum",
            use(qualified);
        statement.execute();
        Poco::Data::RecordSet result(statement);
        std::vector<CatalogColumn> columns;
        for (std::size_t row = 0; row < result.rowCount(); ++row) {
            columns.push_back({result.value<std::string>(0, row), result.value<std::string>(1, row) == "b"});
        }
        return columns;
    }

    std::string placeholder(int n) const override { return "$" + std::to_string(n); }

    std::string selectExpression(const CatalogColumn& column) const override {
        // The server's own text of every type (exact numerics, dates as ISO); bytea goes as base64. varchar, not
        // text, because Poco reads a text column as a CLOB.
        const std::string name = quoteIdentifier(column.name);
        return column.binary ? "encode(" + name + ", 'base64')::varchar" : name + "::varchar";
    }

    std::optional<std::string> value(const Poco::Data::RecordSet& result, std::size_t col, std::size_t row,
                                     const CatalogColumn& column) const override {
        if (result.isNull(col, row)) {
            return std::nullopt;
        }
        std::string text = result.value<std::string>(col, row);
        if (column.binary) {
            std::erase(text, '\n');  // encode() breaks base64 into lines of 76 characters
        }
        return text;
    }

    bool isTransient(const Poco::Exception& error, Poco::Data::Session* session) const override {
        if (dynamic_cast<const Poco::Data::PostgreSQL::ConnectionException*>(&error) != nullptr ||
            dynamic_cast<const Poco::Data::ConnectionFailedException*>(&error) != nullptr) {
            return true;
        }
        if (session != nullptr && !session->isConnected()) {
            return true;
        }
        const std::string state = sqlState(error.displayText());
        // Connection exceptions (08), shutdown or restart (57P), insufficient resources (53), serialization and
        // deadlock (40001, 40P01).
        return state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0 || state.rfind("53", 0) == 0 ||
               state == "40001" || state == "40P01" || contains(error.displayText(), "server closed the connection");
    }

private:
    std::string connection_;
};

}  // namespace

std::string base64(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const auto n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += kAlphabet[n & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (rest == 2 ? static_cast<unsigned char>(bytes[i + 1]) << 8 : 0);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::unique_ptr<SqlDialect> makeDialect(const SqlAdapterSettings& settings, const std::string& origin) {
    if (settings.connector == SqlConnector::Sqlite) {
        return std::make_unique<SqliteDialect>(settings.connection);
    }
    return std::make_unique<PostgresqlDialect>(settings.connection, origin);
}

}  // namespace gateway::adapters::sql
