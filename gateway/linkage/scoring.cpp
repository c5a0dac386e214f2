#include "gateway/linkage/scoring.h"

#include "gateway/common/error.h"
#include "gateway/common/json_writer.h"
#include "gateway/linkage/string_metrics.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <random>

namespace gateway::linkage {

namespace {

constexpr double kMinProbability = 1e-9;

/// A dictionary entry's code points without allocating for ASCII text of ordinary length.
class CodePoints {
public:
    explicit CodePoints(const FieldDictionary::Entry& entry) {
        if (!entry.chars.empty() || entry.text.empty()) {
            view_ = entry.chars;
            return;
        }
        const std::string& text = entry.text;
        if (text.size() <= small_.size()) {
            std::copy(text.begin(), text.end(), small_.begin());
            view_ = std::u32string_view(small_.data(), text.size());
        } else {
            big_.assign(text.begin(), text.end());
            view_ = big_;
        }
    }
    std::u32string_view view() const { return view_; }

private:
    std::array<char32_t, 48> small_;  // filled up to the text's length only
    std::u32string big_;
    std::u32string_view view_;
};

std::size_t codePointCount(const FieldDictionary::Entry& entry) {
    return entry.chars.empty() ? entry.text.size() : entry.chars.size();
}

bool readingsOverlap(std::uint64_t a, std::uint64_t b) {
    for (int i = 0; i < 4; ++i) {
        const std::uint64_t syllable = (a >> (16 * i)) & 0xFFFF;
        if (syllable == 0) {
            break;
        }
        for (int j = 0; j < 4; ++j) {
            const std::uint64_t other = (b >> (16 * j)) & 0xFFFF;
            if (other == 0) {
                break;
            }
            if (other == syllable) {
                return true;
            }
        }
    }
    return false;
}

bool holds(const LevelSpec& level, const FieldDictionary::Entry& a, const FieldDictionary::Entry& b) {
    switch (level.kind) {
        case LevelKind::Exact:
            return a.text == b.text;
        case LevelKind::Pinyin:
            if (a.readings.empty() || a.readings.size() != b.readings.size()) {
                return false;
            }
            for (std::size_t i = 0; i < a.readings.size(); ++i) {
                if (!readingsOverlap(a.readings[i], b.readings[i])) {
                    return false;
                }
            }
            return true;
        case LevelKind::Damerau: {
            // One edit apart counts only while something is left in common: 津 and 童 are not "one typo apart".
            const int limit = static_cast<int>(level.param);
            const CodePoints left(a);
            const CodePoints right(b);
            const int longest = static_cast<int>(std::max(left.view().size(), right.view().size()));
            return damerauDistance(left.view(), right.view(), limit) <= std::min(limit, longest - 1);
        }
        case LevelKind::JaroWinkler:
            return jaroWinkler(CodePoints(a).view(), CodePoints(b).view()) >= level.param;
        case LevelKind::Prefix: {
            const std::size_t n = static_cast<std::size_t>(level.param);
            const CodePoints left(a);
            const CodePoints right(b);
            return left.view().size() >= n && right.view().size() >= n &&
                   left.view().substr(0, n) == right.view().substr(0, n);
        }
        case LevelKind::DateSwap:
            return a.date.year() == b.date.year() && a.date.month() == b.date.day() && a.date.day() == b.date.month() &&
                   a.date.month() != a.date.day();
        case LevelKind::DateOneField: {
            const int differing =
                (a.date.year() != b.date.year()) + (a.date.month() != b.date.month()) + (a.date.day() != b.date.day());
            return differing == 1;
        }
        case LevelKind::Within:
            return a.numeric && b.numeric && std::fabs(a.number - b.number) <= level.param;
    }
    return false;
}

std::string formatNumber(double value, const char* format) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, format, value);
    return buffer;
}

