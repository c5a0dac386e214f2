#include "gateway/jobs/audit_job.h"

#include "gateway/audit/chain.h"
#include "gateway/audit/index_terms.h"
#include "gateway/audit/merkle.h"
#include "gateway/common/clock.h"
#include "gateway/common/error.h"
#include "gateway/store/lease.h"

#include <Poco/RegularExpression.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <random>

namespace gateway::jobs {

namespace {

constexpr std::size_t kPage = 20000;
constexpr const char* kCheckpointLease = "audit.checkpoint";
constexpr int kCheckpointLeaseSeconds = 300;

audit::ChainFormat logFormat(audit::LogStore& store) {
    const auto name = store.exchangeLogAlgorithm();
    if (!name) {
        return {};
    }
    const auto algorithm = audit::parseHashAlgorithm(*name);
    if (!algorithm) {
        throw GatewayError(ErrorCode::StoreError, "the exchange log names an unknown hash " + *name);
    }
    return {*algorithm, store.exchangeLogPersonsFrom()};
}

/// A keyed 64-bit fingerprint of an index term, summed per entry to compare the terms the index holds for it, met in
/// term order, with the terms it should hold. The keys are drawn for each check, so that someone editing the index
/// cannot choose terms whose sums agree: a polynomial hash at a random point modulo 2^61 - 1, then a keyed mix.
class TermFingerprint {
public:
    TermFingerprint() {
        std::random_device random;
        const auto draw = [&random] { return (std::uint64_t{random()} << 32) ^ random(); };
        point_ = draw() % (kPrime - 2) + 2;
        key_ = draw();
    }

