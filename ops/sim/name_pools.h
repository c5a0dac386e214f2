#pragma once

#include "ops/sim/random.h"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace deptsim {

/// Surnames with their frequencies, given names and given-name characters by sex, homophones and rare
/// characters (ops/sim/data/). Immutable once built; shared between threads for reading.
class NamePools {
public:
    /// The tables compiled into the executable, parsed on first use.
    static const NamePools& builtin();

    /// Drawn by frequency, so the long tail stays rare.
    std::string surname(Random& random) const;
    /// A given name of one or two characters in the style of children born since 2008. `sex`: 1 or 2.
    std::string childGivenName(Random& random, int sex) const;
    /// A given name in the style of people born 1970–2000.
    std::string adultGivenName(Random& random, int sex) const;
    /// One character, as siblings' names share a generation character and differ in the second.
    std::string givenCharacter(Random& random, int sex) const;
    /// A name character outside GBK or the BMP (䶮, 𠮷, …), or a rare one inside GBK.
    std::string rareCharacter(Random& random, int sex) const;
    /// A character with the same pinyin, or nullopt when the table has none.
    std::optional<char32_t> homophone(char32_t character, Random& random) const;
    /// How many leading characters of `name` are its surname: 2 for a compound surname (欧阳), else 1.
    std::size_t surnameLength(std::u32string_view name) const;

private:
    NamePools() = default;

    struct BySex {
        std::vector<std::string> male;
        std::vector<std::string> female;
        std::vector<std::string> either;
        const std::vector<std::string>& forSex(int sex) const { return sex == 1 ? male : female; }
    };

    std::vector<std::string> surnames_;
    WeightedPicker surname_picker_;
    std::unordered_set<std::u32string> compound_surnames_;
    BySex given_names_;
    BySex single_chars_;
    BySex first_chars_;
    BySex second_chars_;
    BySex adult_names_;
    BySex rare_chars_;
    std::unordered_map<char32_t, std::u32string> homophones_;
};

}  // namespace deptsim