int exactLevel(const ComparisonSpec& spec) {
    for (std::size_t i = 0; i < spec.levels.size(); ++i) {
        if (spec.levels[i].kind == LevelKind::Exact) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

void normalise(std::vector<double>& probabilities) {
    double sum = 0;
    for (double& p : probabilities) {
        p = std::clamp(p, kMinProbability, 1.0);
        sum += p;
    }
    for (double& p : probabilities) {
        p /= sum;
    }
}

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

int Comparator::levelOfValues(std::size_t comparison, std::uint32_t a, std::uint32_t b) const {
    if (a == FieldDictionary::kAbsent || b == FieldDictionary::kAbsent) {
        return kNullLevel;
    }
    const ComparisonSpec& spec = table_->config().comparisons[comparison];
    const int levels = static_cast<int>(spec.levels.size());
    if (a == b) {
        for (int i = 0; i < levels; ++i) {
            const LevelKind kind = spec.levels[i].kind;
            if (kind != LevelKind::DateSwap && kind != LevelKind::DateOneField) {
                return i;
            }
        }
        return levels;
    }
    const FieldDictionary& dictionary = table_->dictionary(spec.field);
    const FieldDictionary::Entry& left = dictionary.entry(a);
    const FieldDictionary::Entry& right = dictionary.entry(b);
    if (left.valid && right.valid && dictionary.spec().type == FieldType::CitizenId) {
        // Two different valid ID numbers are two people (twins' numbers differ in two digits); only a number
        // that fails its check can be a mistyped copy of the other.
        return levels;
    }
    // Levels of one kind differ only in their threshold: the similarity is computed once.
    double similarity = -1;
    int distance = -1;
    for (int i = 0; i < levels; ++i) {
        const LevelSpec& level = spec.levels[i];
        switch (level.kind) {
            case LevelKind::Exact:
                break;
            case LevelKind::JaroWinkler:
                if (similarity < 0) {
                    similarity = jaroWinkler(CodePoints(left).view(), CodePoints(right).view());
                }
                if (similarity >= level.param) {
                    return i;
                }
                break;
            case LevelKind::Damerau: {
                // One edit apart counts only while something is left in common: 津 and 童 are not "one typo apart".
                if (distance < 0) {
                    int limit = 0;
                    for (int j = i; j < levels; ++j) {
                        if (spec.levels[j].kind == LevelKind::Damerau) {
                            limit = std::max(limit, static_cast<int>(spec.levels[j].param));
                        }
                    }
                    distance = damerauDistance(CodePoints(left).view(), CodePoints(right).view(), limit);
                }
                const int longest = static_cast<int>(std::max(codePointCount(left), codePointCount(right)));
                if (distance <= std::min(static_cast<int>(level.param), longest - 1)) {
                    return i;
                }
                break;
            }
            default:
                if (holds(level, left, right)) {
                    return i;
                }
        }
    }
    return levels;
}

int Comparator::level(std::size_t comparison, std::size_t a, std::size_t b) const {
    const std::size_t field = table_->config().comparisons[comparison].field;
    return levelOfValues(comparison, table_->value(a, field), table_->value(b, field));
}

Pattern patternOf(const Comparator& comparator, std::size_t a, std::size_t b) {
    Pattern pattern = 0;
    const std::size_t count = comparator.table().config().comparisons.size();
    for (std::size_t c = 0; c < count; ++c) {
        pattern |= static_cast<Pattern>(comparator.level(c, a, b) + 1) << (4 * c);
    }
    return pattern;
}

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
        normalise(probabilities);
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
                normalise(next);
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
        normalise(probabilities.m);
        params.comparisons.push_back(std::move(probabilities));
    }
    return params;
}

// ---------------------------------------------------------------------------------------------------------------

