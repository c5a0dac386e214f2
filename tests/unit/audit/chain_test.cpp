#include "gateway/audit/chain.h"

#include <gtest/gtest.h>

namespace gateway::audit {
namespace {

LogEntry sample() {
    return {0, "2026-11-23T10:00:00Z", "police", "source.pull", "police", R"({"records":3})"};
}

std::string digestOf(HashAlgorithm algorithm, std::string_view text) {
    Digest digest(algorithm);
    digest.begin();
    digest.update(text);
    return toHex(digest.final());
}

TEST(DigestTest, KnownAnswers) {
    EXPECT_EQ(digestOf(HashAlgorithm::Sha256, "abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // GB/T 32905-2016, example 1.
    EXPECT_EQ(digestOf(HashAlgorithm::Sm3, "abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
}

TEST(DigestTest, AlgorithmNamesAndHex) {
    EXPECT_EQ(parseHashAlgorithm("sm3"), HashAlgorithm::Sm3);
    EXPECT_EQ(parseHashAlgorithm("sha256"), HashAlgorithm::Sha256);
    EXPECT_FALSE(parseHashAlgorithm("SHA-256").has_value());
    EXPECT_FALSE(parseHashAlgorithm("md5").has_value());
    Hash hash{};
    hash[0] = 0xAB;
    hash[31] = 0x01;
    EXPECT_EQ(hashFromHex(toHex(hash)), hash);
    EXPECT_FALSE(hashFromHex(toHex(hash).substr(2)).has_value());
    EXPECT_FALSE(hashFromHex(std::string(64, 'z')).has_value());
    EXPECT_FALSE(hashFromHex("").has_value());
}

TEST(ChainTest, TheEncodingIsTheDocumentedOne) {
    // Computed apart from this code, from the layout chain.h documents: previous ‖ seq (8 bytes) ‖ each text with
    // its length (4 bytes) ‖ [count (4 bytes) ‖ each person with its length]. An auditor's own tool must agree.
    Digest digest(HashAlgorithm::Sha256);
    LogEntry entry = sample();
    entry.seq = 7;
    entry.persons = {"P1", "P20"};
    EXPECT_EQ(toHex(entryHash(digest, kGenesis, entry, false)),
              "2c4ddaac2df23998691fc755b7caf1fdad980eec9f795ebccf72b6ea2f7d131b");
    EXPECT_EQ(toHex(entryHash(digest, kGenesis, entry, true)),
              "6a93e233f21abcdd8b8954903236e9ddc9390aeb1f2bf98afb2eb53523555210");
}

TEST(ChainTest, EveryFieldAndThePreviousHashCount) {
    Digest digest(HashAlgorithm::Sha256);
    LogEntry entry = sample();
    entry.seq = 7;
    entry.persons = {"P1", "P2"};
    const Hash base = entryHash(digest, kGenesis, entry, true);
    EXPECT_EQ(entryHash(digest, kGenesis, entry, true), base);

    std::vector<LogEntry> variants(10, entry);
    variants[0].seq = 8;
    variants[1].at = "2026-11-23T10:00:01Z";
    variants[2].actor = "school";
    variants[3].action = "source.pul";
    variants[4].subject = "Police";
    variants[5].detail_json = R"({"records":4})";
    variants[6].persons = {"P1"};              // a child left out of who a read disclosed
    variants[7].persons = {"P1", "P2", "P3"};  // one added
    variants[8].persons = {"P2", "P1"};        // the stored order counts too
    variants[9].persons = {"P1P2"};
    for (const LogEntry& variant : variants) {
        EXPECT_NE(entryHash(digest, kGenesis, variant, true), base);
    }
    Hash other_previous{};
    other_previous[0] = 1;
    EXPECT_NE(entryHash(digest, other_previous, entry, true), base);

    // The stored hash is not part of what is hashed.
    LogEntry annotated = entry;
    annotated.hash = "ff";
    EXPECT_EQ(entryHash(digest, kGenesis, annotated, true), base);
}

TEST(ChainTest, EntriesBeforeTheFormatCoveredPersonsKeepTheirHashes) {
    Digest digest(HashAlgorithm::Sha256);
    LogEntry entry = sample();
    entry.seq = 3;
    const Hash legacy = entryHash(digest, kGenesis, entry, false);
    LogEntry named = entry;
    named.persons = {"P1"};
    EXPECT_EQ(entryHash(digest, kGenesis, named, false), legacy);
    // Even with no persons the two encodings differ, so that an entry cannot pass for the other kind.
    EXPECT_NE(entryHash(digest, kGenesis, entry, true), legacy);

    std::vector<LogEntry> entries(3, named);
    const ChainFormat format{HashAlgorithm::Sha256, 43};
    EXPECT_FALSE(format.coversPersons(42));
    EXPECT_TRUE(format.coversPersons(43));
    chainEntries(digest, 41, kGenesis, entries, format);
    EXPECT_EQ(entries[0].hash, toHex(entryHash(digest, kGenesis, entries[0], false)));
    EXPECT_EQ(entries[1].hash, toHex(entryHash(digest, *hashFromHex(entries[0].hash), entries[1], true)));
    EXPECT_EQ(entries[2].hash, toHex(entryHash(digest, *hashFromHex(entries[1].hash), entries[2], true)));
}

TEST(ChainTest, FieldBoundariesAreUnambiguous) {
    Digest digest(HashAlgorithm::Sha256);
    LogEntry a = sample();
    LogEntry b = sample();
    a.actor = "ab";
    a.action = "c";
    b.actor = "a";
    b.action = "bc";
    EXPECT_NE(entryHash(digest, kGenesis, a, true), entryHash(digest, kGenesis, b, true));
    // The last text and the persons' count cannot trade bytes either.
    LogEntry c = sample();
    LogEntry d = sample();
    c.detail_json = std::string("{}") + std::string(4, '\0');
    d.detail_json = "{}";
    EXPECT_NE(entryHash(digest, kGenesis, c, false), entryHash(digest, kGenesis, d, true));
}

TEST(ChainTest, ChainingNumbersAndLinksEntries) {
    Digest digest(HashAlgorithm::Sm3);
    std::vector<LogEntry> entries(3, sample());
    Hash start{};
    start[5] = 9;
    chainEntries(digest, 41, start, entries, ChainFormat{HashAlgorithm::Sm3, 1});
    EXPECT_EQ(entries[0].seq, 42);
    EXPECT_EQ(entries[2].seq, 44);
    EXPECT_EQ(entries[0].hash, toHex(entryHash(digest, start, entries[0], true)));
    EXPECT_EQ(entries[1].hash, toHex(entryHash(digest, *hashFromHex(entries[0].hash), entries[1], true)));
    EXPECT_NE(entries[1].hash, entries[2].hash);  // same content, other place in the chain

    Digest sha(HashAlgorithm::Sha256);
    std::vector<LogEntry> same(3, sample());
    chainEntries(sha, 41, start, same, ChainFormat{});
    EXPECT_NE(same[0].hash, entries[0].hash);
}

}  // namespace
}  // namespace gateway::audit
