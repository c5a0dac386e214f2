#pragma once

#include "adapters/adapter.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::adapters::sql {

enum class SqlConnector { Sqlite, Postgresql };

/// How watermark and key values are bound and compared.
enum class SqlValueType { Integer, Text };

/// The `sql` adapter's settings, e.g. for school_register:
///
///     {"connector": "sqlite", "connection": "/data/school.db", "table": "student_register",
///      "watermark_column": "updated_seq", "key_column": "id", "batch_size": 1000}
struct SqlAdapterSettings {
    SqlConnector connector = SqlConnector::Sqlite;
    /// SQLite: the database file; PostgreSQL: a libpq keyword/value string or URI. May come from connection_env.
    std::string connection;
    std::string schema;                // PostgreSQL schema, or an attached SQLite database; empty: the default
    std::string table;                 // a plain identifier, quoted in statements
    std::vector<std::string> columns;  // empty: every column of the table
    std::string watermark_column;
    SqlValueType watermark_type = SqlValueType::Integer;
    std::string key_column;  // breaks ties between rows with equal watermarks; empty: none
    SqlValueType key_type = SqlValueType::Integer;
    std::size_t batch_size = 1000;  // rows per pull at most, whatever the caller asks
    int retries = 2;                // further attempts after a failed connection
    std::int64_t retry_delay_ms = 500;
};

/// Parses and validates; throws GatewayError(InvalidConfig) "ORIGIN: settings.KEY: problem".
SqlAdapterSettings parseSqlAdapterSettings(const AdapterConfig& config);

/// True for a plain SQL identifier: an ASCII letter or '_', then letters, digits or '_', at most 63 characters.
/// Only such names are accepted, so quoting them in statements is safe.
bool isPlainIdentifier(std::string_view name);

/// "name" in double quotes, any quote inside doubled: safe for any name, also one read from the source's catalog.
/// A NUL byte, which no database takes in a name, is a SourceError.
std::string quoteIdentifier(std::string_view name);

}  // namespace gateway::adapters::sql
