#include "tests/support/postgres.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>

namespace gateway::testing {

namespace {

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;

Connection connect(const std::string& connection) {
    return Connection(PQconnectdb(connection.c_str()), &PQfinish);
}

/// Runs one statement; returns the server's error, or "" on success.
std::string execute(PGconn* connection, const std::string& statement) {
    PGresult* result = PQexec(connection, statement.c_str());
    std::string error;
    if (PQresultStatus(result) != PGRES_COMMAND_OK) {
        error = PQresultErrorMessage(result);
    }
    PQclear(result);
    return error;
}

std::string randomName() {
    std::random_device device;
    std::ostringstream name;
    name << "gw_test_" << std::hex << device() << device();
    return name.str();
}

}  // namespace

void PostgresTestDatabase::create() {
    const char* dir = std::getenv(kPostgresDirVariable);
    if (dir == nullptr || *dir == '\0') {
        GTEST_SKIP() << kPostgresDirVariable
                     << " is not set, so there is no test PostgreSQL server. Run these tests through ctest in the "
                        "build folder (ctest -R postgresql), which starts one, or start one by hand: "
                        "ops/pg/fixture.sh start /tmp/gw-pg && GATEWAY_TEST_PG_DIR=/tmp/gw-pg <this binary>";
    }
    const std::string file = std::string(dir) + "/connection";
    std::ifstream in(file);
    if (!std::getline(in, server_) || server_.empty()) {
        FAIL() << "no PostgreSQL connection string in " << file << " (did ops/pg/fixture.sh start succeed?)";
    }
    Connection admin = connect(server_);
    if (PQstatus(admin.get()) != CONNECTION_OK) {
        FAIL() << "cannot reach the test PostgreSQL server (" << server_ << "): " << PQerrorMessage(admin.get());
    }
    const std::string name = randomName();
    const std::string error = execute(admin.get(), "CREATE DATABASE " + name);
    if (!error.empty()) {
        FAIL() << "cannot create database " << name << ": " << error;
    }
    name_ = name;
    // libpq takes the last of repeated keywords, so this overrides the server string's dbname.
    connection_ = server_ + " dbname=" + name_;
}

PostgresTestDatabase::~PostgresTestDatabase() {
    if (name_.empty()) {
        return;
    }
    Connection admin = connect(server_);
    if (PQstatus(admin.get()) != CONNECTION_OK) {
        ADD_FAILURE() << "cannot reach the test PostgreSQL server to drop " << name_ << ": "
                      << PQerrorMessage(admin.get());
        return;
    }
    const std::string error = execute(admin.get(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    if (!error.empty()) {
        ADD_FAILURE() << "cannot drop database " << name_ << ": " << error;
    }
}

}  // namespace gateway::testing
