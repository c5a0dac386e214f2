// Encryption at rest end to end: the simulator's city synced, linked, built into profiles and pushed by the real
// gateway with a keyring configured. Afterwards the SQLite file (and its write-ahead log), or a pg_dump of the
// PostgreSQL database, holds none of the city's citizen ID numbers or phone numbers, while a lookup by ID number
// still finds the child.

#include "gateway/common/error.h"
#include "gateway/store/store.h"
#include "gateway/vault/field_cipher.h"
#include "gateway/vault/keyring.h"

#include "tests/integration/sim/deptsim_harness.h"
#include "tests/integration/sim/gateway_setup.h"
#include "tests/integration/sim/sink_process.h"
#include "tests/support/postgres.h"

#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <libpq-fe.h>
#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <set>
#include <string>

namespace gateway::testing {
namespace {

constexpr const char* kAsOf = "2026-11-01";

/// The first value of the first row of `statement` ("" if none).
std::string queryText(const std::string& connection, const std::string& statement) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> db(PQconnectdb(connection.c_str()), &PQfinish);
    EXPECT_EQ(PQstatus(db.get()), CONNECTION_OK) << PQerrorMessage(db.get());
    std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(db.get(), statement.c_str()), &PQclear);
    EXPECT_EQ(PQresultStatus(result.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(result.get());
    if (PQresultStatus(result.get()) != PGRES_TUPLES_OK || PQntuples(result.get()) == 0) {
        return {};
    }
    return PQgetvalue(result.get(), 0, 0);
}

/// Every citizen ID number and phone number of the simulator's true facts: the children's, their parents' and their
/// guardians'.
std::set<std::string> cityNumbers(const std::string& dir) {
    std::set<std::string> numbers;
    std::ifstream in(dir + "/truth/children.jsonl");
    std::string line;
    const auto take = [&](const rapidjson::Value& object, const char* name) {
        if (object.IsObject() && object.HasMember(name) && object[name].IsString() &&
            object[name].GetStringLength() >= 11) {
            numbers.insert(object[name].GetString());
        }
    };
    while (std::getline(in, line)) {
        rapidjson::Document child;
        child.Parse(line.c_str());
        take(child, "id_number");
        for (const char* person : {"father", "mother", "guardian"}) {
            if (child.HasMember(person)) {
                take(child[person], "id_number");
                take(child[person], "phone");
            }
        }
    }
    return numbers;
}

/// The numbers of `numbers` that `bytes` holds; `example` receives one of them.
std::size_t plaintextIn(const std::string& bytes, const std::set<std::string>& numbers, std::string& example) {
    std::size_t found = 0;
    for (const std::string& number : numbers) {
        if (bytes.find(number) != std::string::npos) {
            ++found;
            example = number;
        }
    }
    return found;
}

/// The SQLite file of `gateway` and its write-ahead log.
std::string sqliteBytes(const GatewaySetup& gateway) {
    const std::string db = Poco::Path(gateway.config()).parent().toString() + "gateway.db";
    std::string bytes = readFile(db);
    if (Poco::File(db + "-wal").exists()) {
        bytes += readFile(db + "-wal");
    }
    return bytes;
}

/// Syncs the simulator's city into a store (`store_args` choose it, `base` opens it directly), links it, builds the
/// profiles and pushes them to a city platform, all with a fresh keyring; then checks that lookups by ID number work
/// and that `dump` (what the database holds) has none of the city's ID or phone numbers.
void sealedCity(const sim::DeptsimServer& sim, const GatewaySetup& gateway, const std::vector<std::string>& store_args,
                const store::StoreSettings& base, const std::function<std::string()>& dump) {
    TempDir dir;
    const std::string keyring = dir.file("keyring.json");
    const auto generated = runGateway({"keys", "generate", "--output", keyring});
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
    EXPECT_NE(runGateway({"keys", "generate", "--output", keyring}).exit_code, 0) << "overwrote a keyring";
    std::vector<std::string> sealed{"--set", "security.keyring=" + keyring, "--set",
                                    std::string("profile.as_of=") + kAsOf};
    sealed.insert(sealed.end(), store_args.begin(), store_args.end());
    const auto with = [&](std::vector<std::string> args) {
        args.insert(args.end(), sealed.begin(), sealed.end());
        return gateway.run(args);
    };

    std::vector<std::string> sync{"--all"};
    sync.insert(sync.end(), sealed.begin(), sealed.end());
    const auto synced = gateway.sync(sync);
    ASSERT_EQ(synced.exit_code, 0) << synced.err;
    EXPECT_EQ(synced.err.find("unencrypted"), std::string::npos) << synced.err;
    const auto linked = with({"link", "--full"});
    ASSERT_EQ(linked.exit_code, 0) << linked.err;
    const auto built = with({"profiles", "rebuild"});
    ASSERT_EQ(built.exit_code, 0) << built.err;

    profile::ProfileQuery all;
    all.limit = 1000;
    {
        auto opened = store::openStore(base);  // without the keyring: the sealed values do not open
        EXPECT_THROW(opened->queryProfiles(all), GatewayError);
    }

    // The store as the gateway sees it, with the keyring: a child with an ID number, and the city it lives in.
    std::string person;
    std::string id_number;
    std::string city;
    {
        store::StoreSettings keyed = base;
        keyed.cipher = std::make_shared<const vault::FieldCipher>(vault::Keyring::load(keyring));
        auto store = store::openStore(keyed);
        for (const auto& profile : store->queryProfiles(all)) {
            if (profile.id_number.size() == 18 && profile.residence_division.size() == 12) {
                person = profile.person_id;
                id_number = profile.id_number;
                city = profile.residence_division.substr(0, 4);
                break;
            }
        }
    }
    ASSERT_FALSE(id_number.empty()) << "no profile with an ID number";

    sim::SinkProcess sink({}, dir.file("sink"));
    writeFile(dir.file("hook.secret"), sim::kSinkSecret + "\n");
    writeFile(dir.file("subscribers.json"), R"({"subscribers": [{"name": "city", "url": ")" + sink.url() +
                                                R"(/hooks/city", "scope": ")" + city +
                                                R"(", "view": "city", "secret_file": ")" + dir.file("hook.secret") +
                                                R"(", "batch_size": 100, "max_attempts": 3, "timeout_ms": 5000}]})");
    const auto pushed =
        with({"push", "run", "--timeout", "60", "--set", "push.subscribers=" + dir.file("subscribers.json")});
    ASSERT_EQ(pushed.exit_code, 0) << pushed.err;
    EXPECT_FALSE(sink.lines().empty()) << "nothing was pushed";

    // Lookups by ID number go through the blind index.
    const auto found = with({"profiles", "find", id_number});
    ASSERT_EQ(found.exit_code, 0) << found.err;
    EXPECT_NE(found.out.find(person), std::string::npos) << found.out;
    EXPECT_NE(found.out.find(id_number), std::string::npos) << found.out;
    EXPECT_NE(with({"profiles", "find", "110101190001011230"}).exit_code, 0);

    const auto status = with({"keys", "status"});
    ASSERT_EQ(status.exit_code, 0) << status.err;
    EXPECT_NE(status.out.find("current key k1"), std::string::npos) << status.out;
    EXPECT_EQ(status.out.find("to re-seal"), std::string::npos) << status.out;

    // Nothing of the city's numbers in the database.
    const auto numbers = cityNumbers(sim.dir());
    ASSERT_GT(numbers.size(), 300U);
    ASSERT_NE(numbers.count(id_number), 0U) << "the simulator's facts do not hold " << id_number;
    std::string example;
    EXPECT_EQ(plaintextIn(dump(), numbers, example), 0U) << "e.g. " << example << " is stored in plaintext";
}