ScoringModel::ScoringModel(const RecordTable& table, ModelParams params, const TermFrequencies* frequencies)
    : table_(&table), comparator_(table), params_(std::move(params)) {
    const LinkageConfig& config = table.config();
    if (params_.comparisons.size() != config.comparisons.size()) {
        throw GatewayError(ErrorCode::Internal, "linkage model has " + std::to_string(params_.comparisons.size()) +
                                                    " comparisons, the configuration " +
                                                    std::to_string(config.comparisons.size()));
    }
    for (std::size_t c = 0; c < config.comparisons.size(); ++c) {
        const ComparisonSpec& spec = config.comparisons[c];
        const LevelProbabilities& p = params_.comparisons[c];
        std::vector<double> weights;
        for (std::size_t l = 0; l < spec.levelCount(); ++l) {
            weights.push_back(std::log2(p.m[l] / p.u[l]));
        }
        weights_.push_back(std::move(weights));
        const int exact = exactLevel(spec);
        exact_level_.push_back(spec.term_frequency ? exact : -1);
        std::vector<float> tf;
        if (spec.term_frequency && exact >= 0) {
            const FieldDictionary& dictionary = table.dictionary(spec.field);
            tf.assign(dictionary.size(), 0);
            for (std::uint32_t i = 1; i < dictionary.size(); ++i) {
                double count = dictionary.entry(i).count;
                double total = static_cast<double>(dictionary.present());
                if (frequencies != nullptr && c < frequencies->comparisons.size()) {
                    const auto& external = frequencies->comparisons[c];
                    const auto it = external.counts.find(dictionary.entry(i).text);
                    count = it == external.counts.end() ? 1 : it->second;
                    total = static_cast<double>(external.total);
                }
                // Agreeing on a value held by a share p of records happens by chance with probability p.
                const double share = std::clamp(count / std::max(total, 1.0), 1e-12, 1.0);
                tf[i] = static_cast<float>(std::log2(p.m[exact] / share));
            }
        }
        tf_weights_.push_back(std::move(tf));
    }
    group_of_.assign(config.comparisons.size(), -1);
    for (std::size_t g = 0; g < config.groups.size(); ++g) {
        for (std::size_t c : config.groups[g].comparisons) {
            group_of_[c] = static_cast<int>(g);
        }
    }
}

double ScoringModel::levelWeight(std::size_t comparison, int level, std::uint32_t value) const {
    if (level == kNullLevel) {
        return 0;
    }
    if (level == exact_level_[comparison] && value < tf_weights_[comparison].size()) {
        return tf_weights_[comparison][value];
    }
    return weights_[comparison][static_cast<std::size_t>(level)];
}

double ScoringModel::weight(std::size_t a, std::size_t b) const {
    const LinkageConfig& config = table_->config();
    double total = 0;
    std::array<double, kMaxComparisons> group_sums{};
    for (std::size_t c = 0; c < config.comparisons.size(); ++c) {
        const std::uint32_t value = table_->value(a, config.comparisons[c].field);
        const double weight = levelWeight(c, comparator_.level(c, a, b), value);
        if (group_of_[c] < 0) {
            total += weight;
        } else {
            group_sums[static_cast<std::size_t>(group_of_[c])] += weight;
        }
    }
    for (std::size_t g = 0; g < config.groups.size(); ++g) {
        total += std::clamp(group_sums[g], config.groups[g].min_weight, config.groups[g].max_weight);
    }
    return total;
}

std::size_t ScoringModel::deterministicRule(std::size_t a, std::size_t b) const {
    const LinkageConfig& config = table_->config();
    for (std::size_t r = 0; r < config.deterministic.size(); ++r) {
        const DeterministicRule& rule = config.deterministic[r];
        bool holds = true;
        for (std::size_t field : rule.equal) {
            const std::uint32_t value = table_->value(a, field);
            holds = holds && value != FieldDictionary::kAbsent && value == table_->value(b, field);
        }
        for (std::size_t field : rule.require_valid) {
            holds = holds && table_->entry(a, field).valid && table_->entry(b, field).valid;
        }
        for (const auto& [comparison, weakest] : rule.require_level) {
            const int level = holds ? comparator_.level(comparison, a, b) : kNullLevel;
            holds = holds && level <= weakest;
        }
        if (holds) {
            return r;
        }
    }
    return std::string::npos;
}

