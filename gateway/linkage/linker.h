#pragma once

#include "gateway/linkage/blocking.h"
#include "gateway/linkage/record_table.h"
#include "gateway/linkage/scoring.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gateway::linkage {

/// A pair the matcher leaves to a person.
struct ReviewCandidate {
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    double weight = 0;
    std::string reason;  ///< "review_band", "conflict" (the link would join two records that disagree: a
                         ///< chain) or "ambiguous" (above the link threshold for two persons). Links a constraint
                         ///< or a reviewer forbids are not asked about again.
};

struct LinkOptions {
    unsigned threads = 2;
    /// Reuse these parameters instead of estimating them (incremental runs keep the last full run's model).
    std::optional<ModelParams> model;
    /// Incremental run: only pairs with a dirty record are compared, and the other records stay in the persons
    /// `prior_person` gives them. Empty: link every record afresh.
    std::vector<bool> dirty;
    /// Per record, the person a previous run gave it ("" for none): person IDs are kept where clusters persist.
    std::vector<std::string> prior_person;
    /// Reviewers' decisions, by record index: always linked, never linked.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> must_link;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> cannot_link;
    /// Term frequencies of the whole population when `table` holds only part of it (re-linking one person).
    const TermFrequencies* frequencies = nullptr;
    /// Person IDs in use elsewhere, which a new person must not take (re-linking part of the population).
    std::function<bool(const std::string&)> person_id_taken;
    /// Progress lines ("blocking: 1,234,567 candidate pairs"), for a terminal or a log.
    std::function<void(const std::string&)> progress;
};

struct LinkStats {
    std::uint64_t records = 0;
    std::uint64_t pair_bound = 0;      ///< candidate pairs by block sizes (an upper bound)
    std::uint64_t pairs_compared = 0;  ///< candidate pairs scored
    std::uint64_t em_pairs = 0;
    /// Pairs scored per effective blocking rule (deterministic rules first), by name.
    std::vector<std::pair<std::string, std::uint64_t>> pairs_per_rule;
    std::uint64_t deterministic_links = 0;
    std::uint64_t probabilistic_links = 0;
    std::uint64_t rejected_links = 0;  ///< link-strength pairs held back by a constraint, chain or ambiguity
    std::uint64_t review = 0;
    std::uint64_t persons = 0;
    double seconds_load = 0;
    double seconds_blocking = 0;
    double seconds_estimate = 0;
    double seconds_scoring = 0;
    double seconds_clustering = 0;
};

struct LinkResult {
    std::vector<std::string> person;  ///< per record
    std::vector<ReviewCandidate> review;
    ModelParams model;
    LinkStats stats;
    std::vector<std::string> warnings;
};

/// Links the records of `table`: blocking, estimation (unless a model is given), scoring, then clustering that
/// honours the constraints, and stable person IDs.
LinkResult link(const RecordTable& table, const LinkOptions& options);

/// Stable person IDs for clusters: a cluster keeps the ID most of its records had (the larger cluster wins a
/// split); a new cluster is named after its smallest record key, so re-running on the same input gives the same
/// IDs even without a previous run.
std::vector<std::string> assignPersonIds(const RecordTable& table, const std::vector<std::uint32_t>& cluster_of,
                                         const std::vector<std::string>& prior_person, std::string_view prefix,
                                         const std::function<bool(const std::string&)>& taken_elsewhere = {});

/// Pairwise precision, recall and F1 of `person` against the true entities (records missing from `truth` are
/// left out of both sides).
struct PairwiseScore {
    std::uint64_t true_pairs = 0;
    std::uint64_t predicted_pairs = 0;
    std::uint64_t correct_pairs = 0;
    std::uint64_t records_without_truth = 0;
    double precision() const;
    double recall() const;
    double f1() const;
    /// "precision=0.9931 recall=0.9874 f1=0.9902"
    std::string line() const;
};
PairwiseScore pairwiseScore(const std::vector<std::string>& person, const std::vector<std::string>& truth_entity);

}  // namespace gateway::linkage
