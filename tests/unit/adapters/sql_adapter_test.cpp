#include "adapters/sql/sql_adapter.h"

#include "gateway/common/error.h"
#include "tests/support/postgres.h"
#include "tests/support/temp_dir.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>
#include <stdexcept>

namespace gateway::adapters::sql {
namespace {

using gateway::testing::PostgresTestDatabase;
using gateway::testing::TempDir;
using gateway::testing::writeFile;

constexpr const char* kStudentRegister =
    "CREATE TABLE student_register (id INTEGER PRIMARY KEY, xjh TEXT, xm TEXT, xb TEXT, csrq TEXT, sfzh TEXT, "
    "mz TEXT, xxdm TEXT, xxmc TEXT, nj TEXT, xjzt TEXT, wgqk_ts INTEGER, jhrxm TEXT, jhrdh TEXT, jhrgx TEXT, "
    "hjdz_qhdm TEXT, xzz_qhdm TEXT, updated_seq INTEGER NOT NULL)";

/// Runs statements on an SQLite file, creating it if needed.
void sqlite(const std::string& path, const std::string& statements) {
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
        throw std::runtime_error("cannot open " + path);
    }
    char* error = nullptr;
    const int result = sqlite3_exec(db, statements.c_str(), nullptr, nullptr, &error);
    const std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(db);
    if (result != SQLITE_OK) {
        throw std::runtime_error("SQLite: " + message + " in " + statements);
    }
}

std::string studentInsert(int id, int seq, const std::string& name = "张子涵") {
    const std::string sfzh = "3204112014030" + std::to_string(51000 + id);
    return "INSERT INTO student_register VALUES (" + std::to_string(id) + ", 'G" + sfzh + "', '" + name +
           "', '女', '2014-03-05', '" + sfzh +
           "', '汉族', '3204110001', '新北区实验小学', '三年级', '在读', 2, '李娜', " +
           "'13912345678', '母亲', '320411101201', '320411101201', " + std::to_string(seq) + ");";
}

std::string errorOf(const std::function<void()>& action) {
    try {
        action();
    } catch (const GatewayError& error) {
        return std::string(errorCodeName(error.code())) + ": " + error.message();
    }
    return "no error";
}

class SqlAdapterTest : public ::testing::Test {
protected:
    AdapterConfig config(const std::string& settings_json) const {
        return {"school_register", settings_json, "config/sources/school.json", dir_.file("state")};
    }

    std::string settings(const std::string& extra = "", const std::string& table = "student_register") const {
        return R"({"connector":"sqlite","connection":")" + db_ + R"(","table":")" + table +
               R"(","watermark_column":"updated_seq")" + extra + "}";
    }

    std::unique_ptr<SqlAdapter> open(const std::string& settings_json) {
        auto adapter =
            std::make_unique<SqlAdapter>([this](std::chrono::milliseconds delay) { sleeps_.push_back(delay); });
        adapter->open(config(settings_json));
        return adapter;
    }

    /// Pulls until nothing is left; returns the values of `column` in the order received.
    std::vector<std::string> drain(SqlAdapter& adapter, std::optional<std::string>& watermark, std::size_t max_records,
                                   const std::string& column = "id") {
        std::vector<std::string> values;
        for (int guard = 0; guard < 10000; ++guard) {
            const PullBatch batch = adapter.pull(watermark, max_records);
            for (const auto& row : batch.rows) {
                const std::string marker = "\"" + column + "\":\"";
                const std::size_t at = row.json.find(marker);
                values.push_back(at == std::string::npos
                                     ? "?"
                                     : row.json.substr(at + marker.size(),
                                                       row.json.find('"', at + marker.size()) - at - marker.size()));
            }
            if (batch.rows.empty()) {
                EXPECT_EQ(batch.watermark, watermark.value_or(""));
                break;
            }
            watermark = batch.watermark;
        }
        return values;
    }

    TempDir dir_;
    std::string db_ = dir_.file("school.db");
    std::vector<std::chrono::milliseconds> sleeps_;
};

