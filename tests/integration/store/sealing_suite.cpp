// Citizen and guardian ID numbers and phone numbers are sealed at rest: with a keyring, nothing a person with the
// database's files (or a dump) can read holds them, lookups by ID number still work, rotation re-seals every value
// under the new key while the old key still opens what it sealed, and a value moved to another column or another
// child's row, or altered, fails to open. With a keyring, plaintext and tokens sealed before values were bound to
// their rows are read only by rotation, which binds them.

#include "tests/integration/store/store_suite.h"
#include "tests/support/sealed_tokens.h"

#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "gateway/vault/field_cipher.h"
#include "gateway/vault/keyring.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gateway::testing {

namespace {

constexpr const char* kSource = "police_population";
constexpr const char* kChildId = "110101200801011234";
constexpr const char* kGuardianId = "11010119800101567X";
constexpr const char* kPhone = "13912345678";

std::shared_ptr<const vault::FieldCipher> cipherOf(const std::string& keyring_json) {
    return std::make_shared<const vault::FieldCipher>(vault::Keyring::parse(keyring_json, "test keyring"));
}

/// A record, a raw payload and a quarantined row that all hold the child's and the guardian's numbers.
intake::BatchCommit personalBatch(std::optional<std::string> expected, const std::string& next) {
    intake::BatchCommit batch;
    batch.raw.source = kSource;
    batch.raw.received_at = "2026-11-01T08:00:05.000Z";
    batch.raw.payload = std::string("gmsfhm,jhrsfhm,lxdh\n") + kChildId + "," + kGuardianId + "," + kPhone + "\n";
    batch.raw.sha256 = sha256Hex(batch.raw.payload);
    batch.raw.record_count = 2;
    intake::StagedRecord record;
    record.source = kSource;
    record.source_id = "P1";
    record.observed_at = "2026-11-01T08:00:00.000Z";
    record.record_json = std::string(R"({"source_id":"P1","id_number":")") + kChildId +
                         R"(","guardians":[{"id_number":")" + kGuardianId + R"(","phone":")" + kPhone + R"("}]})";
    record.content_hash = sha256Hex(record.record_json + next);
    batch.records.push_back(record);
    batch.quarantined.push_back({kSource, "row 2", std::string("bad,") + kChildId + "," + kPhone,
                                 std::string("citizen ID \"") + kGuardianId + "\" has a bad check character", 0});
    batch.expected_watermark = std::move(expected);
    batch.new_watermark = next;
    batch.actor = "sync";
    return batch;
}

linkage::LinkRunCommit personalLinkRun() {
    linkage::LinkRunCommit run;
    run.assignments.push_back({kSource, "P1", "person-1"});
    linkage::ReviewItem item;
    item.pair_id = linkage::reviewPairId(kSource, "P1", kSource, "P2");
    item.left_source = kSource;
    item.left_id = "P1";
    item.right_source = kSource;
    item.right_id = "P2";
    item.weight = 3.5;
    item.reason = "review_band";
    item.explanation_json =
        std::string(R"({"comparisons":[{"left":")") + kChildId + R"(","right":")" + kPhone + "\"}]}";
    run.review.push_back(item);
    run.model_json = std::string(R"({"tf":{")") + kPhone + R"(":2}})";
    run.linked_through_batch = 1;
    run.at = "2026-11-01T09:00:00.000Z";
    run.actor = "link";
    return run;
}

profile::ProfileVersion personalProfile(const std::string& content = "a") {
    profile::ProfileVersion profile;
    profile.person_id = "person-1";
    profile.built_at = "2026-11-01T09:00:00.000Z";
    profile.profile_json = std::string(R"({"id_number":")") + kChildId + R"(","guardians":[{"phone":")" + kPhone +
                           R"("}],"c":")" + content + "\"}";
    profile.content_hash = sha256Hex(profile.profile_json);
    profile.name = "child";
    profile.id_number = kChildId;
    profile.birth_date = "2008-01-01";
    profile.residence_division = "110101001001";
    profile.hukou_division = "110101001001";
    return profile;
}

