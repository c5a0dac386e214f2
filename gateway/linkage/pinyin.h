#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gateway::linkage {

/// Toneless pinyin readings of Chinese characters, so that names written with different characters of the same
/// sound (张子涵 / 张紫涵, 刘 / 柳) can be recognised as homophones.
///
/// Readings come from the shipped tables (config/reference/pinyin, compiled in): the most common readings of the
/// 8,105 standard characters first, the first reading of the wider Unihan table for rarer characters, and the
/// surname reading for characters and compound surnames read differently as surnames (单 shàn, 曾 zēng, 尉迟).
/// Syllables are interned to small integers; tones are removed and ü is spelled v (lǘ → "lv", ê → "e", ḿ → "m").
class PinyinTable {
public:
    using Syllable = std::uint16_t;

    /// The table compiled into the executable. Loaded once on first use; thread-safe.
    static const PinyinTable& builtin();

    /// Readings of one character: those of the 8,105-character table, else the first of the wider table; empty
    /// for characters without any (Latin letters, digits, unknown). The reference remains valid for the table's life.
    const std::vector<Syllable>& readings(char32_t character) const;

    /// The readings of a character in surname position: the surname table's reading where it has one (单 → shan),
    /// else readings(); then the character's reading in compound surnames, where different (尉 → wei, yu of 尉迟).
    const std::vector<Syllable>& surnameReadings(char32_t character) const;

    /// Compound surnames (欧阳, 司马 …) as the surname table lists them, for splitting a full name.
    bool isCompoundSurname(std::u32string_view two_characters) const;

    /// The syllable's spelling, e.g. "zhang".
    std::string spelling(Syllable syllable) const;

    /// Toneless pinyin of a name, syllables separated by single spaces, the first character (or a compound surname)
    /// read as a surname ("单田芳" → "shan tian fang"); characters without a reading are kept as they are, a run of
    /// them as one word ("Anna王" → "Anna wang"), and whitespace only separates words.
    std::string romanise(std::u32string_view name) const;

private:
    using ListIndex = std::uint16_t;  // into lists_, where 0 is the empty list; each distinct list is stored once

    struct CompoundSurname {
        Syllable first = 0;
        Syllable second = 0;
    };

    class Loader;

    PinyinTable() = default;

    static std::uint64_t pairKey(char32_t first, char32_t second) {
        return (static_cast<std::uint64_t>(first) << 32) | second;
    }
    const CompoundSurname* findCompoundSurname(char32_t first, char32_t second) const;

    std::vector<std::string> spellings_;  // by Syllable
    std::vector<std::vector<Syllable>> lists_;
    char32_t first_code_point_ = 0;
    std::vector<ListIndex> list_by_code_point_;  // by code point - first_code_point_
    std::unordered_map<char32_t, ListIndex> surname_lists_;
    std::unordered_map<std::uint64_t, CompoundSurname> compound_surnames_;  // by pairKey()
};

}  // namespace gateway::linkage