TEST_F(SqlAdapterTest, ParsesSchoolRegisterSettings) {
    const SqlAdapterSettings parsed = parseSqlAdapterSettings(
        config(R"({"connector":"sqlite","connection":"/data/school.db","table":"student_register",
                   "watermark_column":"updated_seq","key_column":"id","batch_size":500})"));
    EXPECT_EQ(parsed.connector, SqlConnector::Sqlite);
    EXPECT_EQ(parsed.connection, "/data/school.db");
    EXPECT_EQ(parsed.table, "student_register");
    EXPECT_TRUE(parsed.columns.empty());
    EXPECT_EQ(parsed.watermark_column, "updated_seq");
    EXPECT_EQ(parsed.watermark_type, SqlValueType::Integer);
    EXPECT_EQ(parsed.key_column, "id");
    EXPECT_EQ(parsed.batch_size, 500u);
    EXPECT_EQ(parsed.retries, 2);
    EXPECT_EQ(parsed.retry_delay_ms, 500);

    ::setenv("GATEWAY_TEST_SCHOOL_PG", "host=db.example dbname=exchange user=gw password=secret", 1);
    const SqlAdapterSettings pg = parseSqlAdapterSettings(
        config(R"({"connector":"postgresql","connection_env":"GATEWAY_TEST_SCHOOL_PG","schema":"qzk",
                   "table":"student_register","columns":["id","xm","updated_seq"],"watermark_column":"updated_at",
                   "watermark_type":"text","key_column":"xjh","key_type":"text","retries":0})"));
    EXPECT_EQ(pg.connector, SqlConnector::Postgresql);
    EXPECT_EQ(pg.connection, "host=db.example dbname=exchange user=gw password=secret");
    EXPECT_EQ(pg.schema, "qzk");
    EXPECT_EQ(pg.columns, (std::vector<std::string>{"id", "xm", "updated_seq"}));
    EXPECT_EQ(pg.watermark_type, SqlValueType::Text);
    EXPECT_EQ(pg.key_type, SqlValueType::Text);
    EXPECT_EQ(pg.retries, 0);
}

TEST_F(SqlAdapterTest, RejectsBadSettingsWithExactMessages) {
    auto message = [&](const std::string& json) { return errorOf([&] { parseSqlAdapterSettings(config(json)); }); };
    const std::string prefix = "invalid_config: config/sources/school.json: settings.";
    EXPECT_EQ(message(R"({"connection":"x","table":"t","watermark_column":"w"})"),
              prefix + "connector: is required (one of sqlite, postgresql)");
    EXPECT_EQ(message(R"({"connector":"mysql","connection":"x","table":"t","watermark_column":"w"})"),
              prefix + "connector: must be one of sqlite, postgresql, not 'mysql'");
    EXPECT_EQ(message(R"({"connector":"sqlite","table":"t","watermark_column":"w"})"),
              prefix + "connection: is required (or connection_env)");
    EXPECT_EQ(message(R"({"connector":"sqlite","connection":"x","table":"t; DROP TABLE t","watermark_column":"w"})"),
              prefix + "table: must be a plain identifier (letters, digits and _, not starting with a digit)");
    EXPECT_EQ(
        message(R"({"connector":"sqlite","connection":"x","table":"t","watermark_column":"w","columns":["a","1b"]})"),
        prefix + "columns[1]: must be a plain identifier (letters, digits and _, not starting with a digit)");
    EXPECT_EQ(message(R"({"connector":"sqlite","connection":"x","table":"t"})"),
              prefix + "watermark_column: is required");
    EXPECT_EQ(message(R"({"connector":"sqlite","connection":"x","table":"t","watermark_column":"w","key_column":"w"})"),
              prefix + "key_column: must differ from watermark_column");
    EXPECT_EQ(message(R"({"connector":"sqlite","connection":"x","table":"t","watermark_column":"w","batch_size":0})"),
              prefix + "batch_size: must be between 1 and 100000, not 0");
    EXPECT_EQ(message(R"({"connector":"sqlite","connection":"x","table":"t","watermark_column":"w","watermark":"x"})"),
              prefix +
                  "watermark: unknown key (known: batch_size, columns, connection, connection_env, connector, "
                  "key_column, key_type, retries, retry_delay_ms, schema, table, watermark_column, "
                  "watermark_type)");
    EXPECT_EQ(message(R"({"connector":"postgresql","connection_env":"GATEWAY_TEST_UNSET_VARIABLE","table":"t",
                          "watermark_column":"w"})"),
              prefix + "connection_env: environment variable GATEWAY_TEST_UNSET_VARIABLE is not set or empty");
    EXPECT_EQ(errorOf([&] {
                  SqlAdapter adapter;
                  adapter.open(config(R"({"connector":"postgresql","connection":"host=a =b","table":"t",
                                          "watermark_column":"w"})"));
              }),
              prefix + "connection: is not a valid libpq connection string");
}