    std::uint64_t operator()(std::string_view term) const {
        std::uint64_t h = term.size() + 1;
        for (const char c : term) {
            h = reduce(static_cast<unsigned __int128>(h) * point_ + static_cast<unsigned char>(c) + 1);
        }
        // splitmix64's finaliser: the sum of fingerprints must not be a polynomial in the point, or terms of one
        // entry could trade bytes without changing it.
        std::uint64_t z = h ^ key_;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    std::uint64_t ofEntry(const audit::ExchangeLogEntry& entry) const {
        std::uint64_t sum = 0;
        for (const std::string& term : audit::indexTerms(entry)) {
            sum += (*this)(term);
        }
        return sum;
    }

private:
    static constexpr std::uint64_t kPrime = (std::uint64_t{1} << 61) - 1;

    static std::uint64_t reduce(unsigned __int128 value) {
        std::uint64_t folded = static_cast<std::uint64_t>(value & kPrime) + static_cast<std::uint64_t>(value >> 61);
        folded = (folded & kPrime) + (folded >> 61);
        return folded >= kPrime ? folded - kPrime : folded;
    }

    std::uint64_t point_ = 2;
    std::uint64_t key_ = 0;
};

/// The log index's terms for entries first … last, as a fingerprint sum per entry.
std::vector<std::uint64_t> storedTermSums(audit::LogStore& store, const TermFingerprint& fingerprint,
                                          std::int64_t first, std::int64_t last) {
    std::vector<std::uint64_t> sums(static_cast<std::size_t>(last - first + 1), 0);
    store.forEachLogTerm(first, last, [&](const std::string& term, std::int64_t seq) {
        sums[static_cast<std::size_t>(seq - first)] += fingerprint(term);
    });
    return sums;
}

/// The leaf hashes of entries after + 1 … size, from their stored hashes.
std::vector<audit::Hash> readLeaves(audit::LogStore& store, audit::Digest& digest, std::uint64_t after,
                                    std::uint64_t size) {
    std::vector<audit::Hash> leaves;
    leaves.reserve(size - after);
    std::uint64_t read = after;
    while (read < size) {
        const auto page =
            store.exchangeLogHashes(static_cast<std::int64_t>(read), std::min<std::uint64_t>(kPage, size - read));
        if (page.empty()) {
            throw GatewayError(ErrorCode::StoreError, "the exchange log ends at entry " + std::to_string(read) +
                                                          ", before entry " + std::to_string(size));
        }
        for (const std::string& text : page) {
            ++read;
            const auto hash = audit::hashFromHex(text);
            if (!hash) {
                throw GatewayError(ErrorCode::StoreError, "exchange log entry " + std::to_string(read) +
                                                              " has no valid hash; run `gateway audit verify`");
            }
            leaves.push_back(audit::merkleLeaf(digest, *hash));
        }
    }
    return leaves;
}

/// The root of the block of kBlockLeaves leaves that starts at leaves[first].
audit::Hash blockRoot(audit::Digest& digest, const std::vector<audit::Hash>& leaves, std::size_t first) {
    const auto begin = leaves.begin() + static_cast<std::ptrdiff_t>(first);
    return audit::merkleRoot(digest,
                             std::vector<audit::Hash>(begin, begin + static_cast<std::ptrdiff_t>(audit::kBlockLeaves)));
}

/// The roots of the whole blocks among the first `size` entries: those stored, then the rest computed from the
/// entries' hashes.
std::vector<audit::Hash> blockRoots(audit::LogStore& store, audit::Digest& digest, std::uint64_t size) {
    const std::uint64_t whole = size / audit::kBlockLeaves;
    std::vector<audit::Hash> roots;
    roots.reserve(whole);
    for (const std::string& text : store.logBlockRoots(0, whole)) {
        const auto root = audit::hashFromHex(text);
        if (!root) {
            break;  // computed again from here; a proof is checked against its signed root either way
        }
        roots.push_back(*root);
    }
    if (roots.size() < whole) {
        const auto leaves = readLeaves(store, digest, roots.size() * audit::kBlockLeaves, whole * audit::kBlockLeaves);
        for (std::size_t first = 0; first < leaves.size(); first += audit::kBlockLeaves) {
            roots.push_back(blockRoot(digest, leaves, first));
        }
    }
    return roots;
}

void writeString(rapidjson::Writer<rapidjson::StringBuffer>& writer, const char* key, const std::string& value) {
    writer.Key(key);
    writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
}

void writeEntry(rapidjson::Writer<rapidjson::StringBuffer>& writer, const audit::ExchangeLogEntry& entry) {
    writer.StartObject();
    writer.Key("seq");
    writer.Int64(entry.seq);
    writeString(writer, "at", entry.at);
    writeString(writer, "actor", entry.actor);
    writeString(writer, "action", entry.action);
    writeString(writer, "subject", entry.subject);
    // The exact text the hash covers, so that anyone can recompute it from an export.
    writeString(writer, "detail_json", entry.detail_json);
    writer.Key("persons");
    writer.StartArray();
    for (const std::string& person : entry.persons) {
        writer.String(person.c_str(), static_cast<rapidjson::SizeType>(person.size()));
    }
    writer.EndArray();
    writeString(writer, "hash", entry.hash);
    writer.EndObject();
}

void writeCheckpoint(rapidjson::Writer<rapidjson::StringBuffer>& writer, const audit::Checkpoint& checkpoint) {
    writer.StartObject();
    writer.Key("size");
    writer.Uint64(checkpoint.size);
    writeString(writer, "at", checkpoint.at);
    writeString(writer, "algorithm", checkpoint.algorithm);
    writeString(writer, "root", checkpoint.root);
    writeString(writer, "head", checkpoint.head);
    writeString(writer, "key_id", checkpoint.key_id);
    writeString(writer, "signature", checkpoint.signature);
    writer.Key("version");
    writer.Int(checkpoint.version);
    if (checkpoint.version >= 2) {
        writeString(writer, "previous", checkpoint.previous);
        writer.Key("persons_from");
        writer.Int64(checkpoint.persons_from);
    }
    writer.EndObject();
}

std::string requiredString(const rapidjson::Value& object, const char* key, const std::string& where) {
    if (!object.IsObject() || !object.HasMember(key) || !object[key].IsString()) {
        throw GatewayError(ErrorCode::InvalidArgument, where + " has no string \"" + key + "\"");
    }
    return {object[key].GetString(), object[key].GetStringLength()};
}

std::int64_t requiredInteger(const rapidjson::Value& object, const char* key, const std::string& where) {
    if (!object.IsObject() || !object.HasMember(key) || !object[key].IsInt64() || object[key].GetInt64() < 0) {
        throw GatewayError(ErrorCode::InvalidArgument, where + " has no whole number \"" + key + "\"");
    }
    return object[key].GetInt64();
}

audit::Checkpoint readCheckpoint(const rapidjson::Value& object, const std::string& where) {
    audit::Checkpoint checkpoint;
    checkpoint.size = static_cast<std::uint64_t>(requiredInteger(object, "size", where));
    checkpoint.at = requiredString(object, "at", where);
    checkpoint.algorithm = requiredString(object, "algorithm", where);
    checkpoint.root = requiredString(object, "root", where);
    checkpoint.head = requiredString(object, "head", where);
    checkpoint.key_id = requiredString(object, "key_id", where);
    checkpoint.signature = requiredString(object, "signature", where);
    // Absent from checkpoints printed before they were chained, which were signed in the first form.
    checkpoint.version = object.HasMember("version") ? static_cast<int>(requiredInteger(object, "version", where)) : 1;
    if (checkpoint.version >= 2) {
        checkpoint.previous = requiredString(object, "previous", where);
        checkpoint.persons_from = requiredInteger(object, "persons_from", where);
    }
    return checkpoint;
}

std::string csvCell(const std::string& value) {
    std::string cell = value;
    if (!cell.empty() &&
        (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' || cell[0] == '\t' || cell[0] == '\r')) {
        cell.insert(cell.begin(), '\'');
    }
    if (cell.find_first_of(",\"\r\n") == std::string::npos) {
        return cell;
    }
    std::string quoted = "\"";
    for (char c : cell) {
        if (c == '"') {
            quoted += '"';
        }
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

}  // namespace

audit::VerifyReport verifyExchangeLog(audit::LogStore& store, const AuditVerifyOptions& options) {
    const audit::LogHead head = store.exchangeLogHead();
    const std::int64_t to = options.to > 0 ? std::min(options.to, head.seq) : head.seq;
    audit::ChainFormat format = logFormat(store);

    // The checkpoints are checked as one chain whatever the range: each is small, and a gap anywhere hides a rewrite.
    const std::vector<audit::Checkpoint> stored =
        store.checkpoints(0, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()));
    audit::CheckpointChain chain = audit::checkCheckpointChain(stored, format.persons_from);
    if (chain.persons_from) {
        format.persons_from = *chain.persons_from;
    }
    std::vector<audit::Checkpoint> extra;  // checked against the entries besides the stored ones
    if (options.trusted) {
        const audit::Checkpoint& trusted = *options.trusted;
        if (options.key != nullptr && !options.key->verify(trusted)) {
            throw GatewayError(ErrorCode::InvalidArgument, "the trusted checkpoint of " + std::to_string(trusted.size) +
                                                               " entries does not carry a valid signature of key " +
                                                               options.key->keyId());
        }
        const auto same_size = std::find_if(stored.begin(), stored.end(), [&](const audit::Checkpoint& checkpoint) {
            return checkpoint.size == trusted.size;
        });
        const auto size = static_cast<std::int64_t>(trusted.size);
        const std::string named =
            "the trusted checkpoint " + std::to_string(trusted.size) + " (signed at " + trusted.at + ")";
        if (same_size == stored.end()) {
            chain.findings.push_back({size, named + " is not in the database: it was deleted, and with it perhaps "
                                                    "the checkpoints after it"});
        } else if (same_size->root != trusted.root || same_size->head != trusted.head ||
                   same_size->signature != trusted.signature || same_size->at != trusted.at) {
            chain.findings.push_back({size, "checkpoint " + std::to_string(trusted.size) + " in the database is not " +
                                                named + ": it was replaced"});
        }
        if (same_size == stored.end() || same_size->signature != trusted.signature) {
            extra.push_back(trusted);
        }
        if (trusted.version >= 2 && trusted.persons_from != format.persons_from) {
            chain.findings.push_back(
                {size + 1, named + " signed persons hashed from entry " + std::to_string(trusted.persons_from) +
                               ", the database now from entry " + std::to_string(format.persons_from) +
                               ": where person coverage starts was changed"});
            format.persons_from = trusted.persons_from;
        }
    }

    std::optional<audit::Checkpoint> anchor;
    std::vector<audit::Finding> anchor_findings;
    if (options.from > 1) {
        anchor = store.checkpointAtMost(static_cast<std::uint64_t>(options.from - 1));
        if (anchor && anchor->size == 0) {
            anchor.reset();
        }
        if (anchor && options.key != nullptr && !options.key->verify(*anchor)) {
            // Not to be trusted as a starting point: start from the beginning and let it be reported.
            anchor.reset();
        }
    }
    const std::uint64_t first = anchor ? anchor->size + 1 : 1;
    // Checkpoints beyond the end of the log are wanted too when reading to the end: they reveal a cut-off end.
    const std::uint64_t last_checkpoint =
        to == head.seq ? std::numeric_limits<std::int64_t>::max() : static_cast<std::uint64_t>(to);
    std::vector<audit::Checkpoint> to_check;
    for (const auto* list : std::initializer_list<const std::vector<audit::Checkpoint>*>{&stored, &extra}) {
        std::copy_if(list->begin(), list->end(), std::back_inserter(to_check),
                     [&](const audit::Checkpoint& c) { return c.size >= first && c.size <= last_checkpoint; });
    }
    std::stable_sort(to_check.begin(), to_check.end(),
                     [](const audit::Checkpoint& a, const audit::Checkpoint& b) { return a.size < b.size; });
    audit::LogVerifier verifier(format, anchor, std::move(to_check), options.key);

    // The index is checked where it claims to be complete: up to its watermark.
    const TermFingerprint fingerprint;
    const std::int64_t index_first = std::max(static_cast<std::int64_t>(first), options.from);
    const std::int64_t index_last = options.index ? std::min(to, store.exchangeLogIndexed()) : 0;
    const std::vector<std::uint64_t> stored_terms = index_last >= index_first
                                                        ? storedTermSums(store, fingerprint, index_first, index_last)
                                                        : std::vector<std::uint64_t>{};
    std::vector<audit::Finding> index_findings;
    std::int64_t index_more = 0;
    std::int64_t index_checked = 0;

    std::int64_t after = static_cast<std::int64_t>(first) - 1;
    std::int64_t checked = 0;
    while (after < to) {
        const auto page = store.exchangeLog(after, kPage);
        if (page.empty()) {
            break;
        }
        for (const audit::ExchangeLogEntry& entry : page) {
            if (entry.seq > to) {
                after = to;
                break;
            }
            verifier.add(entry);
            if (entry.seq >= index_first && entry.seq <= index_last) {
                ++index_checked;
                const bool matches =
                    fingerprint.ofEntry(entry) == stored_terms[static_cast<std::size_t>(entry.seq - index_first)];
                if (!matches && index_findings.size() == audit::VerifyReport::kMaxFindings) {
                    ++index_more;
                } else if (!matches) {
                    index_findings.push_back(
                        {entry.seq, "the log index does not hold what entry " + std::to_string(entry.seq) +
                                        " names (its actor, action, subject or persons): searches may miss it; "
                                        "`gateway audit index --rebuild` builds the index again from the entries"});
                }
            }
            after = entry.seq;
            ++checked;
        }
        if (options.progress) {
            options.progress(checked);
        }
    }
    audit::VerifyReport report = verifier.finish(head.seq);
    report.index_checked = index_checked;
    report.more_findings += index_more;
    report.merge(std::move(index_findings));
    // Ahead of what the entries show at the same seq: a checkpoint gone or changed is the cause.
    report.findings.insert(report.findings.begin(), std::make_move_iterator(chain.findings.begin()),
                           std::make_move_iterator(chain.findings.end()));
    report.merge({});
    if (!stored.empty()) {
        report.newest_checkpoint = stored.back();
    }
    report.trusted_checkpoint = options.trusted;
    const auto latest = store.latestCheckpoint();
    report.unsigned_entries = head.seq - (latest ? static_cast<std::int64_t>(latest->size) : 0);
    if (report.unsigned_entries < 0) {
        report.unsigned_entries = 0;
    }
    return report;
}

CheckpointStatus checkpointStatus(audit::LogStore& store) {
    CheckpointStatus status;
    status.head = store.exchangeLogHead().seq;
    status.latest = store.latestCheckpoint();
    status.unsigned_entries =
        std::max<std::int64_t>(0, status.head - (status.latest ? static_cast<std::int64_t>(status.latest->size) : 0));
    status.unindexed_entries = std::max<std::int64_t>(0, status.head - store.exchangeLogIndexed());
    status.persons_hashed_from = store.exchangeLogPersonsFrom();
    return status;
}

std::int64_t indexExchangeLog(audit::LogStore& store, std::size_t run) {
    std::int64_t indexed = 0;
    while (const std::int64_t count = store.indexExchangeLog(run)) {
        indexed += count;
    }
    return indexed;
}

std::optional<audit::Checkpoint> writeCheckpoint(audit::LogStore& store, store::LeaseStore& leases,
                                                 const audit::CheckpointSigner& signer, const std::string& holder) {
    if (!store::acquireLease(leases, kCheckpointLease, holder, Poco::Timestamp(), kCheckpointLeaseSeconds).held) {
        return std::nullopt;
    }
    const store::HeldLease held(leases, kCheckpointLease, holder);

    const audit::LogHead head = store.exchangeLogHead();
    const auto latest = store.latestCheckpoint();
    const std::uint64_t signed_size = latest ? latest->size : 0;
    if (head.seq <= 0 || static_cast<std::uint64_t>(head.seq) <= signed_size) {
        return std::nullopt;
    }
    const audit::ChainFormat format = logFormat(store);
    const audit::HashAlgorithm algorithm = format.algorithm;
    if (latest && latest->version >= 2 && latest->persons_from != format.persons_from) {
        // Signing now would put the changed value under a signature.
        throw GatewayError(ErrorCode::StoreError,
                           "the exchange log's persons_from is " + std::to_string(format.persons_from) +
                               " but checkpoint " + std::to_string(latest->size) + " signed " +
                               std::to_string(latest->persons_from) + "; run `gateway audit verify`");
    }
    audit::Digest digest(algorithm);
    audit::MerkleFrontier tree;
    if (latest) {
        auto frontier = audit::MerkleFrontier::fromHex(latest->size, latest->frontier);
        if (!frontier || audit::toHex(frontier->root(digest)) != latest->root) {
            throw GatewayError(ErrorCode::StoreError, "checkpoint " + std::to_string(latest->size) +
                                                          " does not hold together; run `gateway audit verify`");
        }
        tree = *frontier;
    }
    const auto size = static_cast<std::uint64_t>(head.seq);
    // One read for the tree and for the roots of the blocks completed since the last checkpoint, which proofs use.
    const std::uint64_t kept_blocks = store.logBlockRoots(0, size / audit::kBlockLeaves).size();
    const std::uint64_t from = std::min(signed_size, kept_blocks * audit::kBlockLeaves);
    const std::vector<audit::Hash> leaves = readLeaves(store, digest, from, size);
    for (std::uint64_t i = signed_size; i < size; ++i) {
        tree.append(digest, leaves[i - from]);
    }
    std::vector<std::string> new_blocks;
    for (std::uint64_t first = kept_blocks * audit::kBlockLeaves; first + audit::kBlockLeaves <= size;
         first += audit::kBlockLeaves) {
        new_blocks.push_back(audit::toHex(blockRoot(digest, leaves, first - from)));
    }
    store.storeLogBlockRoots(static_cast<std::int64_t>(kept_blocks), new_blocks);
    audit::Checkpoint checkpoint;
    checkpoint.size = size;
    checkpoint.at = formatIso(Poco::Timestamp());
    checkpoint.algorithm = std::string(audit::hashAlgorithmName(algorithm));
    checkpoint.root = audit::toHex(tree.root(digest));
    checkpoint.head = head.hash;
    checkpoint.frontier = tree.toHex();
    checkpoint.version = audit::kCheckpointVersion;
    checkpoint.previous = latest ? audit::checkpointHash(*latest) : audit::noPreviousCheckpoint();
    checkpoint.persons_from = format.persons_from;
    signer.sign(checkpoint);
    store.appendCheckpoint(checkpoint);
    return checkpoint;
}

InclusionProof proveEntry(audit::LogStore& store, std::int64_t seq, std::optional<std::uint64_t> size) {
    auto entry = store.exchangeLogEntry(seq);
    if (!entry) {
        throw GatewayError(ErrorCode::NotFound, "no exchange log entry " + std::to_string(seq));
    }
    std::optional<audit::Checkpoint> checkpoint;
    if (size) {
        auto exact = store.checkpoints(*size, *size);
        if (exact.empty()) {
            throw GatewayError(ErrorCode::NotFound, "no checkpoint of " + std::to_string(*size) + " entries");
        }
        checkpoint = exact.front();
    } else {
        checkpoint = store.checkpointAtLeast(static_cast<std::uint64_t>(seq));
    }
    if (!checkpoint || checkpoint->size < static_cast<std::uint64_t>(seq)) {
        throw GatewayError(ErrorCode::Conflict, "entry " + std::to_string(seq) +
                                                    " is not covered by a signed checkpoint yet; try again after "
                                                    "the next checkpoint");
    }
    const audit::ChainFormat format = logFormat(store);
    audit::Digest digest(format.algorithm);
    const std::uint64_t tree_size = checkpoint->size;
    const auto index = static_cast<std::uint64_t>(seq - 1);
    // The path from the stored block roots and the leaves of the blocks no whole block root covers: the entry's own
    // block and the last, partial one.
    const std::vector<audit::Hash> blocks = blockRoots(store, digest, tree_size);
    std::map<std::uint64_t, std::vector<audit::Hash>> block_leaves;
    const auto leaf = [&](std::uint64_t i) {
        const std::uint64_t block = i / audit::kBlockLeaves;
        auto found = block_leaves.find(block);
        if (found == block_leaves.end()) {
            const std::uint64_t first = block * audit::kBlockLeaves;
            found =
                block_leaves
                    .emplace(block, readLeaves(store, digest, first, std::min(first + audit::kBlockLeaves, tree_size)))
                    .first;
        }
        return found->second[i % audit::kBlockLeaves];
    };
    std::vector<audit::Hash> path = audit::inclusionPath(index, tree_size, [&](std::uint64_t begin, std::uint64_t end) {
        return audit::subtreeRoot(digest, begin, end, audit::kBlockLeaves, blocks, leaf);
    });
    const auto root = audit::hashFromHex(checkpoint->root);
    if (!root || !audit::verifyInclusion(digest, leaf(index), index, tree_size, path, *root)) {
        // A stored block root that no longer matches its entries: the path from every entry instead, which holds
        // exactly when the entries do (and `gateway audit verify` says where they do not).
        path = audit::inclusionPath(digest, readLeaves(store, digest, 0, tree_size), index);
    }
    InclusionProof proof;
    proof.entry = std::move(*entry);
    proof.persons_hashed = format.coversPersons(seq);
    proof.previous_hash = audit::toHex(audit::kGenesis);
    if (seq > 1) {
        const auto previous = store.exchangeLogHashes(seq - 2, 1);
        if (previous.empty()) {
            throw GatewayError(ErrorCode::StoreError, "exchange log entry " + std::to_string(seq - 1) + " is missing");
        }
        proof.previous_hash = previous.front();
    }
    proof.checkpoint = std::move(*checkpoint);
    for (const audit::Hash& step : path) {
        proof.path.push_back(audit::toHex(step));
    }
    return proof;
}

bool checkProof(const InclusionProof& proof, const audit::CheckpointVerifier& key, std::string* why) {
    const auto fail = [&](std::string reason) {
        if (why != nullptr) {
            *why = std::move(reason);
        }
        return false;
    };
    const auto algorithm = audit::parseHashAlgorithm(proof.checkpoint.algorithm);
    if (!algorithm) {
        return fail("the checkpoint names an unknown hash");
    }
    if (!key.verify(proof.checkpoint)) {
        return fail("the checkpoint's signature does not verify with this key");
    }
    const auto previous = audit::hashFromHex(proof.previous_hash);
    const auto root = audit::hashFromHex(proof.checkpoint.root);
    if (!previous || !root || proof.entry.seq < 1) {
        return fail("the proof is malformed");
    }
    std::vector<audit::Hash> path;
    for (const std::string& text : proof.path) {
        const auto step = audit::hashFromHex(text);
        if (!step) {
            return fail("the proof's path is malformed");
        }
        path.push_back(*step);
    }
    audit::Digest digest(*algorithm);
    // Whether the persons are hashed needs no trust: either way, the hash must be a leaf the checkpoint signed.
    const audit::Hash hash = audit::entryHash(digest, *previous, proof.entry, proof.persons_hashed);
    if (!proof.entry.hash.empty() && audit::toHex(hash) != proof.entry.hash) {
        return fail("the entry does not match its hash: it was changed");
    }
    if (!audit::verifyInclusion(digest, audit::merkleLeaf(digest, hash),
                                static_cast<std::uint64_t>(proof.entry.seq - 1), proof.checkpoint.size, path, *root)) {
        return fail("the entry is not in the tree the checkpoint signed");
    }
    return true;
}

std::string renderEntry(const audit::ExchangeLogEntry& entry) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writeEntry(writer, entry);
    return buffer.GetString();
}

std::string renderCheckpoint(const audit::Checkpoint& checkpoint) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writeCheckpoint(writer, checkpoint);
    return buffer.GetString();
}

std::string renderProof(const InclusionProof& proof) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("entry");
    writeEntry(writer, proof.entry);
    writer.Key("persons_hashed");
    writer.Bool(proof.persons_hashed);
    writeString(writer, "previous_hash", proof.previous_hash);
    writer.Key("leaf_index");
    writer.Int64(proof.entry.seq - 1);
    writer.Key("tree_size");
    writer.Uint64(proof.checkpoint.size);
    writer.Key("path");
    writer.StartArray();
    for (const std::string& step : proof.path) {
        writer.String(step.c_str(), static_cast<rapidjson::SizeType>(step.size()));
    }
    writer.EndArray();
    writer.Key("checkpoint");
    writeCheckpoint(writer, proof.checkpoint);
    writer.EndObject();
    return buffer.GetString();
}

InclusionProof parseProof(std::string_view json) {
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    if (document.HasParseError() || !document.IsObject()) {
        throw GatewayError(ErrorCode::InvalidArgument, "the proof is not a JSON object");
    }
    InclusionProof proof;
    if (!document.HasMember("entry") || !document.HasMember("checkpoint") || !document.HasMember("path") ||
        !document["path"].IsArray()) {
        throw GatewayError(ErrorCode::InvalidArgument, "the proof needs \"entry\", \"checkpoint\" and \"path\"");
    }
    const rapidjson::Value& entry = document["entry"];
    proof.entry.seq = requiredInteger(entry, "seq", "the proof's entry");
    proof.entry.at = requiredString(entry, "at", "the proof's entry");
    proof.entry.actor = requiredString(entry, "actor", "the proof's entry");
    proof.entry.action = requiredString(entry, "action", "the proof's entry");
    proof.entry.subject = requiredString(entry, "subject", "the proof's entry");
    proof.entry.detail_json = requiredString(entry, "detail_json", "the proof's entry");
    proof.entry.hash = requiredString(entry, "hash", "the proof's entry");
    if (entry.HasMember("persons")) {
        if (!entry["persons"].IsArray()) {
            throw GatewayError(ErrorCode::InvalidArgument, "the proof's entry has \"persons\" that are not a list");
        }
        for (const auto& person : entry["persons"].GetArray()) {
            if (!person.IsString()) {
                throw GatewayError(ErrorCode::InvalidArgument, "the proof's entry names a person that is not a string");
            }
            proof.entry.persons.emplace_back(person.GetString(), person.GetStringLength());
        }
    }
    // Absent from proofs made before hashes covered persons, which did not.
    if (document.HasMember("persons_hashed")) {
        if (!document["persons_hashed"].IsBool()) {
            throw GatewayError(ErrorCode::InvalidArgument, "the proof's \"persons_hashed\" is not true or false");
        }
        proof.persons_hashed = document["persons_hashed"].GetBool();
    } else {
        proof.persons_hashed = false;
    }
    proof.previous_hash = requiredString(document, "previous_hash", "the proof");
    for (const auto& step : document["path"].GetArray()) {
        if (!step.IsString()) {
            throw GatewayError(ErrorCode::InvalidArgument, "the proof's path holds a value that is not a string");
        }
        proof.path.emplace_back(step.GetString(), step.GetStringLength());
    }
    proof.checkpoint = readCheckpoint(document["checkpoint"], "the proof's checkpoint");
    return proof;
}

audit::Checkpoint parseCheckpoint(std::string_view json) {
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    if (document.HasParseError() || !document.IsObject()) {
        throw GatewayError(ErrorCode::InvalidArgument, "the checkpoint is not a JSON object");
    }
    // As `gateway audit checkpoint --json` and `status --json` print it, or the bare object.
    for (const char* wrapper : {"checkpoint", "latest_checkpoint"}) {
        if (!document.HasMember("size") && document.HasMember(wrapper) && document[wrapper].IsObject()) {
            return readCheckpoint(document[wrapper], "the checkpoint");
        }
    }
    return readCheckpoint(document, "the checkpoint");
}

std::int64_t exportExchangeLog(audit::LogStore& store, audit::ExchangeLogQuery query, ExportFormat format,
                               std::ostream& out) {
    if (format == ExportFormat::Csv) {
        out << "seq,at,actor,action,subject,persons,detail_json,hash\r\n";
    }
    std::int64_t written = 0;
    query.limit = kPage;
    while (true) {
        const auto page = store.searchExchangeLog(query);
        for (const audit::ExchangeLogEntry& entry : page) {
            if (format == ExportFormat::JsonLines) {
                out << renderEntry(entry) << '\n';
            } else {
                std::string persons;
                for (const std::string& person : entry.persons) {
                    persons += persons.empty() ? person : " " + person;
                }
                out << entry.seq << ',' << csvCell(entry.at) << ',' << csvCell(entry.actor) << ','
                    << csvCell(entry.action) << ',' << csvCell(entry.subject) << ',' << csvCell(persons) << ','
                    << csvCell(entry.detail_json) << ',' << entry.hash << "\r\n";
            }
            ++written;
        }
        if (page.size() < kPage) {
            break;
        }
        query.after_seq = page.back().seq;
    }
    return written;
}

std::optional<std::string> logTimeBound(const std::string& text) {
    static const Poco::RegularExpression pattern(
        "^[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}(:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?)?)?)?)?Z?$");
    if (!pattern.match(text)) {
        return std::nullopt;
    }
    return text.ends_with('Z') ? text.substr(0, text.size() - 1) : text;
}

}  // namespace gateway::jobs
