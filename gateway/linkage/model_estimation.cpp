// Estimating the model from the records themselves: u from random pairs, m by expectation-maximisation over the
// candidate pairs' agreement patterns, and the frequencies of values.

#include "gateway/linkage/scoring.h"

#include "gateway/common/error.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace gateway::linkage {

namespace {

/// A prior m before any data: most matches agree exactly, a few at the fuzzy levels, fewer still differ.
std::vector<double> priorM(std::size_t level_count) {
    std::vector<double> m(level_count, 0);
    if (level_count == 1) {
        m[0] = 1;
        return m;
    }
    m[0] = 0.85;
    const std::size_t fuzzy = level_count - 2;
    for (std::size_t i = 1; i + 1 < level_count; ++i) {
        m[i] = 0.1 / static_cast<double>(fuzzy);
    }
    m[level_count - 1] = fuzzy == 0 ? 0.15 : 0.05;
    return m;
}

}  // namespace

TermFrequencies TermFrequencies::fromTable(const RecordTable& table) {
    TermFrequencies frequencies;
    for (const ComparisonSpec& spec : table.config().comparisons) {
        Table result;
        if (spec.term_frequency) {
            const FieldDictionary& dictionary = table.dictionary(spec.field);
            result.total = dictionary.present();
            for (std::uint32_t i = 1; i < dictionary.size(); ++i) {
                if (dictionary.entry(i).count >= 2) {
                    result.counts.emplace(dictionary.entry(i).text, dictionary.entry(i).count);
                }
            }
        }
        frequencies.comparisons.push_back(std::move(result));
    }
    return frequencies;
}

std::vector<std::vector<double>> estimateU(const Comparator& comparator, std::size_t pairs, std::uint64_t seed) {
    const RecordTable& table = comparator.table();
    const LinkageConfig& config = table.config();
    std::vector<std::vector<double>> counts;
    for (const ComparisonSpec& spec : config.comparisons) {
        counts.emplace_back(spec.levelCount(), 0.0);
    }
    std::mt19937_64 random(seed);
    const std::size_t n = table.size();
    // A small table has fewer distinct pairs than the sample would draw.
    pairs = std::min<std::size_t>(pairs, n < 2 ? 0 : n * (n - 1) / 2);
    if (n >= 2) {
        std::uniform_int_distribution<std::size_t> pick(0, n - 1);
        for (std::size_t drawn = 0; drawn < pairs; ++drawn) {
            std::size_t a = pick(random);
            std::size_t b = pick(random);
            for (int tries = 0;
                 tries < 8 && (a == b || (config.across_sources_only && table.source(a) == table.source(b))); ++tries) {
                b = pick(random);
            }
            if (a == b) {
                continue;
            }
            for (std::size_t c = 0; c < config.comparisons.size(); ++c) {
                const int level = comparator.level(c, a, b);
                if (level != kNullLevel) {
                    counts[c][static_cast<std::size_t>(level)] += 1;
                }
            }
        }
    }
    std::vector<std::vector<double>> u;
    for (std::size_t c = 0; c < config.comparisons.size(); ++c) {
        const ComparisonSpec& spec = config.comparisons[c];
        std::vector<double> probabilities(spec.levelCount());
        double sampled = 0;
        for (double count : counts[c]) {
            sampled += count;
        }
        for (std::size_t l = 0; l < probabilities.size(); ++l) {
            probabilities[l] = (counts[c][l] + 0.5) / (sampled + 0.5 * static_cast<double>(probabilities.size()));
        }
        const int exact = exactLevel(spec);
        if (exact >= 0) {
            // Two random records agree exactly with probability Σ p_v²: computed from the value counts, because a
            // sample of a million pairs would hardly ever see two records share an ID number.
            const FieldDictionary& dictionary = table.dictionary(spec.field);
            const double present = static_cast<double>(dictionary.present());
            double agree = 0;
            if (present >= 2) {
                for (std::uint32_t i = 1; i < dictionary.size(); ++i) {
                    const double count = dictionary.entry(i).count;
                    agree += count * (count - 1);
                }
                agree /= present * (present - 1);
            }
            agree = std::max(agree, 1.0 / std::max(present * present, 4.0));
            double rest = 0;
            for (std::size_t l = 0; l < probabilities.size(); ++l) {
                if (static_cast<int>(l) != exact) {
                    rest += probabilities[l];
                }
            }
            for (std::size_t l = 0; l < probabilities.size(); ++l) {
                probabilities[l] = static_cast<int>(l) == exact ? agree : probabilities[l] * (1 - agree) / rest;
            }
        }
        normaliseProbabilities(probabilities);
        u.push_back(std::move(probabilities));
    }
    return u;
}