TEST_F(SqlAdapterTest, PagesToCompletionAndStopsWhenNothingIsNew) {
    std::string statements = kStudentRegister + std::string(";");
    for (int id = 1; id <= 25; ++id) {
        statements += studentInsert(id, 100 + id);
    }
    sqlite(db_, statements);
    auto adapter = open(settings());

    const PullBatch first = adapter->pull(std::nullopt, 10);
    ASSERT_EQ(first.rows.size(), 10u);
    EXPECT_TRUE(first.more);
    EXPECT_EQ(first.rows[0].locator, "student_register updated_seq=101");
    EXPECT_EQ(first.rows[0].json,
              R"({"id":"1","xjh":"G320411201403051001","xm":"张子涵","xb":"女","csrq":"2014-03-05",)"
              R"("sfzh":"320411201403051001","mz":"汉族","xxdm":"3204110001","xxmc":"新北区实验小学","nj":"三年级",)"
              R"("xjzt":"在读","wgqk_ts":"2","jhrxm":"李娜","jhrdh":"13912345678","jhrgx":"母亲",)"
              R"("hjdz_qhdm":"320411101201","xzz_qhdm":"320411101201","updated_seq":"101"})");
    std::string jsonl;
    for (const auto& row : first.rows) {
        jsonl += row.json + "\n";
    }
    EXPECT_EQ(first.payload, jsonl);
    EXPECT_EQ(decodeSqlPosition(first.watermark), (SqlPosition{"110", std::nullopt}));

    const PullBatch second = adapter->pull(first.watermark, 10);
    ASSERT_EQ(second.rows.size(), 10u);
    EXPECT_TRUE(second.more);
    EXPECT_EQ(second.rows[0].locator, "student_register updated_seq=111");
    const PullBatch third = adapter->pull(second.watermark, 10);
    ASSERT_EQ(third.rows.size(), 5u);
    EXPECT_FALSE(third.more);
    const PullBatch fourth = adapter->pull(third.watermark, 10);
    EXPECT_TRUE(fourth.rows.empty());
    EXPECT_FALSE(fourth.more);
    EXPECT_EQ(fourth.watermark, third.watermark);
    EXPECT_EQ(fourth.payload, "");
}

TEST_F(SqlAdapterTest, ResumesFromAStoredWatermarkInANewInstance) {
    std::string statements = kStudentRegister + std::string(";");
    for (int id = 1; id <= 7; ++id) {
        statements += studentInsert(id, id);
    }
    sqlite(db_, statements);
    std::optional<std::string> watermark = open(settings())->pull(std::nullopt, 3).watermark;
    auto restarted = open(settings());
    EXPECT_EQ(drain(*restarted, watermark, 3), (std::vector<std::string>{"4", "5", "6", "7"}));
}

