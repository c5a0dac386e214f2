#pragma once

#include <string>

namespace gateway::testing {

/// Set by ctest to the folder of the PostgreSQL server that ops/pg/fixture.sh started for the run; the server's
/// connection string is in its `connection` file.
inline constexpr const char* kPostgresDirVariable = "GATEWAY_TEST_PG_DIR";

/// A fresh, empty database gw_test_<random> on the test server, dropped (with any connection still open to it)
/// on destruction, so that PostgreSQL tests are isolated and may run in parallel.
class PostgresTestDatabase {
public:
    PostgresTestDatabase() = default;
    ~PostgresTestDatabase();
    PostgresTestDatabase(const PostgresTestDatabase&) = delete;
    PostgresTestDatabase& operator=(const PostgresTestDatabase&) = delete;

    /// Creates the database. Skips the current test when GATEWAY_TEST_PG_DIR is unset (the binary was started by
    /// hand) and fails it when the server cannot be reached; check created() afterwards. Uses gtest assertions,
    /// so call it from SetUp() or a test body.
    void create();

    bool created() const { return !name_.empty(); }
    const std::string& name() const { return name_; }
    /// libpq keyword/value string for this database.
    const std::string& connection() const { return connection_; }

private:
    std::string server_;
    std::string name_;
    std::string connection_;
};

}  // namespace gateway::testing