/// Writes one of everything that holds personal data.
void writePersonalData(store::Store& store) {
    store.commitBatch(personalBatch(std::nullopt, "w1"));
    store.commitLinkRun(personalLinkRun());
    store.commitProfiles({personalProfile()}, "profiles");
}

/// Reads everything back through the store and checks it is the plaintext written.
void expectPersonalDataReads(store::Store& store) {
    const auto record = store.sourceRecord(kSource, "P1");
    ASSERT_TRUE(record.has_value());
    EXPECT_NE(record->record_json.find(kGuardianId), std::string::npos) << record->record_json;
    const auto raw = store.rawBatch(record->batch_id);
    ASSERT_TRUE(raw.has_value());
    EXPECT_NE(raw->payload.find(kPhone), std::string::npos);
    const auto quarantined = store.quarantined(kSource, 10);
    ASSERT_EQ(quarantined.size(), 1U);
    EXPECT_NE(quarantined[0].raw_payload.find(kChildId), std::string::npos);
    EXPECT_NE(quarantined[0].reason.find(kGuardianId), std::string::npos);
    EXPECT_NE(store.linkState().model_json.find(kPhone), std::string::npos);
    const auto item = store.reviewItem(linkage::reviewPairId(kSource, "P1", kSource, "P2"));
    ASSERT_TRUE(item.has_value());
    EXPECT_NE(item->explanation_json.find(kChildId), std::string::npos);
    const auto profile = store.profile("person-1");
    ASSERT_TRUE(profile.has_value());
    EXPECT_EQ(profile->id_number, kChildId);
    EXPECT_NE(profile->profile_json.find(kPhone), std::string::npos);
    const auto history = store.profileHistory("person-1");
    ASSERT_FALSE(history.empty());
    EXPECT_EQ(history.back().id_number, kChildId);
    const auto outbox = store.outbox(0, "", 10);
    ASSERT_FALSE(outbox.empty());
    EXPECT_NE(outbox.back().profile_json.find(kChildId), std::string::npos);
    std::size_t staged = 0;
    store.forEachStagedRecord(0, [&](const intake::StagedRecord& each) {
        staged += each.record_json.find(kPhone) != std::string::npos ? 1 : 0;
    });
    EXPECT_EQ(staged, 1U);
    std::size_t persons = 0;
    store.forEachPerson([&](const std::string&, const std::vector<intake::StagedRecord>& records) {
        persons += records.size() == 1 && records[0].record_json.find(kChildId) != std::string::npos ? 1 : 0;
    });
    EXPECT_EQ(persons, 1U);
}

std::vector<std::string> lookupById(store::Store& store, const std::string& id_number) {
    profile::ProfileQuery query;
    query.id_number = id_number;
    std::vector<std::string> persons;
    for (const auto& profile : store.queryProfiles(query)) {
        persons.push_back(profile.person_id);
    }
    return persons;
}

std::int64_t resealAll(store::Store& store, bool plaintext_only) {
    std::int64_t total = 0;
    for (int round = 0; round < 1000; ++round) {
        const std::int64_t done = store.resealSome(2, plaintext_only);
        if (done == 0) {
            return total;
        }
        total += done;
    }
    ADD_FAILURE() << "re-sealing never finished";
    return total;
}

/// `json` (a keyring) without the key named `id`, as an operator leaves it once no value names that key.
std::string withoutKey(const std::string& json, const std::string& id) {
    rapidjson::Document document;
    document.Parse(json.c_str());
    auto& keys = document["keys"];
    for (auto it = keys.Begin(); it != keys.End(); ++it) {
        if ((*it)["id"].GetString() == id) {
            keys.Erase(it);
            break;
        }
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    document.Accept(writer);
    return buffer.GetString();
}

/// Values per key id over every sealed column ("" = plaintext).
std::map<std::string, std::int64_t> countsByKey(store::Store& store) {
    std::map<std::string, std::int64_t> totals;
    for (const auto& column : store.sealedCounts()) {
        if (column.plaintext > 0) {
            totals[""] += column.plaintext;
        }
        for (const auto& [key, count] : column.keys) {
            totals[key] += count;
        }
    }
    return totals;
}

}  // namespace