TEST_F(SqlAdapterTest, PicksUpRowsUpdatedAfterTheWatermark) {
    std::string statements = kStudentRegister + std::string(";");
    for (int id = 1; id <= 5; ++id) {
        statements += studentInsert(id, id);
    }
    sqlite(db_, statements);
    auto adapter = open(settings(R"(,"key_column":"id")"));
    std::optional<std::string> watermark;
    EXPECT_EQ(drain(*adapter, watermark, 10).size(), 5u);

    sqlite(db_, "UPDATE student_register SET xjzt = '辍学', updated_seq = 6 WHERE id = 3;" + studentInsert(6, 7));
    const PullBatch batch = adapter->pull(watermark, 10);
    ASSERT_EQ(batch.rows.size(), 2u);
    EXPECT_EQ(batch.rows[0].locator, "student_register id=3");
    EXPECT_NE(batch.rows[0].json.find(R"("xjzt":"辍学")"), std::string::npos);
    EXPECT_EQ(batch.rows[1].locator, "student_register id=6");
}

TEST_F(SqlAdapterTest, BreaksTiesOnEqualWatermarksWithTheKeyColumn) {
    std::string statements = kStudentRegister + std::string(";");
    const int seqs[] = {1, 1, 1, 2, 2, 2, 2, 3, 3, 3};
    for (int id = 1; id <= 10; ++id) {
        statements += studentInsert(11 - id, seqs[id - 1]);  // ids run against insertion order
    }
    sqlite(db_, statements);
    auto adapter = open(settings(R"(,"key_column":"id")"));
    std::optional<std::string> watermark;
    EXPECT_EQ(drain(*adapter, watermark, 2),
              (std::vector<std::string>{"8", "9", "10", "4", "5", "6", "7", "1", "2", "3"}));
    EXPECT_EQ(decodeSqlPosition(*watermark), (SqlPosition{"3", "3"}));
}

TEST_F(SqlAdapterTest, WithoutAKeyNeverSplitsRowsThatShareAWatermark) {
    std::string statements = kStudentRegister + std::string(";");
    const int seqs[] = {1, 1, 1, 2, 2, 2, 2, 3, 3, 3};
    for (int id = 1; id <= 10; ++id) {
        statements += studentInsert(id, seqs[id - 1]);
    }
    sqlite(db_, statements);
    for (const std::size_t max_records : {2u, 4u, 10u}) {
        auto adapter = open(settings());
        std::optional<std::string> watermark;
        std::vector<std::string> ids = drain(*adapter, watermark, max_records);
        std::sort(ids.begin(), ids.end(), [](const auto& a, const auto& b) { return std::stoi(a) < std::stoi(b); });
        EXPECT_EQ(ids, (std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}))
            << "max_records " << max_records;
    }
    auto adapter = open(settings());
    const PullBatch first = adapter->pull(std::nullopt, 4);  // 1 1 1 2 | 2: the batch ends before the 2s
    EXPECT_EQ(first.rows.size(), 3u);
    const PullBatch second = adapter->pull(first.watermark, 2);  // 2 2 | 2 2: every row with 2
    EXPECT_EQ(second.rows.size(), 4u);
}

TEST_F(SqlAdapterTest, RendersEveryStorageClassExactly) {
    sqlite(db_,
           "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER, r REAL, s TEXT, b BLOB, v VARCHAR2(20), j JSONB, "
           "untyped, seq INTEGER);"
           "INSERT INTO t VALUES (1, 9007199254740993, 1.5, 'it''s 张𠮷', x'00ff10', 'v', '{\"a\":1}', 7, 1);"
           "INSERT INTO t VALUES (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2);"
           "INSERT INTO t VALUES (3, 'abc', 'x', 12, '', '', '', '', 3);");
    auto adapter = open(R"({"connector":"sqlite","connection":")" + db_ +
                        R"(","table":"t","watermark_column":"seq","key_column":"id"})");
    const PullBatch batch = adapter->pull(std::nullopt, 10);
    ASSERT_EQ(batch.rows.size(), 3u);
    EXPECT_EQ(batch.rows[0].json,
              R"({"id":"1","n":"9007199254740993","r":"1.5","s":"it's 张𠮷","b":"AP8Q","v":"v","j":"{\"a\":1}",)"
              R"("untyped":"7","seq":"1"})");
    EXPECT_EQ(batch.rows[1].json,
              R"({"id":"2","n":null,"r":null,"s":null,"b":null,"v":null,"j":null,"untyped":null,"seq":"2"})");
    // A text value in an INTEGER column stays text instead of becoming 0; an empty blob is "".
    EXPECT_EQ(batch.rows[2].json,
              R"({"id":"3","n":"abc","r":"x","s":"12","b":"","v":"","j":"","untyped":"","seq":"3"})");
}

