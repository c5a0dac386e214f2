#include "gateway/linkage/scoring.h"

#include "gateway/common/error.h"
#include "gateway/linkage/string_metrics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace gateway::linkage {

namespace {

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

}  // namespace

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

void normaliseProbabilities(std::vector<double>& probabilities) {
    constexpr double kMinProbability = 1e-9;
    double sum = 0;
    for (double& p : probabilities) {
        p = std::clamp(p, kMinProbability, 1.0);
        sum += p;
    }
    for (double& p : probabilities) {
        p /= sum;
    }
}

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

}  // namespace gateway::linkage
