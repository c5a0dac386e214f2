#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace deptsim {

/// A prepared statement of SqliteDb. Errors throw std::runtime_error with SQLite's message.
class SqliteStatement {
public:
    SqliteStatement(sqlite3* db, std::string_view sql);
    ~SqliteStatement();
    SqliteStatement(SqliteStatement&& other) noexcept;
    SqliteStatement& operator=(SqliteStatement&&) = delete;
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    /// Parameters are numbered from 1. The text is copied, so it need not outlive the call.
    SqliteStatement& bind(int index, std::string_view text);
    SqliteStatement& bindInt(int index, std::int64_t value);
    SqliteStatement& bindNull(int index);
    /// True while there is a row to read; false once the statement is done.
    bool step();
    /// Runs a statement that returns no rows, then resets it for the next use.
    void run();
    void reset();

    /// Columns are numbered from 0; the view is valid until the next step().
    std::string_view text(int column) const;
    std::int64_t integer(int column) const;

private:
    sqlite3* db_;
    sqlite3_stmt* statement_ = nullptr;
};

/// One connection to a SQLite file.
class SqliteDb {
public:
    /// Opens (and, unless read-only, creates) the file; waits up to 10 s on locks. `mapped`: read the file through
    /// a memory map instead of a read() call per page, which for a large served table is several times faster.
    explicit SqliteDb(const std::string& path, bool read_only = false, bool mapped = false);
    ~SqliteDb();
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    void exec(const std::string& sql);
    SqliteStatement prepare(std::string_view sql) { return SqliteStatement(db_, sql); }

private:
    sqlite3* db_ = nullptr;
};

}  // namespace deptsim