TEST_F(SqlAdapterTest, SelectsListedColumnsPlusWatermarkAndKey) {
    sqlite(db_, kStudentRegister + std::string(";") + studentInsert(1, 5, "王𪚥"));
    auto adapter = open(settings(R"(,"columns":["xm","XB"],"key_column":"id")"));
    const PullBatch batch = adapter->pull(std::nullopt, 10);
    ASSERT_EQ(batch.rows.size(), 1u);
    EXPECT_EQ(batch.rows[0].json, R"({"xm":"王𪚥","xb":"女","updated_seq":"5","id":"1"})");
}

TEST(SqlIdentifierTest, QuotesInsideANameAreDoubledSoItNeverEndsItsQuotes) {
    EXPECT_EQ(quoteIdentifier("xm"), "\"xm\"");
    EXPECT_EQ(quoteIdentifier("a\"b"), "\"a\"\"b\"");
    EXPECT_EQ(quoteIdentifier("\""), "\"\"\"\"");
    EXPECT_EQ(quoteIdentifier("x\") FROM t; --"), "\"x\"\") FROM t; --\"");
    EXPECT_THROW(quoteIdentifier(std::string("a\0b", 3)), GatewayError);
}

TEST_F(SqlAdapterTest, ColumnNamesFromAHostileCatalogAreReadAsNamesNeverAsSql) {
    // The source's own table names a column so that, unquoted or quoted naively, the SELECT would end early and
    // run what follows. Every column is read by its name, and the table is still there afterwards.
    sqlite(db_,
           "CREATE TABLE hostile (id INTEGER PRIMARY KEY, \"x\"\" FROM hostile; DROP TABLE hostile; --\" TEXT, "
           "updated_seq INTEGER NOT NULL);"
           "INSERT INTO hostile VALUES (1, 'kept', 7);");
    auto adapter = open(settings(R"(,"key_column":"id")", "hostile"));
    const PullBatch batch = adapter->pull(std::nullopt, 10);
    ASSERT_EQ(batch.rows.size(), 1u);
    EXPECT_EQ(batch.rows[0].json, R"({"id":"1","x\" FROM hostile; DROP TABLE hostile; --":"kept","updated_seq":"7"})");
    sqlite(db_, "SELECT count(*) FROM hostile;");
}

TEST_F(SqlAdapterTest, ReadsATextWatermark) {
    sqlite(db_,
           "CREATE TABLE changes (code TEXT PRIMARY KEY, name TEXT, updated_at TEXT);"
           "INSERT INTO changes VALUES ('b', 'x', '2026-11-01T08:00:00Z'), ('a', 'y', '2026-11-01T08:00:00Z'),"
           "('c', 'z', '2026-10-31T23:00:00Z');");
    auto adapter = open(R"({"connector":"sqlite","connection":")" + db_ +
                        R"(","table":"changes","watermark_column":"updated_at","watermark_type":"text",
                           "key_column":"code","key_type":"text"})");
    std::optional<std::string> watermark;
    EXPECT_EQ(drain(*adapter, watermark, 1, "code"), (std::vector<std::string>{"c", "a", "b"}));
    EXPECT_EQ(decodeSqlPosition(*watermark), (SqlPosition{"2026-11-01T08:00:00Z", "b"}));
}