TEST_P(StoreSuite, SealedColumnsHoldNoPlaintextAndReadBackWhole) {
    if (backend_ == nullptr) {
        return;
    }
    store::StoreSettings settings = backend_->settings();
    settings.cipher = cipherOf(vault::Keyring::generate());
    auto sealed = store::openStore(settings);
    sealed->migrate();
    ASSERT_TRUE(sealed->sealsPersonalData());
    writePersonalData(*sealed);

    const std::string bytes = backend_->dump();
    ASSERT_FALSE(bytes.empty());
    for (const char* secret : {kChildId, kGuardianId, kPhone}) {
        EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " is stored in plaintext";
    }
    EXPECT_TRUE(backend_->query("SELECT id_number FROM profiles").starts_with("e2:k1:"));
    expectPersonalDataReads(*sealed);
    EXPECT_EQ(lookupById(*sealed, kChildId), std::vector<std::string>{"person-1"});
    EXPECT_EQ(lookupById(*sealed, "110101200801011235"), std::vector<std::string>{});
    const auto counts = countsByKey(*sealed);
    EXPECT_EQ(counts.count(""), 0U);
    EXPECT_EQ(counts.at("k1"), 9);  // every sealed column holds one value

    // A store without the keyring cannot read them, and says why.
    try {
        store_->profile("person-1");
        FAIL() << "read a sealed profile without a keyring";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::StoreError);
        EXPECT_NE(error.message().find("security.keyring"), std::string::npos) << error.message();
    }
}

TEST_P(StoreSuite, RotationResealsEverythingUnderTheNewKeyAndOldValuesReadMeanwhile) {
    if (backend_ == nullptr) {
        return;
    }
    const std::string first = vault::Keyring::generate();
    const std::string second = vault::Keyring::rotated(first, "first");
    {
        store::StoreSettings settings = backend_->settings();
        settings.cipher = cipherOf(first);
        auto sealed = store::openStore(settings);
        sealed->migrate();
        writePersonalData(*sealed);
    }
    store::StoreSettings settings = backend_->settings();
    settings.cipher = cipherOf(second);
    auto rotated = store::openStore(settings);
    EXPECT_EQ(countsByKey(*rotated), (std::map<std::string, std::int64_t>{{"k1", 9}}));
    expectPersonalDataReads(*rotated);
    EXPECT_EQ(lookupById(*rotated, kChildId), std::vector<std::string>{"person-1"});

    // Plaintext only leaves old-key values alone; a full pass re-seals them, in batches.
    EXPECT_EQ(resealAll(*rotated, true), 0);
    EXPECT_EQ(resealAll(*rotated, false), 9);
    EXPECT_EQ(countsByKey(*rotated), (std::map<std::string, std::int64_t>{{"k2", 9}}));
    EXPECT_EQ(rotated->resealSome(100, false), 0);

    // Everything opens with the new key alone now, and the blind index still finds the child.
    settings.cipher = cipherOf(withoutKey(second, "k1"));
    auto reopened = store::openStore(settings);
    expectPersonalDataReads(*reopened);
    EXPECT_EQ(lookupById(*reopened, kChildId), std::vector<std::string>{"person-1"});
    const std::string bytes = backend_->dump();
    for (const char* secret : {kChildId, kGuardianId, kPhone}) {
        EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " is stored in plaintext";
    }
    EXPECT_TRUE(backend_->query("SELECT model_json FROM link_state").starts_with("e2:k2:"));
}