TEST(SealedCityTest, SqliteFileHoldsNoIdOrPhoneAfterSyncLinkProfilesAndPushAndLookupsStillWork) {
    sim::DeptsimServer sim({}, 300, 5);
    GatewaySetup gateway(sim);
    store::StoreSettings base;
    base.sqlite_path = Poco::Path(gateway.config()).parent().toString() + "gateway.db";
    sealedCity(sim, gateway, {}, base, [&] { return sqliteBytes(gateway); });

    // The control: synced without a keyring, the same search finds the numbers.
    GatewaySetup plain(sim);
    ASSERT_EQ(plain.sync().exit_code, 0);
    const auto numbers = cityNumbers(sim.dir());
    std::string example;
    EXPECT_GT(plaintextIn(sqliteBytes(plain), numbers, example), numbers.size() / 2);
}

TEST(SealedCityTest, PostgresqlDumpHoldsNoIdOrPhoneAfterSyncLinkProfilesAndPushAndLookupsStillWork) {
    PostgresTestDatabase database;
    database.create();
    if (!database.created()) {
        return;
    }
    sim::DeptsimServer sim({}, 300, 5);
    GatewaySetup gateway(sim);
    store::StoreSettings base;
    base.kind = store::StoreKind::Postgresql;
    base.postgresql_connection = database.connection();
    sealedCity(
        sim, gateway,
        {"--set", "store.kind=postgresql", "--set", "store.postgresql.connection=" + database.connection()}, base, [&] {
            Poco::Pipe out_pipe;
            Poco::ProcessHandle handle = Poco::Process::launch(
                "pg_dump", {"--no-owner", "--dbname=" + database.connection()}, nullptr, &out_pipe, nullptr);
            Poco::PipeInputStream out(out_pipe);
            std::string bytes((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
            EXPECT_EQ(handle.wait(), 0) << "pg_dump failed";
            EXPECT_NE(bytes.find("COPY public.source_records"), std::string::npos);
            // pg_dump writes bytea as hex: the payloads are read decoded as well.
            bytes +=
                queryText(database.connection(), "SELECT string_agg(encode(payload, 'escape'), ' ') FROM raw_batches");
            bytes += queryText(database.connection(),
                               "SELECT string_agg(encode(raw_payload, 'escape'), ' ') FROM quarantine");
            return bytes;
        });
}

}  // namespace
}  // namespace gateway::testing
