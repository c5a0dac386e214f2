#include "gateway/common/error.h"
#include "tests/integration/store/store_suite.h"
#include "tests/support/temp_dir.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/File.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include <optional>

namespace gateway::testing {

namespace {

constexpr const char* kSource = "police_population";

class SqliteBackend : public StoreBackend {
public:
    store::StoreSettings settings() const override {
        store::StoreSettings settings;
        settings.kind = store::StoreKind::Sqlite;
        settings.sqlite_path = dir_.file("gateway.db");
        return settings;
    }

    std::string query(const std::string& statement) const override {
        sqlite3* raw = nullptr;
        EXPECT_EQ(sqlite3_open(dir_.file("gateway.db").c_str(), &raw), SQLITE_OK);
        std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
        sqlite3_busy_timeout(db.get(), 5000);
        std::string first;
        bool seen = false;
        struct Out {
            std::string* first;
            bool* seen;
        } out{&first, &seen};
        auto keep_first = [](void* target, int columns, char** values, char**) -> int {
            auto* o = static_cast<Out*>(target);
            if (!*o->seen && columns > 0) {
                *o->seen = true;
                *o->first = values[0] == nullptr ? "" : values[0];
            }
            return 0;
        };
        char* error = nullptr;
        const int status = sqlite3_exec(db.get(), statement.c_str(), keep_first, &out, &error);
        EXPECT_EQ(status, SQLITE_OK) << (error != nullptr ? error : "") << " in " << statement;
        sqlite3_free(error);
        return first;
    }

    std::string dump() const override {
        std::string bytes;
        for (const char* name : {"gateway.db", "gateway.db-wal"}) {
            if (Poco::File(dir_.file(name)).exists()) {
                bytes += readFile(dir_.file(name));
            }
        }
        return bytes;
    }

private:
    TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreSuite,
                         ::testing::Values(StoreSuiteParam{"sqlite", [] { return std::make_unique<SqliteBackend>(); }}),
                         storeSuiteParamName);

store::StoreSettings sqliteAt(const std::string& path) {
    store::StoreSettings settings;
    settings.kind = store::StoreKind::Sqlite;
    settings.sqlite_path = path;
    return settings;
}

intake::BatchCommit smallBatch(std::optional<std::string> expected, const std::string& next) {
    intake::BatchCommit batch;
    batch.raw = {kSource, "2026-11-01T08:00:05.000Z", "payload", std::string(64, '0'), 1};
    batch.records.push_back({kSource, "P1", "2026-11-01T08:00:00.000Z", "{\"n\":\"" + next + "\"}",
                             std::string(63, '1') + next.substr(next.size() - 1), 0, 0});
    batch.expected_watermark = std::move(expected);
    batch.new_watermark = next;
    batch.actor = "sync";
    return batch;
}

void expectUnavailableNaming(const std::string& path) {
    try {
        store::openStore(sqliteAt(path));
        FAIL() << "opened " << path;
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::StoreUnavailable);
        EXPECT_NE(error.message().find(path), std::string::npos) << error.message();
        EXPECT_EQ(error.message().find('\n'), std::string::npos) << error.message();
    }
}

}  // namespace

TEST(SqliteStoreTest, PathInAMissingFolderIsStoreUnavailableNamingThePath) {
    TempDir dir;
    expectUnavailableNaming(dir.file("no/such/folder/gateway.db"));
}

TEST(SqliteStoreTest, UnwritablePathIsStoreUnavailableNamingThePath) {
    expectUnavailableNaming("/proc/x");
}

TEST(SqliteStoreTest, DirectoryPathIsStoreUnavailableNamingThePath) {
    TempDir dir;
    expectUnavailableNaming(dir.path());
}