TEST_P(StoreSuite, PlaintextWrittenWithoutAKeyringIsRefusedUntilRotationSealsItInPlace) {
    if (backend_ == nullptr) {
        return;
    }
    store_->migrate();
    writePersonalData(*store_);
    EXPECT_NE(backend_->dump().find(kChildId), std::string::npos);
    EXPECT_FALSE(store_->sealsPersonalData());
    EXPECT_EQ(lookupById(*store_, kChildId), std::vector<std::string>{"person-1"});

    store::StoreSettings settings = backend_->settings();
    settings.cipher = cipherOf(vault::Keyring::generate());
    auto sealed = store::openStore(settings);
    EXPECT_EQ(countsByKey(*sealed), (std::map<std::string, std::int64_t>{{"", 9}}));
    // With a keyring, a plaintext value where a sealed one belongs could have been put there by anyone with write
    // access to the database: it is refused, and the message says what to do without quoting it.
    for (const auto& [column, read] : std::vector<std::pair<std::string, std::function<void()>>>{
             {"source_records.record_json", [&] { sealed->sourceRecord(kSource, "P1"); }},
             {"raw_batches.payload", [&] { sealed->rawBatch(1); }},
             {"quarantine.raw_payload", [&] { sealed->quarantined(kSource, 10); }},
             {"link_state.model_json", [&] { sealed->linkState(); }},
             {"review_pairs.explanation_json", [&] { sealed->reviewQueue("", 0, 10); }},
             {"profile_versions.profile_json", [&] { sealed->profile("person-1"); }},
             {"profile_versions.profile_json", [&] { sealed->outbox(0, "", 10); }},
         }) {
        try {
            read();
            ADD_FAILURE() << column << ": plaintext was read with a keyring";
        } catch (const GatewayError& error) {
            EXPECT_EQ(error.code(), ErrorCode::StoreError);
            EXPECT_NE(error.message().find(column), std::string::npos) << error.message();
            EXPECT_NE(error.message().find("not sealed"), std::string::npos) << error.message();
            EXPECT_NE(error.message().find("gateway keys rotate"), std::string::npos) << error.message();
            for (const char* secret : {kChildId, kGuardianId, kPhone}) {
                EXPECT_EQ(error.message().find(secret), std::string::npos) << error.message();
            }
        }
    }

    EXPECT_EQ(resealAll(*sealed, true), 9);
    EXPECT_EQ(countsByKey(*sealed), (std::map<std::string, std::int64_t>{{"k1", 9}}));
    expectPersonalDataReads(*sealed);
    EXPECT_EQ(lookupById(*sealed, kChildId), std::vector<std::string>{"person-1"});
    // The new profile version of a sealing store is sealed too, and replaces the index.
    sealed->commitProfiles({personalProfile("b")}, "profiles");
    EXPECT_EQ(lookupById(*sealed, kChildId), std::vector<std::string>{"person-1"});

    // Checkpointed, so that the WAL holds no page from before the sealing either.
    if (sealed->kind() == store::StoreKind::Sqlite) {
        sealed.reset();
        store_.reset();
        backend_->query("PRAGMA wal_checkpoint(TRUNCATE)");
        backend_->query("VACUUM");
    }
    const std::string bytes = backend_->dump();
    for (const char* secret : {kChildId, kGuardianId, kPhone}) {
        EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " is stored in plaintext";
    }
}

