#include "gateway/linkage/linker.h"

#include "gateway/common/format.h"
#include "gateway/common/hash.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

namespace gateway::linkage {

namespace {

using SteadyClock = std::chrono::steady_clock;

double secondsSince(SteadyClock::time_point start) {
    return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

std::uint64_t pairKey(std::uint32_t a, std::uint32_t b) {
    return a < b ? (static_cast<std::uint64_t>(a) << 32) | b : (static_cast<std::uint64_t>(b) << 32) | a;
}

/// A cheap, well-mixed hash of a pair, for sampling pairs without a random generator shared between threads.
double pairUniform(std::uint32_t a, std::uint32_t b, std::uint64_t seed) {
    std::uint64_t z = pairKey(a, b) ^ (seed * 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1.0p-53;
}

struct Edge {
    std::uint32_t a = 0;
    std::uint32_t b = 0;
    float weight = 0;
    std::int16_t rule = -1;  // deterministic rule, or -1
};

/// Greedy clustering over the edges, strongest first, with the constraints checked at every merge.
class Clusterer {
public:
    Clusterer(const RecordTable& table, const ScoringModel& model, const LinkOptions& options)
        : table_(table), config_(table.config()), model_(model), parent_(table.size()), members_(table.size()) {
        std::iota(parent_.begin(), parent_.end(), 0u);
        for (std::uint32_t r = 0; r < table.size(); ++r) {
            members_[r] = {r};
        }
        for (const auto& [a, b] : options.cannot_link) {
            cannot_.insert(pairKey(a, b));
        }
    }

    std::uint32_t find(std::uint32_t r) {
        while (parent_[r] != r) {
            parent_[r] = parent_[parent_[r]];
            r = parent_[r];
        }
        return r;
    }

    void merge(std::uint32_t a, std::uint32_t b) {
        a = find(a);
        b = find(b);
        if (a == b) {
            return;
        }
        if (members_[a].size() < members_[b].size()) {
            std::swap(a, b);
        }
        parent_[b] = a;
        members_[a].insert(members_[a].end(), members_[b].begin(), members_[b].end());
        members_[b].clear();
        members_[b].shrink_to_fit();
    }

    /// Forbidden: a constraint or a reviewer rules the merge out, so there is nothing to ask anyone.
    /// Chain: two of the records disagree; a reviewer may know better.
    enum class Fit { Ok, Forbidden, Chain };

    /// Whether the clusters of a and b may be one person: no reviewer said no, no constraint breaks, and no two
    /// of their records disagree so much that only a chain of links could have joined them.
    Fit fits(std::uint32_t root_a, std::uint32_t root_b) {
        const auto& left = members_[root_a];
        const auto& right = members_[root_b];
        const bool score_all = left.size() * right.size() <= 400;
        bool chain = false;
        for (std::uint32_t x : left) {
            for (std::uint32_t y : right) {
                if (!cannot_.empty() && cannot_.contains(pairKey(x, y))) {
                    return Fit::Forbidden;
                }
                const bool same_source = table_.source(x) == table_.source(y);
                if (same_source && config_.one_per_source) {
                    return Fit::Forbidden;
                }
                if (same_source) {
                    for (std::size_t field : config_.distinct_within_source) {
                        const std::uint32_t vx = table_.value(x, field);
                        const std::uint32_t vy = table_.value(y, field);
                        if (vx != FieldDictionary::kAbsent && vy != FieldDictionary::kAbsent && vx != vy &&
                            table_.entry(x, field).valid && table_.entry(y, field).valid) {
                            return Fit::Forbidden;
                        }
                    }
                }
                if (!same_source) {
                    // Different valid IDs across sources: no constraint, but two people unless a reviewer says
                    // otherwise (a twin in one register, a birth record linking to both).
                    for (std::size_t field : config_.distinct_within_source) {
                        const std::uint32_t vx = table_.value(x, field);
                        const std::uint32_t vy = table_.value(y, field);
                        if (vx != FieldDictionary::kAbsent && vy != FieldDictionary::kAbsent && vx != vy &&
                            table_.entry(x, field).valid && table_.entry(y, field).valid &&
                            model_.deterministicRule(x, y) == std::string::npos) {
                            chain = true;
                        }
                    }
                }
                if (!chain && score_all && model_.deterministicRule(x, y) == std::string::npos &&
                    model_.weight(x, y) < config_.thresholds.non_link) {
                    chain = true;
                }
            }
        }
        return chain ? Fit::Chain : Fit::Ok;
    }

    const std::vector<std::uint32_t>& members(std::uint32_t root) const { return members_[root]; }

private:
    const RecordTable& table_;
    const LinkageConfig& config_;
    const ScoringModel& model_;
    std::vector<std::uint32_t> parent_;
    std::vector<std::vector<std::uint32_t>> members_;
    std::unordered_set<std::uint64_t> cannot_;
};

bool strongerFirst(const Edge& x, const Edge& y) {
    const bool dx = x.rule >= 0;
    const bool dy = y.rule >= 0;
    if (dx != dy) {
        return dx;
    }
    if (dx && x.rule != y.rule) {
        return x.rule < y.rule;
    }
    if (x.weight != y.weight) {
        return x.weight > y.weight;
    }
    return pairKey(x.a, x.b) < pairKey(y.a, y.b);
}

}  // namespace

LinkResult link(const RecordTable& table, const LinkOptions& options) {
    const LinkageConfig& config = table.config();
    auto progress = [&](const std::string& line) {
        if (options.progress) {
            options.progress(line);
        }
    };
    LinkResult result;
    result.stats.records = table.size();
    const bool incremental = !options.dirty.empty();
    const std::vector<bool>* dirty = incremental ? &options.dirty : nullptr;
    const unsigned threads = std::max(1u, options.threads);

    auto start = SteadyClock::now();
    const Blocker blocker(table);
    result.warnings = blocker.warnings();
    result.stats.pair_bound = blocker.pairBound();
    result.stats.seconds_blocking = secondsSince(start);
    progress("blocking: " + withThousands(blocker.pairBound()) + " candidate pairs at most, " +
             std::to_string(blocker.rules().size()) + " rules");

    // Estimation: u from random pairs, m by EM on a sample of the candidate pairs, per blocking rule.
    start = SteadyClock::now();
    const Comparator comparator(table);
    if (options.model) {
        result.model = *options.model;
    } else {
        const auto u = estimateU(comparator, config.em.u_sample_pairs, config.em.seed);
        const double rate =
            blocker.pairBound() == 0
                ? 1.0
                : std::min(1.0, static_cast<double>(config.em.max_pairs) / static_cast<double>(blocker.pairBound()));
        std::vector<std::vector<RulePatterns>> per_thread(threads, std::vector<RulePatterns>(blocker.rules().size()));
        blocker.forEachPair(
            threads, dirty,
            [&](unsigned thread, std::size_t rule, std::uint32_t a, std::uint32_t b) {
                if (!blocker.rules()[rule].estimate || (rate < 1.0 && pairUniform(a, b, config.em.seed) >= rate)) {
                    return;
                }
                ++per_thread[thread][rule].counts[patternOf(comparator, a, b)];
            },
            true);
        std::vector<RulePatterns> rules(blocker.rules().size());
        for (std::size_t r = 0; r < rules.size(); ++r) {
            rules[r].masked.assign(config.comparisons.size(), false);
            if (!blocker.rules()[r].estimate) {
                continue;
            }
            for (const KeyPart& part : blocker.rules()[r].parts) {
                for (std::size_t c = 0; c < config.comparisons.size(); ++c) {
                    if (config.comparisons[c].field == part.field) {
                        rules[r].masked[c] = true;
                    }
                }
            }
            for (auto& thread : per_thread) {
                for (const auto& [pattern, count] : thread[r].counts) {
                    rules[r].counts[pattern] += count;
                }
            }
        }
        result.model = estimateM(config, u, rules, config.em);
        result.stats.em_pairs = result.model.pairs;
        char line[160];
        std::snprintf(line, sizeof line, "estimation: EM on %s sampled pairs, %d iterations%s, lambda %.4f",
                      withThousands(result.model.pairs).c_str(), result.model.iterations,
                      result.model.converged ? "" : " (not converged)", result.model.lambda);
        progress(line);
    }
    result.stats.seconds_estimate = secondsSince(start);

    // Scoring: keep only deterministic links and pairs at or above the review threshold.
    start = SteadyClock::now();
    const ScoringModel model(table, result.model, options.frequencies);
    const std::size_t deterministic_rules = config.deterministic.size();
    std::vector<std::vector<Edge>> thread_edges(threads);
    const std::size_t rule_count = blocker.rules().size();
    std::vector<std::uint64_t> compared(threads * rule_count, 0);
    blocker.forEachPair(threads, dirty, [&](unsigned thread, std::size_t rule, std::uint32_t a, std::uint32_t b) {
        ++compared[thread * rule_count + rule];
        Edge edge{a, b, 0, -1};
        if (rule < deterministic_rules) {
            const std::size_t matched = model.deterministicRule(a, b);
            if (matched != std::string::npos) {
                edge.rule = static_cast<std::int16_t>(matched);
            }
        }
        edge.weight = static_cast<float>(model.weight(a, b));
        if (edge.rule >= 0 || edge.weight >= config.thresholds.review) {
            thread_edges[thread].push_back(edge);
        }
    });
    std::vector<Edge> edges;
    for (auto& list : thread_edges) {
        edges.insert(edges.end(), list.begin(), list.end());
        list.clear();
        list.shrink_to_fit();
    }
    for (std::size_t rule = 0; rule < rule_count; ++rule) {
        std::uint64_t pairs = 0;
        for (unsigned thread = 0; thread < threads; ++thread) {
            pairs += compared[thread * rule_count + rule];
        }
        result.stats.pairs_compared += pairs;
        result.stats.pairs_per_rule.emplace_back(blocker.rules()[rule].name, pairs);
    }
    result.stats.seconds_scoring = secondsSince(start);
    progress("scoring: " + withThousands(result.stats.pairs_compared) + " pairs compared, " +
             withThousands(edges.size()) + " kept");

    // Clustering.
    start = SteadyClock::now();
    std::sort(edges.begin(), edges.end(), strongerFirst);
    Clusterer clusters(table, model, options);
    if (incremental) {
        std::unordered_map<std::string, std::uint32_t> first_of_person;
        for (std::uint32_t r = 0; r < table.size(); ++r) {
            if (options.dirty[r] || r >= options.prior_person.size() || options.prior_person[r].empty()) {
                continue;
            }
            const auto [it, inserted] = first_of_person.try_emplace(options.prior_person[r], r);
            if (!inserted) {
                clusters.merge(it->second, r);
            }
        }
    }
    std::unordered_set<std::uint64_t> decided;
    for (const auto& [a, b] : options.must_link) {
        clusters.merge(a, b);
        decided.insert(pairKey(a, b));
    }
    for (const auto& [a, b] : options.cannot_link) {
        decided.insert(pairKey(a, b));
    }

    // Link-strength neighbours of each record, to tell when a record would link to two persons.
    auto linkStrength = [&](const Edge& edge) { return edge.rule >= 0 || edge.weight >= config.thresholds.link; };
    std::vector<std::uint32_t> offsets(table.size() + 1, 0);
    for (const Edge& edge : edges) {
        if (linkStrength(edge)) {
            ++offsets[edge.a + 1];
            ++offsets[edge.b + 1];
        }
    }
    std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
    std::vector<std::pair<std::uint32_t, float>> neighbours(offsets.back());
    {
        std::vector<std::uint32_t> fill(offsets.begin(), offsets.end() - 1);
        for (const Edge& edge : edges) {
            if (linkStrength(edge)) {
                const float strength = edge.rule >= 0 ? 1e30f : edge.weight;
                neighbours[fill[edge.a]++] = {edge.b, strength};
                neighbours[fill[edge.b]++] = {edge.a, strength};
            }
        }
    }

    std::unordered_set<std::uint64_t> in_review;
    auto addReview = [&](const Edge& edge, const char* reason) {
        const std::uint64_t key = pairKey(edge.a, edge.b);
        if (decided.contains(key) || !in_review.insert(key).second) {
            return;
        }
        result.review.push_back(ReviewCandidate{edge.a, edge.b, edge.weight, reason});
    };

    for (const Edge& edge : edges) {
        if (!linkStrength(edge)) {
            continue;
        }
        const std::uint32_t root_a = clusters.find(edge.a);
        const std::uint32_t root_b = clusters.find(edge.b);
        if (root_a == root_b || decided.contains(pairKey(edge.a, edge.b))) {
            continue;
        }
        const Clusterer::Fit fit = clusters.fits(root_a, root_b);
        if (fit != Clusterer::Fit::Ok) {
            ++result.stats.rejected_links;
            if (fit == Clusterer::Fit::Chain) {
                addReview(edge, "conflict");
            }
            continue;
        }
        // A record above the link threshold for two persons that cannot be one is not ours to choose between.
        const float strength = edge.rule >= 0 ? 1e30f : edge.weight;
        bool ambiguous = false;
        for (std::uint32_t x : {edge.a, edge.b}) {
            for (std::uint32_t i = offsets[x]; i < offsets[x + 1] && !ambiguous; ++i) {
                const auto [y, other_strength] = neighbours[i];
                if (other_strength < strength - config.ambiguity_margin) {
                    continue;
                }
                const std::uint32_t root_y = clusters.find(y);
                if (root_y == root_a || root_y == root_b) {
                    continue;
                }
                if (clusters.fits(x == edge.a ? root_a : root_b, root_y) == Clusterer::Fit::Forbidden) {
                    continue;  // x can never join y, so y is no rival of the link at hand
                }
                ambiguous = clusters.fits(x == edge.a ? root_b : root_a, root_y) != Clusterer::Fit::Ok;
            }
        }
        if (ambiguous) {
            ++result.stats.rejected_links;
            addReview(edge, "ambiguous");
            continue;
        }
        clusters.merge(edge.a, edge.b);
        if (edge.rule >= 0) {
            ++result.stats.deterministic_links;
        } else {
            ++result.stats.probabilistic_links;
        }
    }
    for (const Edge& edge : edges) {
        if (!linkStrength(edge) && clusters.find(edge.a) != clusters.find(edge.b)) {
            addReview(edge, "review_band");
        }
    }
    // A pair sent to review whose records ended in one person after all needs no reviewer.
    std::erase_if(result.review,
                  [&](const ReviewCandidate& item) { return clusters.find(item.a) == clusters.find(item.b); });
    result.stats.review = result.review.size();

    std::vector<std::uint32_t> cluster_of(table.size());
    for (std::uint32_t r = 0; r < table.size(); ++r) {
        cluster_of[r] = clusters.find(r);
    }
    result.person =
        assignPersonIds(table, cluster_of, options.prior_person, config.person_prefix, options.person_id_taken);
    std::unordered_set<std::uint32_t> roots(cluster_of.begin(), cluster_of.end());
    result.stats.persons = roots.size();
    result.stats.seconds_clustering = secondsSince(start);
    progress("clustering: " + withThousands(result.stats.persons) + " persons, " + withThousands(result.stats.review) +
             " pairs for review");
    return result;
}

std::vector<std::string> assignPersonIds(const RecordTable& table, const std::vector<std::uint32_t>& cluster_of,
                                         const std::vector<std::string>& prior_person, std::string_view prefix,
                                         const std::function<bool(const std::string&)>& taken_elsewhere) {
    std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> clusters;
    for (std::uint32_t r = 0; r < cluster_of.size(); ++r) {
        clusters[cluster_of[r]].push_back(r);
    }
    std::vector<std::uint32_t> roots;
    roots.reserve(clusters.size());
    for (const auto& [root, members] : clusters) {
        roots.push_back(root);
    }
    // Larger clusters choose first, so that the bigger part of a split person keeps its ID; ties by the smallest
    // member, so the order does not depend on hashing.
    std::sort(roots.begin(), roots.end(), [&](std::uint32_t x, std::uint32_t y) {
        const auto& mx = clusters[x];
        const auto& my = clusters[y];
        if (mx.size() != my.size()) {
            return mx.size() > my.size();
        }
        return *std::min_element(mx.begin(), mx.end()) < *std::min_element(my.begin(), my.end());
    });
    std::unordered_set<std::string> taken;
    for (const std::string& id : prior_person) {
        if (!id.empty()) {
            taken.insert(id);  // an ID once given is never given to another cluster's new person
        }
    }
    std::unordered_set<std::string> used;
    std::vector<std::string> person(cluster_of.size());
    for (std::uint32_t root : roots) {
        const auto& members = clusters[root];
        std::unordered_map<std::string, std::size_t> votes;
        for (std::uint32_t r : members) {
            if (r < prior_person.size() && !prior_person[r].empty()) {
                ++votes[prior_person[r]];
            }
        }
        std::vector<std::pair<std::string, std::size_t>> ranked(votes.begin(), votes.end());
        std::sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
            return x.second != y.second ? x.second > y.second : x.first < y.first;
        });
        std::string chosen;
        for (const auto& [id, count] : ranked) {
            if (!used.contains(id)) {
                chosen = id;
                break;
            }
        }
        if (chosen.empty()) {
            std::string smallest;
            for (std::uint32_t r : members) {
                std::string key = table.sourceName(table.source(r)) + '\x1f' + table.sourceId(r);
                if (smallest.empty() || key < smallest) {
                    smallest = std::move(key);
                }
            }
            for (int attempt = 0; chosen.empty() || used.contains(chosen) || taken.contains(chosen) ||
                                  (taken_elsewhere && taken_elsewhere(chosen));
                 ++attempt) {
                const std::string seed = attempt == 0 ? smallest : smallest + '\x1e' + std::to_string(attempt);
                chosen = std::string(prefix) + sha256Hex(seed).substr(0, 12);
            }
        }
        used.insert(chosen);
        for (std::uint32_t r : members) {
            person[r] = chosen;
        }
    }
    return person;
}

double PairwiseScore::precision() const {
    return predicted_pairs == 0 ? 1.0 : static_cast<double>(correct_pairs) / static_cast<double>(predicted_pairs);
}

double PairwiseScore::recall() const {
    return true_pairs == 0 ? 1.0 : static_cast<double>(correct_pairs) / static_cast<double>(true_pairs);
}

double PairwiseScore::f1() const {
    const double p = precision();
    const double r = recall();
    return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

std::string PairwiseScore::line() const {
    char text[96];
    std::snprintf(text, sizeof text, "precision=%.4f recall=%.4f f1=%.4f", precision(), recall(), f1());
    return text;
}

PairwiseScore pairwiseScore(const std::vector<std::string>& person, const std::vector<std::string>& truth_entity) {
    PairwiseScore score;
    std::unordered_map<std::string, std::uint64_t> by_person;
    std::unordered_map<std::string, std::uint64_t> by_entity;
    std::unordered_map<std::string, std::uint64_t> by_both;
    for (std::size_t r = 0; r < person.size(); ++r) {
        if (r >= truth_entity.size() || truth_entity[r].empty()) {
            ++score.records_without_truth;
            continue;
        }
        ++by_person[person[r]];
        ++by_entity[truth_entity[r]];
        ++by_both[person[r] + '\x1f' + truth_entity[r]];
    }
    auto pairs = [](const std::unordered_map<std::string, std::uint64_t>& groups) {
        std::uint64_t total = 0;
        for (const auto& [key, n] : groups) {
            total += n * (n - 1) / 2;
        }
        return total;
    };
    score.predicted_pairs = pairs(by_person);
    score.true_pairs = pairs(by_entity);
    score.correct_pairs = pairs(by_both);
    return score;
}

}  // namespace gateway::linkage
