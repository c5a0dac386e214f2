// `gateway keys`: a keyring is made once and never overwritten; rotate seals what was stored in plaintext, rotate
// --new-key adds a current key, and rotate then re-seals everything under it; status counts the values per key. A store
// sealed before values were bound to their rows is refused until rotate binds them.

#include "gateway/common/hash.h"
#include "gateway/store/store.h"
#include "gateway/vault/field_cipher.h"
#include "gateway/vault/keyring.h"

#include "tests/support/process.h"
#include "tests/support/sealed_tokens.h"
#include "tests/support/temp_dir.h"

#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>

namespace gateway::testing {
namespace {

constexpr const char* kIdNumber = "110101200801011234";
constexpr const char* kPhone = "13912345678";

store::StoreSettings sqliteSettings(const std::string& path, const std::string& keyring = "") {
    store::StoreSettings settings;
    settings.sqlite_path = path;
    if (!keyring.empty()) {
        settings.cipher = std::make_shared<const vault::FieldCipher>(vault::Keyring::load(keyring));
    }
    return settings;
}

/// One batch and one profile holding the ID number and the phone, written without a keyring.
void writePlaintext(const std::string& db) {
    auto store = store::openStore(sqliteSettings(db));
    store->migrate();
    intake::BatchCommit batch;
    batch.raw = {"police_population", "2026-11-01T08:00:05.000Z", std::string(kIdNumber) + "," + kPhone, "0", 1};
    batch.raw.sha256 = sha256Hex(batch.raw.payload);
    const std::string json = std::string(R"({"id_number":")") + kIdNumber + R"(","phone":")" + kPhone + "\"}";
    batch.records.push_back({"police_population", "P1", "2026-11-01T08:00:00.000Z", json, sha256Hex(json), 0, 0});
    batch.new_watermark = "w1";
    batch.actor = "test";
    store->commitBatch(batch);
    profile::ProfileVersion profile;
    profile.person_id = "person-1";
    profile.profile_json = json;
    profile.content_hash = sha256Hex(json);
    profile.id_number = kIdNumber;
    store->commitProfiles({profile}, "test");
}

/// `gateway args…` on the SQLite file `db` with the keyring file `keyring`, and no sources.
RunResult runWithKeyring(const TempDir& dir, const std::string& db, const std::string& keyring,
                         std::vector<std::string> args) {
    for (const std::string& setting : {"store.sqlite.path=" + db, "security.keyring=" + keyring,
                                       std::string("logging.level=warning"), "sources.dir=" + dir.file("none")}) {
        args.push_back("--set");
        args.push_back(setting);
    }
    return runGateway(args);
}

int modeOf(const std::string& path) {
    struct stat status {};
    return ::stat(path.c_str(), &status) == 0 ? static_cast<int>(status.st_mode & 07777) : -1;
}

TEST(KeysCliTest, GenerateWritesAPrivateKeyringOnceAndNeverOverwrites) {
    TempDir dir;
    const std::string keyring = dir.file("keyring.json");
    const auto made = runGateway({"keys", "generate", "--output", keyring});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    EXPECT_EQ(modeOf(keyring), 0600);
    const std::string first = readFile(keyring);
    EXPECT_NO_THROW(vault::Keyring::parse(first, keyring));
    EXPECT_EQ(made.out.find(first.substr(first.find("index_key"), 40)), std::string::npos) << "printed key material";

    const auto again = runGateway({"keys", "generate", "--output", keyring});
    EXPECT_NE(again.exit_code, 0);
    EXPECT_NE(again.err.find("exists already"), std::string::npos) << again.err;
    EXPECT_EQ(readFile(keyring), first);

    EXPECT_EQ(runGateway({"keys", "generate"}).exit_code, 64);
}

TEST(KeysCliTest, RotateSealsPlaintextThenMovesEverythingToANewKey) {
    TempDir dir;
    const std::string db = dir.file("gateway.db");
    const std::string keyring = dir.file("keyring.json");
    writePlaintext(db);
    ASSERT_EQ(runGateway({"keys", "generate", "--output", keyring}).exit_code, 0);
    const auto with = [&](std::vector<std::string> args) { return runWithKeyring(dir, db, keyring, std::move(args)); };

    const auto before = with({"keys", "status"});
    ASSERT_EQ(before.exit_code, 0) << before.err;
    EXPECT_NE(before.out.find("current key k1"), std::string::npos) << before.out;
    EXPECT_NE(before.out.find("source_records.record_json: 1 plaintext"), std::string::npos) << before.out;
    EXPECT_NE(before.out.find("to re-seal"), std::string::npos) << before.out;

    const auto sealed = with({"keys", "rotate", "--batch", "2"});
    ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
    EXPECT_NE(sealed.out.find("done: 5 values re-sealed"), std::string::npos) << sealed.out;
    const auto after = with({"keys", "status"});
    EXPECT_NE(after.out.find("profiles.id_number: 0 plaintext, 1 under k1"), std::string::npos) << after.out;
    EXPECT_EQ(after.out.find("to re-seal"), std::string::npos) << after.out;

    // A new key first, re-sealing once every gateway has it.
    const auto added = with({"keys", "rotate", "--new-key"});
    ASSERT_EQ(added.exit_code, 0) << added.err;
    EXPECT_NE(added.out.find("added key k2"), std::string::npos) << added.out;
    EXPECT_EQ(modeOf(keyring), 0600);
    const auto pending = with({"keys", "status"});
    EXPECT_NE(pending.out.find("current key k2"), std::string::npos) << pending.out;
    EXPECT_NE(pending.out.find("0 plaintext and 5 old-key values to re-seal"), std::string::npos) << pending.out;
    const auto rotated = with({"keys", "rotate"});
    ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
    EXPECT_NE(rotated.out.find("under key k2"), std::string::npos) << rotated.out;
    EXPECT_NE(rotated.out.find("done: 5 values re-sealed"), std::string::npos) << rotated.out;
    const auto status = with({"keys", "status"});
    EXPECT_NE(status.out.find("current key k2"), std::string::npos) << status.out;
    EXPECT_EQ(status.out.find("under k1"), std::string::npos) << status.out;
    const auto rerun = with({"keys", "rotate"});
    EXPECT_NE(rerun.out.find("done: 0 values re-sealed"), std::string::npos) << rerun.out;

    // Read through the rotated keyring, and found by ID number.
    auto store = store::openStore(sqliteSettings(db, keyring));
    const auto record = store->sourceRecord("police_population", "P1");
    ASSERT_TRUE(record.has_value());
    EXPECT_NE(record->record_json.find(kPhone), std::string::npos);
    const auto found = with({"profiles", "find", kIdNumber});
    EXPECT_EQ(found.exit_code, 0) << found.err;
    EXPECT_NE(found.out.find(kPhone), std::string::npos) << found.out;

    // Without a keyring file, --new-key says where the key would go.
    const auto no_file = runGateway({"keys", "rotate", "--new-key", "--set", "store.sqlite.path=" + db, "--set",
                                     "sources.dir=" + dir.file("none")});
    EXPECT_EQ(no_file.exit_code, 78) << no_file.err;
    EXPECT_NE(no_file.err.find("security.keyring"), std::string::npos) << no_file.err;
}

TEST(KeysCliTest, AStoreSealedBeforeRowsWereBoundIsRefusedUntilRotateBindsIt) {
    // What an earlier version left: the record and the profile's ID number sealed as "e1:" tokens, bound to their
    // column only, under the keyring the operator still has.
    TempDir dir;
    const std::string db = dir.file("gateway.db");
    const std::string keyring = dir.file("keyring.json");
    writePlaintext(db);
    writeFile(keyring, fixedKeyring(0x21));
    ASSERT_EQ(::chmod(keyring.c_str(), 0600), 0);
    {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::Session session("SQLite", db);
        using Poco::Data::Keywords::now;
        const std::string json = std::string(R"({"id_number":")") + kIdNumber + R"(","phone":")" + kPhone + "\"}";
        session << "UPDATE source_records SET record_json = '" +
                       unboundToken(0x21, json, "source_records.record_json", false) + "'",
            now;
        session << "UPDATE profile_versions SET profile_json = '" +
                       unboundToken(0x21, json, "profile_versions.profile_json", false) + "'",
            now;
        for (const char* table : {"profiles", "profile_versions"}) {
            session << "UPDATE " + std::string(table) + " SET id_number = '" +
                           unboundToken(0x21, kIdNumber, "profiles.id_number", false) + "'",
                now;
        }
    }
    const auto with = [&](std::vector<std::string> args) { return runWithKeyring(dir, db, keyring, std::move(args)); };

    const auto before = with({"keys", "status"});
    ASSERT_EQ(before.exit_code, 0) << before.err;
    EXPECT_NE(before.out.find("profiles.id_number: 0 plaintext, 1 not bound to their rows"), std::string::npos)
        << before.out;
    EXPECT_NE(before.out.find("1 plaintext, 4 unbound and 0 old-key values to re-seal"), std::string::npos)
        << before.out;
    EXPECT_NE(before.out.find("refuses to read"), std::string::npos) << before.out;
    const auto refused = with({"profiles", "show", "person-1"});
    EXPECT_NE(refused.exit_code, 0) << refused.out;
    EXPECT_NE(refused.err.find("sealed before values were bound to their rows"), std::string::npos) << refused.err;
    EXPECT_EQ(refused.out.find(kIdNumber), std::string::npos) << refused.out;

    const auto rotated = with({"keys", "rotate"});
    ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
    EXPECT_NE(rotated.out.find("done: 5 values re-sealed"), std::string::npos) << rotated.out;
    const auto after = with({"keys", "status"});
    EXPECT_NE(after.out.find("profiles.id_number: 0 plaintext, 1 under k1"), std::string::npos) << after.out;
    EXPECT_EQ(after.out.find("to re-seal"), std::string::npos) << after.out;
    const auto shown = with({"profiles", "show", "person-1"});
    EXPECT_EQ(shown.exit_code, 0) << shown.err;
    EXPECT_NE(shown.out.find(kPhone), std::string::npos) << shown.out;
    const auto found = with({"profiles", "find", kIdNumber});
    EXPECT_EQ(found.exit_code, 0) << found.err;
    EXPECT_NE(found.out.find(kPhone), std::string::npos) << found.out;
}

TEST(KeysCliTest, ConfigCheckRefusesAKeyringThatDoesNotLoad) {
    TempDir dir;
    const std::string keyring = dir.file("keyring.json");
    writeFile(keyring, R"({"current": "k1", "keys": []})");
    const auto checked = runGateway({"config", "check", "--set", "security.keyring=" + keyring});
    EXPECT_EQ(checked.exit_code, 78) << checked.out;
    EXPECT_NE(checked.err.find(keyring), std::string::npos) << checked.err;
    ASSERT_EQ(::unlink(keyring.c_str()), 0);
    ASSERT_EQ(runGateway({"keys", "generate", "--output", keyring}).exit_code, 0);
    const auto fine = runGateway({"config", "check", "--set", "security.keyring=" + keyring});
    EXPECT_EQ(fine.exit_code, 0) << fine.err;
}

TEST(KeysCliTest, AStoreWithoutAKeyringWarnsAtStartUp) {
    TempDir dir;
    const auto status = runGateway({"keys", "status", "--set", "store.sqlite.path=" + dir.file("gateway.db"), "--set",
                                    "sources.dir=" + dir.file("none")});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    EXPECT_NE(status.err.find("citizen ID numbers and phones are stored unencrypted"), std::string::npos) << status.err;
    EXPECT_NE(status.out.find("sealing: off"), std::string::npos) << status.out;
}

}  // namespace
}  // namespace gateway::testing
