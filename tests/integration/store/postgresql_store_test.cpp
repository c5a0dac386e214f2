#include "gateway/common/error.h"
#include "tests/integration/store/store_suite.h"
#include "tests/support/postgres.h"

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <libpq-fe.h>

#include <iterator>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

namespace gateway::testing {

namespace {

std::string query(const std::string& connection, const std::string& statement);

class PostgresBackend : public StoreBackend {
public:
    store::StoreSettings settings() const override {
        store::StoreSettings settings;
        settings.kind = store::StoreKind::Postgresql;
        settings.postgresql_connection = database_.connection();
        return settings;
    }

    std::string query(const std::string& statement) const override {
        return testing::query(database_.connection(), statement);
    }

    std::string dump() const override {
        Poco::Pipe out_pipe;
        Poco::ProcessHandle handle = Poco::Process::launch(
            "pg_dump", {"--no-owner", "--dbname=" + database_.connection()}, nullptr, &out_pipe, nullptr);
        Poco::PipeInputStream out(out_pipe);
        std::string bytes((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
        EXPECT_EQ(handle.wait(), 0) << "pg_dump failed";
        // pg_dump writes bytea as hex; the payloads are checked decoded as well.
        bytes += query("SELECT string_agg(encode(payload, 'escape'), E'\\n') FROM raw_batches");
        bytes += query("SELECT string_agg(encode(raw_payload, 'escape'), E'\\n') FROM quarantine");
        return bytes;
    }

    PostgresTestDatabase database_;
};

std::unique_ptr<StoreBackend> makePostgresBackend() {
    auto backend = std::make_unique<PostgresBackend>();
    backend->database_.create();
    if (!backend->database_.created()) {
        return nullptr;
    }
    return backend;
}

INSTANTIATE_TEST_SUITE_P(Postgresql, StoreSuite, ::testing::Values(StoreSuiteParam{"postgresql", makePostgresBackend}),
                         storeSuiteParamName);

/// A loopback port nothing listens on: bound by the kernel's choice, then released.
int closedPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof(address);
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        return 0;
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

/// Runs one statement on `connection` and returns the first value of its first row ("" if none); fails the test on
/// an error.
std::string query(const std::string& connection, const std::string& statement) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> db(PQconnectdb(connection.c_str()), &PQfinish);
    EXPECT_EQ(PQstatus(db.get()), CONNECTION_OK) << PQerrorMessage(db.get());
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(db.get(), statement.c_str()), &PQclear);
    const ExecStatusType status = PQresultStatus(result.get());
    EXPECT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) << PQresultErrorMessage(result.get());
    if (status != PGRES_TUPLES_OK || PQntuples(result.get()) == 0) {
        return {};
    }
    return PQgetvalue(result.get(), 0, 0);
}

}  // namespace

TEST(PostgresqlStoreTest, FailedMigrationLeavesNoTrace) {
    PostgresTestDatabase database;
    database.create();
    if (!database.created()) {
        return;
    }
    // A table in the way of one of migration 1's later statements.
    query(database.connection(), "CREATE TABLE exchange_log (x INTEGER)");
    store::StoreSettings settings;
    settings.kind = store::StoreKind::Postgresql;
    settings.postgresql_connection = database.connection();
    auto store = store::openStore(settings);

    try {
        store->migrate();
        FAIL() << "migrated over an existing table";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::StoreError) << error.message();
        EXPECT_NE(error.message().find("migration 1"), std::string::npos) << error.message();
        EXPECT_NE(error.message().find("42P07"), std::string::npos) << error.message();
    }
    EXPECT_EQ(store->schemaVersion(), 0);
    EXPECT_EQ(query(database.connection(),
                    "SELECT COUNT(*) FROM pg_tables WHERE tablename IN ('source_state', 'raw_batches')"),
              "0")
        << "the statements before the failing one were rolled back";

    query(database.connection(), "DROP TABLE exchange_log");
    store->migrate();
    EXPECT_EQ(store->schemaVersion(), store::latestSchemaVersion());
}

TEST(PostgresqlStoreTest, ClosedPortIsStoreUnavailableWithoutThePassword) {
    const int port = closedPort();
    ASSERT_NE(port, 0);
    store::StoreSettings settings;
    settings.kind = store::StoreKind::Postgresql;
    settings.postgresql_connection =
        "host=127.0.0.1 port=" + std::to_string(port) + " dbname=gateway user=gw password=hunter2secret";
    try {
        store::openStore(settings);
        FAIL() << "connected to a closed port";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::StoreUnavailable);
        EXPECT_NE(error.message().find("127.0.0.1:" + std::to_string(port)), std::string::npos) << error.message();
        EXPECT_EQ(error.message().find("hunter2secret"), std::string::npos) << error.message();
        EXPECT_EQ(error.message().find('\n'), std::string::npos) << error.message();
    }
}

TEST(PostgresqlStoreTest, MalformedConnectionStringIsStoreUnavailable) {
    store::StoreSettings settings;
    settings.kind = store::StoreKind::Postgresql;
    settings.postgresql_connection = "host='127.0.0.1 port=5432";
    try {
        store::openStore(settings);
        FAIL() << "accepted an unterminated quote";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::StoreUnavailable);
        EXPECT_NE(error.message().find("invalid PostgreSQL connection string"), std::string::npos) << error.message();
    }
}

TEST(PostgresqlStoreTest, UriConnectionStringWorks) {
    PostgresTestDatabase database;
    database.create();
    if (!database.created()) {
        return;
    }
    // The keyword/value string the fixture writes, turned into the URI form some operators prefer.
    std::string host = "127.0.0.1";
    std::string port;
    const std::string& connection = database.connection();
    const std::size_t at = connection.find("port=");
    ASSERT_NE(at, std::string::npos);
    port = connection.substr(at + 5, connection.find(' ', at) - at - 5);
    store::StoreSettings settings;
    settings.kind = store::StoreKind::Postgresql;
    settings.postgresql_connection = "postgresql://postgres@" + host + ":" + port + "/" + database.name();
    auto store = store::openStore(settings);
    store->migrate();
    EXPECT_EQ(store->schemaVersion(), store::latestSchemaVersion());
}

}  // namespace gateway::testing