TEST_F(SqlAdapterTest, QuarantinesARowWithInvalidUtf8) {
    sqlite(db_, kStudentRegister + std::string(";") + studentInsert(1, 1) +
                    "INSERT INTO student_register (id, xm, updated_seq) VALUES (2, CAST(x'D5C5D7D3' AS TEXT), 2);" +
                    studentInsert(3, 3));
    auto adapter = open(settings(R"(,"columns":["id","xm"])"));
    const PullBatch batch = adapter->pull(std::nullopt, 10);
    ASSERT_EQ(batch.rows.size(), 3u);
    EXPECT_EQ(batch.rows[1].error,
              "student_register updated_seq=2: column xm is not valid UTF-8 (invalid UTF-8 byte 0xC5 at byte 1)");
    EXPECT_EQ(batch.rows[1].json, "");
    EXPECT_EQ(batch.rows[1].raw, "{\"id\":\"2\",\"xm\":\"\xD5\xC5\xD7\xD3\",\"updated_seq\":\"2\"}");
    EXPECT_EQ(batch.rows[2].error, "");
}

TEST_F(SqlAdapterTest, AMissingTableOrColumnIsASourceErrorNamingIt) {
    sqlite(db_, kStudentRegister + std::string(";") + studentInsert(1, 1));
    EXPECT_EQ(errorOf([&] { open(settings("", "student_registers"))->pull(std::nullopt, 10); }),
              "source_error: SQLite database " + db_ + ": table student_registers not found");
    EXPECT_EQ(errorOf([&] { open(settings(R"(,"columns":["xm","xm2"])"))->pull(std::nullopt, 10); }),
              "source_error: SQLite database " + db_ +
                  ": table student_register has no column xm2 (its columns: id, xjh, xm, xb, csrq, sfzh, mz, xxdm, "
                  "xxmc, nj, xjzt, wgqk_ts, jhrxm, jhrdh, jhrgx, hjdz_qhdm, xzz_qhdm, updated_seq)");
    EXPECT_NE(errorOf([&] {
                  open(settings(R"(,"key_column":"pk")"))->pull(std::nullopt, 10);
              }).find(": table student_register has no key column pk (its columns: id,"),
              std::string::npos);
    EXPECT_TRUE(sleeps_.empty()) << "a missing table is not retried";
}

TEST_F(SqlAdapterTest, AMissingDatabaseIsUnavailableAfterRetriesAndIsNotCreated) {
    const std::string missing = dir_.file("missing.db");
    auto adapter = open(R"({"connector":"sqlite","connection":")" + missing +
                        R"(","table":"student_register","watermark_column":"updated_seq","retry_delay_ms":1})");
    EXPECT_EQ(errorOf([&] { adapter->pull(std::nullopt, 10); }),
              "source_unavailable: school_register: failed after 3 attempts: SQLite database " + missing +
                  ": No such file or directory");
    EXPECT_EQ(sleeps_.size(), 2u);
    EXPECT_FALSE(std::filesystem::exists(missing));

    // Once the file appears, the same adapter goes on.
    sqlite(missing, kStudentRegister + std::string(";") + studentInsert(1, 1));
    EXPECT_EQ(adapter->pull(std::nullopt, 10).rows.size(), 1u);
}

TEST_F(SqlAdapterTest, AFileThatIsNotADatabaseIsASourceError) {
    writeFile(db_, std::string(4096, 'x'));
    EXPECT_EQ(errorOf([&] { open(settings())->pull(std::nullopt, 10); }),
              "source_error: SQLite database " + db_ + ": file is not a database");
}

TEST_F(SqlAdapterTest, RejectsAWatermarkItDidNotWrite) {
    sqlite(db_, kStudentRegister);
    auto adapter = open(settings());
    EXPECT_EQ(errorOf([&] { adapter->pull(std::string(R"({"after":"2026-11-01"})"), 10); }),
              "invalid_config: source school_register: the stored watermark was not written by the sql adapter with "
              "these watermark_type/key_type settings: \"{\\\"after\\\":\\\"2026-11-01\\\"}\"");
    EXPECT_EQ(errorOf([&] { adapter->pull(std::string("births_1.csv"), 10); }).substr(0, 40),
              "invalid_config: source school_register: ");
}