PairExplanation ScoringModel::explain(std::size_t a, std::size_t b) const {
    const LinkageConfig& config = table_->config();
    PairExplanation explanation;
    explanation.left = table_->key(a);
    explanation.right = table_->key(b);
    for (std::size_t c = 0; c < config.comparisons.size(); ++c) {
        const ComparisonSpec& spec = config.comparisons[c];
        ComparisonExplanation part;
        part.comparison = spec.name;
        part.left = table_->entry(a, spec.field).text;
        part.right = table_->entry(b, spec.field).text;
        const int level = comparator_.level(c, a, b);
        if (level == kNullLevel) {
            part.level = "absent";
        } else {
            part.level = level < static_cast<int>(spec.levels.size()) ? spec.levels[level].label : "different";
            part.m = params_.comparisons[c].m[level];
            part.u = params_.comparisons[c].u[level];
            part.weight = levelWeight(c, level, table_->value(a, spec.field));
            part.term_frequency_adjusted = level == exact_level_[c];
        }
        if (group_of_[c] < 0) {
            explanation.weight += part.weight;
        } else {
            part.group = config.groups[static_cast<std::size_t>(group_of_[c])].name;
        }
        explanation.comparisons.push_back(std::move(part));
    }
    for (const ComparisonGroup& group : config.groups) {
        double sum = 0;
        for (std::size_t c : group.comparisons) {
            sum += explanation.comparisons[c].weight;
        }
        const double clamped = std::clamp(sum, group.min_weight, group.max_weight);
        explanation.weight += clamped;
        if (clamped != sum) {
            explanation.notes.push_back("group " + group.name + ": " + formatNumber(sum, "%+.2f") + " clamped to " +
                                        formatNumber(clamped, "%+.2f"));
        }
    }
    const std::size_t rule = deterministicRule(a, b);
    if (rule != std::string::npos) {
        explanation.deterministic_rule = config.deterministic[rule].name;
    }
    const double lambda = std::clamp(params_.lambda, 1e-12, 1 - 1e-12);
    const double odds = explanation.weight + std::log2(lambda / (1 - lambda));
    explanation.probability = 1 / (1 + std::exp2(-std::clamp(odds, -1000.0, 1000.0)));
    if (!explanation.deterministic_rule.empty() || explanation.weight >= config.thresholds.link) {
        explanation.band = "link";
    } else if (explanation.weight >= config.thresholds.review) {
        explanation.band = "review";
    } else {
        explanation.band = "non_link";
    }
    return explanation;
}

// ---------------------------------------------------------------------------------------------------------------

