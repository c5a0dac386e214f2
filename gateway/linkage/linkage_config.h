#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gateway::linkage {

/// How a field's text is read and normalised before it is compared.
enum class FieldType {
    Text,         ///< trimmed, full-width folded, ASCII lower-cased
    CitizenId,    ///< GB 11643, 15-digit numbers upgraded; a wrong check digit keeps the value, marked invalid
    Date,         ///< any layout model::parseDate reads; an impossible date is absent
    ChineseName,  ///< model::normaliseName, split into surname and given name, read as pinyin
    Division,     ///< a division code, padded to 12 digits
};

enum class NamePart { Full, Surname, Given };

/// One place a field's value may come from. `pointer` is a JSON pointer in which a `*` segment stands for every
/// element of an array; `where` keeps only the elements whose members (pointers relative to the element) hold
/// the given strings. The first non-empty value wins.
struct FieldSource {
    std::string pointer;
    std::vector<std::pair<std::string, std::string>> where;
    std::string strip_prefix;  ///< removed from the start of the value when present ("G" of a student number)
};

struct FieldSpec {
    std::string name;
    FieldType type = FieldType::Text;
    std::vector<FieldSource> sources;
    NamePart part = NamePart::Full;  ///< for ChineseName
    /// For ChineseName: patterns (PCRE, UTF-8) of names that are not names, such as 张某之女 or 小涵 on a birth
    /// record. A matching name is absent; a first capture group, when the pattern has one, is kept as the surname.
    std::vector<std::string> placeholders;
    /// For CitizenId: the index of a Date field of the same record whose century a 15-digit number takes when the
    /// two agree on year in century, month and day; a number that contradicts it is absent (model::parseCitizenId
    /// with a birth date). npos without one: 15-digit numbers are then upgraded with 19.
    std::size_t birth_date = static_cast<std::size_t>(-1);
};

enum class LevelKind {
    Exact,        ///< equal normalised values
    Pinyin,       ///< ChineseName: same length, every character shares a toneless reading
    Damerau,      ///< optimal-string-alignment distance ≤ param (at most 8), on code points, with something in common
    JaroWinkler,  ///< similarity ≥ param
    Prefix,       ///< the first param code points equal (division codes: 9 = township, 6 = district)
    DateSwap,     ///< Date: day and month swapped
    DateOneField,  ///< Date: exactly one of year, month, day differs
    Within,        ///< numeric values differ by at most param
};

struct LevelSpec {
    std::string label;  ///< as written in the config, e.g. "jaro_winkler>=0.9"
    LevelKind kind = LevelKind::Exact;
    double param = 0;
};

/// One comparison of the Fellegi–Sunter model: agreement levels from strongest to weakest, and an implied last
/// level "different". Either side absent gives the null level, which weighs nothing.
struct ComparisonSpec {
    std::string name;
    std::size_t field = 0;
    std::vector<LevelSpec> levels;  ///< at most 14
    bool term_frequency = false;    ///< weigh an exact agreement by how common the value is
    /// Fixed probabilities per level (levels + 1 entries each, "different" last); empty to estimate them.
    std::vector<double> m;
    std::vector<double> u;

    std::size_t levelCount() const { return levels.size() + 1; }
};

enum class KeyTransform {
    Value,    ///< the whole normalised value
    Prefix,   ///< the first n code points
    Year,     ///< Date: the year
    Pinyin,   ///< ChineseName: the toneless pinyin of the whole (surname or given) name
    Initial,  ///< ChineseName: first letter of the pinyin of each character ("zzh" for 张子涵)
};

struct KeyPart {
    std::size_t field = 0;
    KeyTransform transform = KeyTransform::Value;
    int n = 0;
};

/// Records that share every part of a rule's key are candidate pairs.
struct BlockingRule {
    std::string name;
    std::vector<KeyPart> parts;
    /// Whether EM learns from this rule's pairs. Blocks of one household (a mother's children) pair siblings,
    /// who agree on every household field: EM would take "same household" for "same child" there.
    bool estimate = true;
};

/// Pairs equal on every field of `equal` are linked without scoring, provided each comparison of `require_level`
/// is absent or at least at the given level (twins share their mother, birth date and sex, not their names).
/// Fields of `require_valid` must hold valid citizen IDs on both sides: a mistyped ID is evidence for the score,
/// never proof.
struct DeterministicRule {
    std::string name;
    std::vector<std::size_t> equal;
    std::vector<std::size_t> require_valid;
    std::vector<std::pair<std::size_t, int>> require_level;  ///< comparison index, weakest level index allowed
};

/// Comparisons whose agreement is one piece of evidence, not several: a child's mother, father, their phone and
/// the household address all agree for siblings too. Their weights are summed, then the sum is clamped.
struct ComparisonGroup {
    std::string name;
    std::vector<std::size_t> comparisons;
    double max_weight = 16;
    double min_weight = -16;
};

struct Thresholds {
    double link = 12;     ///< a pair at or above this match weight (bits) is linked
    double review = 4;    ///< between review and link a pair goes to the review queue
    double non_link = 0;  ///< two records in one cluster must not score below this (chaining guard)
};

struct EmSettings {
    std::size_t max_pairs = 3'000'000;  ///< candidate pairs sampled for EM
    int max_iterations = 60;
    double tolerance = 1e-5;
    std::size_t u_sample_pairs = 500'000;  ///< random pairs drawn to estimate u
    std::uint64_t seed = 42;
    double min_m = 0.001;  ///< the least m of any estimated level
};

/// Everything `gateway link` needs to link a kind of record: fields by JSON pointer, comparisons with levels,
/// blocking rules, deterministic rules, thresholds and constraints. Read from JSON (config/linkage/README.md).
struct LinkageConfig {
    std::string source_pointer = "/source";
    std::string id_pointer = "/source_id";
    std::vector<FieldSpec> fields;
    std::vector<ComparisonSpec> comparisons;
    std::vector<ComparisonGroup> groups;
    std::vector<BlockingRule> blocking;
    std::vector<DeterministicRule> deterministic;
    Thresholds thresholds;
    EmSettings em;
    bool across_sources_only = false;  ///< never pair two records of one source
    bool one_per_source = false;       ///< a person holds at most one record of each source
    /// Fields (citizen IDs) for which two records of one source with different valid values are never linked.
    std::vector<std::size_t> distinct_within_source;
    /// A record that scores above the link threshold against two persons that cannot be one goes to review
    /// instead of picking one, unless the weaker link is more than this many bits below the stronger.
    double ambiguity_margin = 1e9;
    std::size_t max_block_size = 3000;  ///< larger blocks are skipped with a warning: their pairs are noise
    std::string person_prefix = "P";

    std::size_t fieldIndex(std::string_view name) const;  ///< npos when unknown

    /// Throws GatewayError(InvalidConfig) with "ORIGIN:LINE: at /json/pointer: what is wrong".
    static LinkageConfig parse(std::string_view json, std::string_view origin);
    static LinkageConfig load(const std::string& path);
    /// The child configuration compiled into the executable (config/linkage/child.json).
    static LinkageConfig builtinChild();
};

std::string_view fieldTypeName(FieldType type);

}  // namespace gateway::linkage