TEST_P(StoreSuite, TokensSealedBeforeRowsWereBoundAreRefusedUntilRotationBindsThem) {
    if (backend_ == nullptr) {
        return;
    }
    // A store an older gateway sealed: every text column holds "e1:" tokens, bound to their column only.
    store_->migrate();
    writePersonalData(*store_);
    struct Column {
        std::string table;
        std::string column;
        std::string where;
    };
    const std::vector<Column> columns = {
        {"source_records", "record_json", "source_id = 'P1'"},
        {"quarantine", "reason", "locator = 'row 2'"},
        {"link_state", "model_json", "id = 1"},
        {"review_pairs", "explanation_json", "left_id = 'P1'"},
        {"profile_versions", "profile_json", "person_id = 'person-1'"},
        {"profile_versions", "id_number", "person_id = 'person-1'"},
        {"profiles", "id_number", "person_id = 'person-1'"},
    };
    for (const Column& column : columns) {
        const std::string plain =
            backend_->query("SELECT " + column.column + " FROM " + column.table + " WHERE " + column.where);
        ASSERT_FALSE(plain.empty()) << column.table;
        const std::string token = testing::unboundToken(0x21, plain, column.table + "." + column.column, false);
        backend_->query("UPDATE " + column.table + " SET " + column.column + " = '" + token + "' WHERE " +
                        column.where);
    }
    // The two id_number columns share one context.
    const std::string id_token = unboundToken(0x21, kChildId, "profiles.id_number", false);
    backend_->query("UPDATE profile_versions SET id_number = '" + id_token + "'");
    backend_->query("UPDATE profiles SET id_number = '" + id_token + "'");

    store::StoreSettings settings = backend_->settings();
    settings.cipher = cipherOf(fixedKeyring(0x21));
    auto sealed = store::openStore(settings);
    std::int64_t unbound = 0;
    for (const auto& count : sealed->sealedCounts()) {
        unbound += count.unbound;
        EXPECT_TRUE(count.keys.empty()) << count.column;
    }
    EXPECT_EQ(unbound, 7);
    for (const auto& read :
         std::vector<std::function<void()>>{[&] { sealed->sourceRecord(kSource, "P1"); }, [&] { sealed->linkState(); },
                                            [&] { sealed->profile("person-1"); }}) {
        try {
            read();
            ADD_FAILURE() << "an unbound token was read as a value of its row";
        } catch (const GatewayError& error) {
            EXPECT_EQ(error.code(), ErrorCode::StoreError);
            EXPECT_NE(error.message().find("sealed before values were bound to their rows"), std::string::npos)
                << error.message();
        }
    }

    // Rotation opens them for their column and seals them again bound to their row (and seals the plaintext
    // raw payloads beside them).
    EXPECT_EQ(resealAll(*sealed, true), 9);
    EXPECT_EQ(countsByKey(*sealed), (std::map<std::string, std::int64_t>{{"k1", 9}}));
    expectPersonalDataReads(*sealed);
    EXPECT_EQ(lookupById(*sealed, kChildId), std::vector<std::string>{"person-1"});
}