TEST_F(SqlAdapterTest, AnUnreachablePostgresqlServerIsUnavailableAfterRetries) {
    auto adapter = open(R"({"connector":"postgresql","connection":"host=127.0.0.1 port=1 dbname=exchange",
                           "table":"student_register","watermark_column":"updated_seq","retries":1,
                           "retry_delay_ms":1})");
    const std::string message = errorOf([&] { adapter->pull(std::nullopt, 10); });
    EXPECT_EQ(message.rfind("source_unavailable: school_register: failed after 2 attempts: PostgreSQL database "
                            "exchange at 127.0.0.1:1: ",
                            0),
              0u)
        << message;
    EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(SqlAdapterTest, Reads100kRowsQuickly) {
    constexpr int kRows = 100000;
    // An exchange table polled by its watermark has an index on it, as the department simulator's has.
    std::string statements = "BEGIN;" + std::string(kStudentRegister) +
                             "; CREATE UNIQUE INDEX student_register_seq ON student_register (updated_seq);";
    for (int id = 1; id <= kRows; ++id) {
        statements += studentInsert(id, id, id % 7 == 0 ? "张𠮷" : "欧阳子涵");
    }
    sqlite(db_, statements + "COMMIT;");
    auto adapter = open(settings(R"(,"batch_size":5000)"));
    std::optional<std::string> watermark;
    std::size_t rows = 0;
    const auto start = std::chrono::steady_clock::now();
    while (true) {
        const PullBatch batch = adapter->pull(watermark, 5000);
        rows += batch.rows.size();
        if (!batch.more) {
            break;
        }
        watermark = batch.watermark;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "[ info     ] " << kRows << " SQLite rows (18 columns) in " << seconds
              << " s: " << static_cast<long>(kRows / seconds) << " rows/s\n";
    EXPECT_EQ(rows, static_cast<std::size_t>(kRows));
}

/// PostgreSQL: the same contract on a real server, when the test run provides one (GATEWAY_TEST_PG_DIR).
class SqlAdapterPostgresqlTest : public SqlAdapterTest {
protected:
    void SetUp() override {
        database_.create();
        if (!database_.created()) {
            return;
        }
        connection_ = PQconnectdb(database_.connection().c_str());
        ASSERT_EQ(PQstatus(connection_), CONNECTION_OK) << PQerrorMessage(connection_);
    }
    void TearDown() override {
        if (connection_ != nullptr) {
            PQfinish(connection_);
        }
    }

    void execute(const std::string& statements) {
        PGresult* result = PQexec(connection_, statements.c_str());
        const auto status = PQresultStatus(result);
        const std::string error = PQresultErrorMessage(result);
        PQclear(result);
        ASSERT_TRUE(status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) << error;
    }

    std::string pgSettings(const std::string& extra = "", const std::string& table = "student_register") const {
        return R"({"connector":"postgresql","connection":")" + database_.connection() + R"(","table":")" + table +
               R"(","watermark_column":"updated_seq")" + extra + "}";
    }

    PostgresTestDatabase database_;
    PGconn* connection_ = nullptr;
};

TEST_F(SqlAdapterPostgresqlTest, PagesWithTieBreakAndRendersValuesAsText) {
    std::string statements = std::string(kStudentRegister) + ";";
    const int seqs[] = {1, 1, 1, 2, 2, 2, 2, 3, 3, 3};
    for (int id = 1; id <= 10; ++id) {
        statements += studentInsert(11 - id, seqs[id - 1], id == 3 ? "张𠮷" : "王芳");  // 张𠮷 is id 8
    }
    execute(statements + "INSERT INTO student_register (id, updated_seq) VALUES (11, 4);");
    auto adapter = open(pgSettings(R"(,"key_column":"id")"));
    std::optional<std::string> watermark;
    EXPECT_EQ(drain(*adapter, watermark, 2),
              (std::vector<std::string>{"8", "9", "10", "4", "5", "6", "7", "1", "2", "3", "11"}));

    auto fresh = open(pgSettings(R"(,"key_column":"id","columns":["xm","wgqk_ts"])"));
    const PullBatch batch = fresh->pull(std::nullopt, 1);
    ASSERT_EQ(batch.rows.size(), 1u);
    EXPECT_EQ(batch.rows[0].json, R"({"xm":"张𠮷","wgqk_ts":"2","updated_seq":"1","id":"8"})");
    EXPECT_EQ(batch.rows[0].locator, "student_register id=8");
    const PullBatch last = fresh->pull(std::string(R"({"after":"3","key":"3"})"), 10);
    ASSERT_EQ(last.rows.size(), 1u);
    EXPECT_EQ(last.rows[0].json, R"({"xm":null,"wgqk_ts":null,"updated_seq":"4","id":"11"})");
}