ModelParams estimateM(const LinkageConfig& config, const std::vector<std::vector<double>>& u,
                      const std::vector<RulePatterns>& rules, const EmSettings& settings) {
    const std::size_t comparisons = config.comparisons.size();
    ModelParams params;
    std::vector<std::vector<double>> m_sum(comparisons);
    std::vector<double> m_weight(comparisons, 0);
    for (std::size_t c = 0; c < comparisons; ++c) {
        m_sum[c].assign(config.comparisons[c].levelCount(), 0);
    }
    double lambda_sum = 0;
    double pairs_sum = 0;
    params.converged = true;

    for (const RulePatterns& rule : rules) {
        std::uint64_t total = 0;
        for (const auto& [pattern, count] : rule.counts) {
            total += count;
        }
        if (total == 0) {
            continue;
        }
        std::vector<std::vector<double>> m(comparisons);
        for (std::size_t c = 0; c < comparisons; ++c) {
            const ComparisonSpec& spec = config.comparisons[c];
            m[c] = spec.m.empty() ? priorM(spec.levelCount()) : spec.m;
        }
        double lambda = 0.3;
        bool converged = false;
        int iteration = 0;
        for (; iteration < settings.max_iterations && !converged; ++iteration) {
            std::vector<std::vector<double>> expected(comparisons);
            for (std::size_t c = 0; c < comparisons; ++c) {
                expected[c].assign(m[c].size(), 0);
            }
            double matched = 0;
            for (const auto& [pattern, count] : rule.counts) {
                double log_m = std::log(lambda);
                double log_u = std::log(1 - lambda);
                for (std::size_t c = 0; c < comparisons; ++c) {
                    const int level = patternLevel(pattern, c);
                    if (level == kNullLevel || rule.masked[c]) {
                        continue;
                    }
                    log_m += std::log(m[c][level]);
                    log_u += std::log(u[c][level]);
                }
                const double g = 1 / (1 + std::exp(std::clamp(log_u - log_m, -700.0, 700.0)));
                const double weighted = g * static_cast<double>(count);
                matched += weighted;
                for (std::size_t c = 0; c < comparisons; ++c) {
                    const int level = patternLevel(pattern, c);
                    if (level != kNullLevel && !rule.masked[c]) {
                        expected[c][level] += weighted;
                    }
                }
            }
            double change = 0;
            const double new_lambda = std::clamp(matched / static_cast<double>(total), 1e-9, 1 - 1e-9);
            change = std::max(change, std::fabs(new_lambda - lambda));
            lambda = new_lambda;
            for (std::size_t c = 0; c < comparisons; ++c) {
                if (rule.masked[c] || !config.comparisons[c].m.empty()) {
                    continue;
                }
                double sum = 0;
                for (double e : expected[c]) {
                    sum += e;
                }
                if (sum <= 0) {
                    continue;
                }
                std::vector<double> next(expected[c]);
                for (double& value : next) {
                    value /= sum;
                }
                normaliseProbabilities(next);
                for (std::size_t l = 0; l < next.size(); ++l) {
                    change = std::max(change, std::fabs(next[l] - m[c][l]));
                }
                m[c] = std::move(next);
            }
            converged = change < settings.tolerance;
        }
        params.iterations = std::max(params.iterations, iteration);
        params.converged = params.converged && converged;
        params.pairs += total;
        lambda_sum += lambda * static_cast<double>(total);
        pairs_sum += static_cast<double>(total);
        for (std::size_t c = 0; c < comparisons; ++c) {
            if (rule.masked[c]) {
                continue;
            }
            for (std::size_t l = 0; l < m[c].size(); ++l) {
                m_sum[c][l] += m[c][l] * static_cast<double>(total);
            }
            m_weight[c] += static_cast<double>(total);
        }
    }

    params.lambda = pairs_sum > 0 ? lambda_sum / pairs_sum : 0.01;
    for (std::size_t c = 0; c < comparisons; ++c) {
        const ComparisonSpec& spec = config.comparisons[c];
        LevelProbabilities probabilities;
        probabilities.u = spec.u.empty() ? u[c] : spec.u;
        if (!spec.m.empty()) {
            probabilities.m = spec.m;
        } else if (m_weight[c] > 0) {
            probabilities.m = m_sum[c];
            for (double& value : probabilities.m) {
                value /= m_weight[c];
            }
        } else {
            probabilities.m = priorM(spec.levelCount());
        }
        if (spec.m.empty()) {
            // No register is perfect: however clean the sample, a true match may still disagree on any field,
            // so no single field may veto a link on its own (at most about ten bits against).
            for (double& value : probabilities.m) {
                value = std::max(value, settings.min_m);
            }
        }
        normaliseProbabilities(probabilities.m);
        params.comparisons.push_back(std::move(probabilities));
    }
    return params;
}

}  // namespace gateway::linkage
