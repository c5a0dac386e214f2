#pragma once

#include "gateway/linkage/record_table.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace gateway::linkage {

/// The level of a comparison when either record lacks the field: it weighs nothing.
inline constexpr int kNullLevel = -1;

/// Decides the agreement level of each comparison for a pair of records.
class Comparator {
public:
    explicit Comparator(const RecordTable& table) : table_(&table) {}

    /// 0 … levels-1 for the configured agreement levels (the first that holds), `levels` for "different",
    /// kNullLevel when either side is absent.
    int level(std::size_t comparison, std::size_t a, std::size_t b) const;
    /// The same for two values of the comparison's field.
    int levelOfValues(std::size_t comparison, std::uint32_t a, std::uint32_t b) const;

    const RecordTable& table() const { return *table_; }

private:
    const RecordTable* table_;
};

/// The comparison levels of a pair, packed four bits per comparison (level + 1; 0 = null), so that EM works on
/// the distinct patterns and their counts instead of on every pair.
using Pattern = std::uint64_t;
inline constexpr std::size_t kMaxComparisons = 16;

Pattern patternOf(const Comparator& comparator, std::size_t a, std::size_t b);
inline int patternLevel(Pattern pattern, std::size_t comparison) {
    return static_cast<int>((pattern >> (4 * comparison)) & 0xF) - 1;
}

/// m (probability of the level among true matches) and u (among non-matches) per level, "different" last.
struct LevelProbabilities {
    std::vector<double> m;
    std::vector<double> u;
};

struct ModelParams {
    std::vector<LevelProbabilities> comparisons;
    double lambda = 0.01;  ///< share of true matches among the candidate pairs
    int iterations = 0;
    bool converged = false;
    std::uint64_t pairs = 0;  ///< candidate pairs EM saw
};

/// How often each value of a term-frequency comparison occurs: an exact agreement on a rare value (欧阳) is
/// stronger evidence than on a common one (王).
struct TermFrequencies {
    struct Table {
        std::uint64_t total = 0;                                ///< records holding any value
        std::unordered_map<std::string, std::uint32_t> counts;  ///< values held by two or more records
    };
    std::vector<Table> comparisons;  ///< one per comparison; empty tables for comparisons without TF

    static TermFrequencies fromTable(const RecordTable& table);
};

/// u from pairs drawn at random: for "exact", the share of pairs of distinct records that hold one value,
/// Σ c(c−1) / n(n−1) over the value counts c (exact for any size);
/// other levels by sampling `pairs` random pairs. Laplace-smoothed, never 0 or 1.
std::vector<std::vector<double>> estimateU(const Comparator& comparator, std::size_t pairs, std::uint64_t seed);

/// The candidate pairs one blocking rule produced, as pattern counts, and which comparisons it must ignore:
/// pairs blocked on a field agree on it by construction, so that field says nothing about m there.
struct RulePatterns {
    std::unordered_map<Pattern, std::uint64_t> counts;
    std::vector<bool> masked;  ///< per comparison
};

/// Expectation–maximisation of m and λ from the pattern counts of candidate pairs, u held fixed (Fellegi–Sunter
/// under conditional independence), run once per blocking rule without the comparisons that rule blocks on; a
/// comparison's m is the pair-weighted mean over the rules that do not block on it. Comparisons with m and u
/// fixed in the config keep them; a comparison every rule blocks on keeps a prior m.
ModelParams estimateM(const LinkageConfig& config, const std::vector<std::vector<double>>& u,
                      const std::vector<RulePatterns>& rules, const EmSettings& settings);

/// One comparison's part in a pair's score, for explanations.
struct ComparisonExplanation {
    std::string comparison;
    std::string level;  ///< the level's label, "different" or "absent"
    std::string left;   ///< the normalised values compared
    std::string right;
    double m = 0;
    double u = 0;
    double weight = 0;  ///< log2(m/u), term-frequency adjusted
    bool term_frequency_adjusted = false;
    std::string group;  ///< the group whose clamp applies, if any
};

struct PairExplanation {
    std::string left;  ///< record keys
    std::string right;
    std::string deterministic_rule;  ///< the rule that links the pair without scoring, if any
    double weight = 0;               ///< sum of the comparison weights
    double probability = 0;          ///< posterior match probability with the model's λ
    std::string band;                ///< "link", "review" or "non_link"
    std::vector<std::string> notes;  ///< e.g. a group's sum clamped
    std::vector<ComparisonExplanation> comparisons;

    std::string toJson() const;
    std::string toText() const;
};

/// Match weights from the model: sum over comparisons of log2(m/u) for the level each takes.
class ScoringModel {
public:
    /// Term frequencies from `frequencies` when given (explaining from a stored model), else from the table.
    ScoringModel(const RecordTable& table, ModelParams params, const TermFrequencies* frequencies = nullptr);

    double weight(std::size_t a, std::size_t b) const;
    double levelWeight(std::size_t comparison, int level, std::uint32_t value) const;
    /// The first deterministic rule that links a and b, or npos.
    std::size_t deterministicRule(std::size_t a, std::size_t b) const;
    PairExplanation explain(std::size_t a, std::size_t b) const;

    const ModelParams& params() const { return params_; }
    const Comparator& comparator() const { return comparator_; }

private:
    const RecordTable* table_;
    Comparator comparator_;
    ModelParams params_;
    std::vector<std::vector<double>> weights_;  // [comparison][level]
    /// [comparison][dictionary index]: the exact-level weight adjusted for the value's frequency.
    std::vector<std::vector<float>> tf_weights_;
    std::vector<int> exact_level_;  // the level index of "exact", or -1
    std::vector<int> group_of_;     // per comparison: its group, or -1
};

/// The level index of a comparison's "exact" level, or -1 when it has none.
int exactLevel(const ComparisonSpec& spec);
/// Keeps each probability at least a small floor (no weight is infinite), then makes them sum to 1.
void normaliseProbabilities(std::vector<double>& probabilities);
/// `value` in printf's `format`, for explanations.
std::string formatNumber(double value, const char* format);

/// The model as JSON (parameters and term frequencies), kept with each link run for explanations.
std::string modelToJson(const LinkageConfig& config, const ModelParams& params, const TermFrequencies& frequencies);
/// Throws GatewayError(InvalidArgument) when the JSON does not fit the configuration.
void modelFromJson(const LinkageConfig& config, std::string_view json, ModelParams& params,
                   TermFrequencies& frequencies);

}  // namespace gateway::linkage