TEST(SqliteStoreTest, ANewDatabaseAndItsWalAreTheGatewaysAloneWhateverTheUmask) {
    TempDir dir;
    const std::string path = dir.file("gateway.db");
    const mode_t previous = ::umask(0);
    {
        auto store = store::openStore(sqliteAt(path));
        store->migrate();
        store->commitBatch(smallBatch(std::nullopt, "w1"));
    }
    ::umask(previous);
    for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
        struct stat info {};
        if (::stat(file.c_str(), &info) == 0) {
            EXPECT_EQ(info.st_mode & 0777, 0600u) << file;
        } else {
            EXPECT_NE(file, path) << "the database itself must exist";
        }
    }
}

TEST(SqliteStoreTest, ADatabasePathThatIsASymbolicLinkIsRefused) {
    TempDir dir;
    const std::string elsewhere = dir.file("elsewhere.db");
    const std::string link = dir.file("gateway.db");
    ASSERT_EQ(::symlink(elsewhere.c_str(), link.c_str()), 0);
    expectUnavailableNaming(link);
    EXPECT_FALSE(Poco::File(elsewhere).exists()) << "nothing is made at the end of the link";
}

TEST(SqliteStoreTest, SecondStoreOnTheSameFileSeesCommittedData) {
    TempDir dir;
    const std::string path = dir.file("gateway.db");
    {
        auto first = store::openStore(sqliteAt(path));
        first->migrate();
        first->commitBatch(smallBatch(std::nullopt, "w1"));

        auto second = store::openStore(sqliteAt(path));
        EXPECT_EQ(second->watermark(kSource), "w1");
        EXPECT_EQ(second->countSourceRecords(kSource), 1);
    }
    // Closed and opened again, as after a restart.
    auto reopened = store::openStore(sqliteAt(path));
    EXPECT_EQ(reopened->schemaVersion(), store::latestSchemaVersion());
    EXPECT_EQ(reopened->watermark(kSource), "w1");
    EXPECT_EQ(reopened->countSourceRecords(kSource), 1);
    EXPECT_EQ(reopened->exchangeLog(0, 10).size(), 1u);
}

TEST(SqliteStoreTest, FailedMigrationLeavesNoTrace) {
    TempDir dir;
    const std::string path = dir.file("gateway.db");
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session direct(Poco::Data::SQLite::Connector::KEY, path);
    // A table in the way of one of migration 1's later statements.
    direct << "CREATE TABLE exchange_log (x INTEGER)", Poco::Data::Keywords::now;
    auto store = store::openStore(sqliteAt(path));

    try {
        store->migrate();
        FAIL() << "migrated over an existing table";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::StoreError) << error.message();
        EXPECT_NE(error.message().find("migration 1"), std::string::npos) << error.message();
    }
    EXPECT_EQ(store->schemaVersion(), 0);
    int tables = -1;
    direct << "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('source_state', 'raw_batches')",
        Poco::Data::Keywords::into(tables), Poco::Data::Keywords::now;
    EXPECT_EQ(tables, 0) << "the statements before the failing one were rolled back";

    direct << "DROP TABLE exchange_log", Poco::Data::Keywords::now;
    store->migrate();
    EXPECT_EQ(store->schemaVersion(), store::latestSchemaVersion());
}

TEST(SqliteStoreTest, WriterWaitsForTheBusyTimeoutThenReportsStoreUnavailable) {
    TempDir dir;
    store::StoreSettings settings = sqliteAt(dir.file("gateway.db"));
    settings.busy_timeout_ms = 200;
    auto store = store::openStore(settings);
    store->migrate();

    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session holder(Poco::Data::SQLite::Connector::KEY, settings.sqlite_path);
    holder << "BEGIN IMMEDIATE", Poco::Data::Keywords::now;
    try {
        store->commitBatch(smallBatch(std::nullopt, "w1"));
        FAIL() << "committed while another connection held the write lock";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::StoreUnavailable) << error.message();
        EXPECT_NE(error.message().find("locked"), std::string::npos) << error.message();
    }
    EXPECT_EQ(store->watermark(kSource), std::nullopt) << "readers do not wait for the writer";
    holder << "ROLLBACK", Poco::Data::Keywords::now;

    store->commitBatch(smallBatch(std::nullopt, "w1"));
    EXPECT_EQ(store->watermark(kSource), "w1");
}

}  // namespace gateway::testing
