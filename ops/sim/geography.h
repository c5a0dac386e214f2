#pragma once

#include "ops/sim/random.h"

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace deptsim {

/// A village or residents' committee of the district.
struct Village {
    std::string code;          // 12 digits
    std::size_t township = 0;  // index into the townships
    bool rural = false;        // a village committee (村委会, codes x200–x399) rather than a community
    std::string place;         // full name without the committee suffix: 江苏省常州市新北区孟河镇迎龙村
};

struct Township {
    std::string code;
    std::string short_name;  // 孟河 for 孟河镇, 三井 for 三井街道
    std::vector<std::size_t> primary_schools;
    std::size_t middle_school = 0;
};

struct School {
    std::string code;  // 10-digit school identification code (学校标识码)
    std::string name;
    int first_grade = 1;
    int last_grade = 6;
};

/// The real townships and villages of one district (from the built-in division data), with the schools the
/// simulator places in them and the counties elsewhere that parents come from.
class Geography {
public:
    /// Throws std::runtime_error when the district is unknown or has no villages in the built-in data.
    static Geography forDistrict(std::string_view district_code);

    /// 6 digits.
    const std::string& districtCode() const { return district_code_; }
    const std::vector<Village>& villages() const { return villages_; }
    const std::vector<Township>& townships() const { return townships_; }
    const std::vector<School>& schools() const { return schools_; }

    /// A village weighted by how many families live there (industrial parks hardly any).
    std::size_t pickVillage(Random& random) const;
    /// A house in the village: 迎龙村5组32号, 华山社区12幢2单元301室.
    std::string address(std::size_t village, Random& random) const;
    /// The school a child in `grade` (1–12) living in the village attends.
    const School& schoolFor(std::size_t village, int grade, Random& random) const;
    /// A 6-digit county code of another county: of the same city when `same_city`, else anywhere in China with
    /// the provinces that send most migrants to the east coast weighted up.
    std::string otherCounty(Random& random, bool same_city) const;
    /// The full name of a county otherCounty() returned: 安徽省阜阳市临泉县.
    std::string countyName(const std::string& county_code) const;

private:
    Geography() = default;

    std::string district_code_;
    std::vector<Village> villages_;
    std::vector<Township> townships_;
    std::vector<School> schools_;
    std::vector<std::size_t> high_schools_;
    WeightedPicker village_picker_;
    std::vector<std::string> same_city_counties_;
    std::vector<std::string> same_province_counties_;
    std::vector<std::string> migrant_counties_;  // provinces that send many migrant workers
    std::vector<std::string> all_counties_;
    std::unordered_map<std::string, std::string> county_names_;
};

}  // namespace deptsim