TEST_P(StoreSuite, AChildsSealedValuesCopiedIntoAnotherChildsRowFailToOpen) {
    if (backend_ == nullptr) {
        return;
    }
    const std::string keyring = vault::Keyring::generate();
    store::StoreSettings settings = backend_->settings();
    settings.cipher = cipherOf(keyring);
    auto sealed = store::openStore(settings);
    sealed->migrate();
    writePersonalData(*sealed);
    // A second child, in another village, with a record, a quarantined row and a profile of its own.
    intake::BatchCommit second = personalBatch(std::string("w1"), "w2");
    second.records[0].source_id = "P2";
    second.records[0].record_json = R"({"source_id":"P2","id_number":"110101200902022345"})";
    second.records[0].content_hash = sha256Hex(second.records[0].record_json);
    second.quarantined[0].locator = "row 3";
    sealed->commitBatch(second);
    profile::ProfileVersion other = personalProfile("other");
    other.person_id = "person-2";
    other.id_number = "110101200902022345";
    other.profile_json = R"({"id_number":"110101200902022345","c":"other"})";
    other.content_hash = sha256Hex(other.profile_json);
    other.residence_division = "110101002002";
    sealed->commitProfiles({other}, "profiles");
    ASSERT_EQ(sealed->profile("person-2")->id_number, "110101200902022345");

    const auto expectRefused = [&](const std::string& column, const std::function<void()>& read) {
        try {
            read();
            ADD_FAILURE() << column << ": child 1's value was served as child 2's";
        } catch (const GatewayError& error) {
            EXPECT_EQ(error.code(), ErrorCode::StoreError);
            EXPECT_NE(error.message().find(column), std::string::npos) << error.message();
            EXPECT_NE(error.message().find("fails authentication"), std::string::npos) << error.message();
            EXPECT_EQ(error.message().find("person-"), std::string::npos) << error.message();
        }
    };
    // Whoever can write to the database copies child 1's sealed values into child 2's rows: first the ID number of
    // the current profile alone, then the rest, column by column.
    backend_->query(
        "UPDATE profiles SET id_number = (SELECT id_number FROM profiles WHERE person_id = 'person-1') "
        "WHERE person_id = 'person-2'");
    profile::ProfileQuery query;
    query.division_prefix = "110101002";
    expectRefused("profiles.id_number", [&] { sealed->queryProfiles(query); });
    backend_->query(
        "UPDATE profile_versions SET profile_json = (SELECT profile_json FROM profile_versions WHERE person_id = "
        "'person-1'), id_number = (SELECT id_number FROM profile_versions WHERE person_id = 'person-1') "
        "WHERE person_id = 'person-2'");
    backend_->query(
        "UPDATE source_records SET record_json = (SELECT record_json FROM source_records WHERE source_id = 'P1') "
        "WHERE source_id = 'P2'");
    backend_->query(
        "UPDATE quarantine SET reason = (SELECT reason FROM quarantine WHERE locator = 'row 2') "
        "WHERE locator = 'row 3'");
    expectRefused("profile_versions.profile_json", [&] { sealed->profile("person-2"); });
    expectRefused("profile_versions.profile_json", [&] { sealed->profileHistory("person-2"); });
    expectRefused("profile_versions.profile_json", [&] { sealed->outbox(0, "110101002", 10); });
    expectRefused("source_records.record_json", [&] { sealed->sourceRecord(kSource, "P2"); });
    expectRefused("quarantine.reason", [&] { sealed->quarantined(kSource, 10); });
    // Child 1's own rows still read.
    const auto first = sealed->profile("person-1");
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->id_number, kChildId);
    ASSERT_TRUE(sealed->sourceRecord(kSource, "P1").has_value());

    // Rotation to a new key does not launder a moved value either: it stops at the first column holding one.
    settings.cipher = cipherOf(vault::Keyring::rotated(keyring, "test keyring"));
    auto rotated = store::openStore(settings);
    expectRefused("source_records.record_json", [&] { rotated->resealSome(1000, false); });
}

TEST_P(StoreSuite, SealedValueMovedToAnotherColumnOrAlteredFailsToOpen) {
    if (backend_ == nullptr) {
        return;
    }
    store::StoreSettings settings = backend_->settings();
    settings.cipher = cipherOf(vault::Keyring::generate());
    auto sealed = store::openStore(settings);
    sealed->migrate();
    writePersonalData(*sealed);

    // The record's token, moved into the link state's column: a valid token, for the wrong column.
    backend_->query(
        "UPDATE link_state SET model_json = (SELECT record_json FROM source_records WHERE source_id = 'P1')");
    try {
        sealed->linkState();
        FAIL() << "a token moved to another column opened";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::StoreError);
        EXPECT_NE(error.message().find("link_state.model_json"), std::string::npos) << error.message();
        EXPECT_EQ(error.message().find(kPhone), std::string::npos) << error.message();
    }

    // One character of the record's ciphertext changed.
    std::string token = backend_->query("SELECT record_json FROM source_records WHERE source_id = 'P1'");
    ASSERT_TRUE(token.starts_with("e2:k1:"));
    char& c = token[token.size() / 2];
    c = c == 'A' ? 'B' : 'A';
    backend_->query("UPDATE source_records SET record_json = '" + token + "' WHERE source_id = 'P1'");
    try {
        sealed->sourceRecord(kSource, "P1");
        FAIL() << "an altered token opened";
    } catch (const GatewayError& error) {
        EXPECT_EQ(error.code(), ErrorCode::StoreError);
        EXPECT_NE(error.message().find("source_records.record_json"), std::string::npos) << error.message();
    }
}

}  // namespace gateway::testing