TEST_F(SqlAdapterPostgresqlTest, RendersPostgresqlTypesAndPagesWithoutAKey) {
    execute(
        "CREATE SCHEMA qzk; CREATE TABLE qzk.t (id bigint PRIMARY KEY, amount numeric(12,2), born date, "
        "at timestamptz, ok boolean, photo bytea, seq integer NOT NULL);"
        "SET TIME ZONE 'UTC'; ALTER DATABASE " +
        database_.name() +
        " SET TimeZone = 'UTC';"
        "INSERT INTO qzk.t VALUES (1, 620.00, '2014-03-05', '2026-11-01 08:00:00+00', true, '\\x00ff10', 1),"
        "(2, NULL, NULL, NULL, NULL, NULL, 1), (3, 0.10, '2014-02-28', NULL, false, '', 2);");
    auto adapter = open(R"({"connector":"postgresql","connection":")" + database_.connection() +
                        R"(","schema":"qzk","table":"t","watermark_column":"seq"})");
    const PullBatch first = adapter->pull(std::nullopt, 1);  // both rows with seq 1 come together
    ASSERT_EQ(first.rows.size(), 2u);
    const bool in_order = first.rows[0].json.rfind(R"({"id":"1")", 0) == 0;
    EXPECT_EQ(first.rows[in_order ? 0 : 1].json,
              R"({"id":"1","amount":"620.00","born":"2014-03-05","at":"2026-11-01 08:00:00+00","ok":"true",)"
              R"("photo":"AP8Q","seq":"1"})");
    const PullBatch second = adapter->pull(first.watermark, 1);
    ASSERT_EQ(second.rows.size(), 1u);
    EXPECT_EQ(second.rows[0].json,
              R"({"id":"3","amount":"0.10","born":"2014-02-28","at":null,"ok":"false","photo":"","seq":"2"})");
    EXPECT_FALSE(second.more);
}

TEST_F(SqlAdapterPostgresqlTest, AMissingTableOrColumnIsASourceErrorNamingIt) {
    execute(std::string(kStudentRegister) + ";" + studentInsert(1, 1));
    auto adapter = open(pgSettings("", "student_registers"));
    const std::string message = errorOf([&] { adapter->pull(std::nullopt, 10); });
    EXPECT_EQ(message.substr(0, 13), "source_error:");
    EXPECT_NE(message.find(": table student_registers not found"), std::string::npos) << message;
    // The same adapter keeps working once the table exists, on a fresh statement.
    execute(
        "CREATE TABLE student_registers (id integer, updated_seq integer); INSERT INTO student_registers "
        "VALUES (1, 1)");
    EXPECT_EQ(adapter->pull(std::nullopt, 10).rows.size(), 1u);
    EXPECT_NE(errorOf([&] {
                  open(pgSettings(R"(,"columns":["XM"])"))->pull(std::nullopt, 10);
              }).find("has no column XM (its columns: id, xjh, xm,"),
              std::string::npos);
}

TEST_F(SqlAdapterPostgresqlTest, WrongCredentialsAreASourceError) {
    auto adapter = open(R"({"connector":"postgresql","connection":")" + database_.connection() +
                        R"( dbname=gw_no_such_database","table":"t","watermark_column":"seq"})");
    const std::string message = errorOf([&] { adapter->pull(std::nullopt, 10); });
    EXPECT_EQ(message.substr(0, 13), "source_error:") << message;
    EXPECT_TRUE(sleeps_.empty());
}

}  // namespace
}  // namespace gateway::adapters::sql
