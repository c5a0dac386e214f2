#include "gateway/audit/log_verify.h"

#include "gateway/audit/index_terms.h"
#include "gateway/audit/log_reads.h"
#include "gateway/common/error.h"

#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <random>

namespace gateway::audit {

namespace {

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
        const auto page = store.exchangeLog(after, kLogPage);
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
    const LogHead head = store.exchangeLogHead();
    status.head = head.seq;
    status.head_hash = head.hash;
    status.algorithm = store.exchangeLogAlgorithm();
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

}  // namespace gateway::audit