std::string PairExplanation::toJson() const {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("left");
    json::string(writer, left);
    writer.Key("right");
    json::string(writer, right);
    if (!deterministic_rule.empty()) {
        writer.Key("deterministic_rule");
        writer.String(deterministic_rule.c_str());
    }
    writer.Key("weight");
    writer.Double(std::round(weight * 1000) / 1000);
    writer.Key("probability");
    writer.Double(probability);
    writer.Key("band");
    writer.String(band.c_str());
    writer.Key("comparisons");
    writer.StartArray();
    for (const ComparisonExplanation& part : comparisons) {
        writer.StartObject();
        writer.Key("comparison");
        writer.String(part.comparison.c_str());
        writer.Key("level");
        writer.String(part.level.c_str());
        writer.Key("left");
        json::string(writer, part.left);
        writer.Key("right");
        json::string(writer, part.right);
        writer.Key("m");
        writer.Double(part.m);
        writer.Key("u");
        writer.Double(part.u);
        writer.Key("weight");
        writer.Double(std::round(part.weight * 1000) / 1000);
        if (part.term_frequency_adjusted) {
            writer.Key("term_frequency_adjusted");
            writer.Bool(true);
        }
        if (!part.group.empty()) {
            writer.Key("group");
            writer.String(part.group.c_str());
        }
        writer.EndObject();
    }
    writer.EndArray();
    if (!notes.empty()) {
        writer.Key("notes");
        writer.StartArray();
        for (const std::string& note : notes) {
            json::string(writer, note);
        }
        writer.EndArray();
    }
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::string PairExplanation::toText() const {
    std::string text = left + "  ~  " + right + "\n";
    if (!deterministic_rule.empty()) {
        text += "deterministic rule: " + deterministic_rule + "\n";
    }
    for (const ComparisonExplanation& part : comparisons) {
        std::string line = "  " + part.comparison;
        line.resize(std::max<std::size_t>(line.size() + 1, 18), ' ');
        line += part.level;
        line.resize(std::max<std::size_t>(line.size() + 1, 38), ' ');
        line += formatNumber(part.weight, "%+7.2f");
        line += "   " + (part.left.empty() ? std::string("-") : part.left) + " | " +
                (part.right.empty() ? std::string("-") : part.right);
        if (part.term_frequency_adjusted) {
            line += "   (term frequency)";
        }
        if (!part.group.empty()) {
            line += "   [" + part.group + "]";
        }
        text += line + "\n";
    }
    for (const std::string& note : notes) {
        text += "  " + note + "\n";
    }
    text += "weight " + formatNumber(weight, "%.2f") + "  probability " + formatNumber(probability, "%.6f") +
            "  band " + band + "\n";
    return text;
}

std::string modelToJson(const LinkageConfig& config, const ModelParams& params, const TermFrequencies& frequencies) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("lambda");
    writer.Double(params.lambda);
    writer.Key("iterations");
    writer.Int(params.iterations);
    writer.Key("converged");
    writer.Bool(params.converged);
    writer.Key("pairs");
    writer.Uint64(params.pairs);
    writer.Key("comparisons");
    writer.StartArray();
    for (std::size_t c = 0; c < params.comparisons.size(); ++c) {
        writer.StartObject();
        writer.Key("name");
        writer.String(config.comparisons[c].name.c_str());
        writer.Key("m");
        writer.StartArray();
        for (double m : params.comparisons[c].m) {
            writer.Double(m);
        }
        writer.EndArray();
        writer.Key("u");
        writer.StartArray();
        for (double u : params.comparisons[c].u) {
            writer.Double(u);
        }
        writer.EndArray();
        if (c < frequencies.comparisons.size() && frequencies.comparisons[c].total > 0) {
            const auto& table = frequencies.comparisons[c];
            writer.Key("tf_total");
            writer.Uint64(table.total);
            writer.Key("tf");
            writer.StartObject();
            for (const auto& [value, count] : table.counts) {
                json::key(writer, value);
                writer.Uint(count);
            }
            writer.EndObject();
        }
        writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

void modelFromJson(const LinkageConfig& config, std::string_view json, ModelParams& params,
                   TermFrequencies& frequencies) {
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    auto fail = [](const std::string& why) {
        throw GatewayError(ErrorCode::InvalidArgument, "stored linkage model: " + why);
    };
    if (document.HasParseError() || !document.IsObject() || !document.HasMember("comparisons") ||
        !document["comparisons"].IsArray() || !document.HasMember("lambda") || !document["lambda"].IsNumber()) {
        fail("not a model");
    }
    const auto& list = document["comparisons"];
    if (list.Size() != config.comparisons.size()) {
        fail("made for another configuration (" + std::to_string(list.Size()) + " comparisons)");
    }
    params = ModelParams();
    params.lambda = document["lambda"].GetDouble();
    frequencies = TermFrequencies();
    for (rapidjson::SizeType c = 0; c < list.Size(); ++c) {
        const auto& item = list[c];
        const std::size_t levels = config.comparisons[c].levelCount();
        if (!item.IsObject() || !item.HasMember("m") || !item.HasMember("u") || !item["m"].IsArray() ||
            !item["u"].IsArray() || item["m"].Size() != levels || item["u"].Size() != levels) {
            fail("comparison " + std::to_string(c) + " does not match the configuration");
        }
        LevelProbabilities probabilities;
        for (rapidjson::SizeType l = 0; l < levels; ++l) {
            if (!item["m"][l].IsNumber() || !item["u"][l].IsNumber()) {
                fail("comparison " + std::to_string(c) + ": probabilities must be numbers");
            }
            probabilities.m.push_back(item["m"][l].GetDouble());
            probabilities.u.push_back(item["u"][l].GetDouble());
        }
        normalise(probabilities.m);
        normalise(probabilities.u);
        params.comparisons.push_back(std::move(probabilities));
        TermFrequencies::Table table;
        if (item.HasMember("tf") && item["tf"].IsObject() && item.HasMember("tf_total") &&
            item["tf_total"].IsUint64()) {
            table.total = item["tf_total"].GetUint64();
            for (auto it = item["tf"].MemberBegin(); it != item["tf"].MemberEnd(); ++it) {
                if (it->value.IsUint()) {
                    table.counts.emplace(std::string(it->name.GetString(), it->name.GetStringLength()),
                                         it->value.GetUint());
                }
            }
        }
        frequencies.comparisons.push_back(std::move(table));
    }
}

}  // namespace gateway::linkage
