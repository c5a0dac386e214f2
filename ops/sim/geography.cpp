#include "ops/sim/geography.h"

#include "gateway/model/division_directory.h"

#include <array>
#include <cstdio>
#include <stdexcept>

namespace deptsim {

namespace {

using gateway::model::DivisionCode;
using gateway::model::DivisionDirectory;
using gateway::model::DivisionLevel;

DivisionCode codeOf(std::string_view text) {
    auto parsed = DivisionCode::parse(text);
    if (!parsed) {
        throw std::runtime_error(parsed.error);
    }
    return *parsed.code;
}

bool endsWith(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

/// 迎龙村村委会 → 迎龙村, 华山社区居委会 → 华山社区: how an address names the place.
std::string placeName(std::string name) {
    for (const std::string_view suffix : {"村民委员会", "居民委员会", "村委会", "居委会"}) {
        if (endsWith(name, suffix)) {
            name.resize(name.size() - suffix.size());
            if (!endsWith(name, "村") && !endsWith(name, "社区") && !name.empty()) {
                name += suffix.substr(0, 3) == "村" ? "村" : "社区";
            }
            return name;
        }
    }
    return name;
}

std::string shortTownshipName(std::string name) {
    for (const std::string_view suffix : {"街道办事处", "街道", "镇", "乡"}) {
        if (endsWith(name, suffix) && name.size() > suffix.size()) {
            name.resize(name.size() - suffix.size());
            return name;
        }
    }
    return name;
}

constexpr std::array<std::string_view, 8> kMigrantProvinces{"34", "41", "51", "52", "36", "42", "43", "37"};

constexpr std::array<std::string_view, 3> kOrdinals{"第一", "第二", "第三"};

}  // namespace

Geography Geography::forDistrict(std::string_view district_code) {
    const DivisionDirectory directory = DivisionDirectory::loadBuiltin();
    const DivisionCode district = codeOf(district_code);
    if (district.level() != DivisionLevel::District || !directory.contains(district)) {
        throw std::runtime_error("district " + std::string(district_code) + " is not in the built-in division data");
    }
    Geography g;
    g.district_code_ = std::string(district.prefix());
    const auto city = district.parent();
    const std::string city_name = city ? directory.name(*city).value_or("") : "";
    const std::string district_name = directory.name(district).value_or("");
    const std::string school_prefix = (city_name == "市辖区" || city_name == "县" ? "" : city_name) + district_name;

    std::vector<double> weights;
    for (const DivisionCode& township_code : directory.children(district)) {
        Township township;
        township.code = std::string(township_code.text());
        township.short_name = shortTownshipName(directory.name(township_code).value_or(""));
        const std::size_t township_index = g.townships_.size();
        std::size_t villages_here = 0;
        for (const DivisionCode& village_code : directory.children(township_code)) {
            Village village;
            village.code = std::string(village_code.text());
            village.township = township_index;
            const int serial = std::stoi(village.code.substr(9, 3));
            village.rural = serial >= 200 && serial < 400;
            village.place = placeName(directory.fullName(village_code).value_or(""));
            weights.push_back(serial >= 400 ? 0.05 : (village.rural ? 2.0 : 1.2));
            g.villages_.push_back(std::move(village));
            ++villages_here;
        }
        if (villages_here == 0) {
            continue;
        }
        // School identification codes: 31 + province + a serial within the district.
        auto add_school = [&](const std::string& name, int first, int last) {
            School school;
            char code[16];
            std::snprintf(code, sizeof code, "31%s%s%04zu", g.district_code_.substr(0, 2).c_str(),
                          g.district_code_.substr(4, 2).c_str(), g.schools_.size() + 1);
            school.code = code;
            school.name = name;
            school.first_grade = first;
            school.last_grade = last;
            g.schools_.push_back(std::move(school));
            return g.schools_.size() - 1;
        };
        township.primary_schools.push_back(add_school(school_prefix + township.short_name + "中心小学", 1, 6));
        if (villages_here >= 12) {
            township.primary_schools.push_back(add_school(school_prefix + township.short_name + "实验小学", 1, 6));
        }
        township.middle_school = add_school(school_prefix + township.short_name + "初级中学", 7, 9);
        g.townships_.push_back(std::move(township));
    }
    if (g.villages_.empty()) {
        throw std::runtime_error("district " + std::string(district_code) + " has no villages in the division data");
    }
    for (const auto ordinal : kOrdinals) {
        School school;
        char code[16];
        std::snprintf(code, sizeof code, "31%s%s%04zu", g.district_code_.substr(0, 2).c_str(),
                      g.district_code_.substr(4, 2).c_str(), g.schools_.size() + 1);
        school.code = code;
        school.name = school_prefix + std::string(ordinal) + "高级中学";
        school.first_grade = 10;
        school.last_grade = 12;
        g.high_schools_.push_back(g.schools_.size());
        g.schools_.push_back(std::move(school));
    }
    g.village_picker_ = WeightedPicker(weights);

    const std::string own_city = g.district_code_.substr(0, 4);
    const std::string own_province = g.district_code_.substr(0, 2);
    for (int province = 11; province <= 65; ++province) {
        const auto province_code = DivisionCode::parse(std::to_string(province));
        if (!province_code || !directory.contains(*province_code.code)) {
            continue;
        }
        for (const DivisionCode& city_code : directory.children(*province_code.code)) {
            for (const DivisionCode& county : directory.children(city_code)) {
                if (county.level() != DivisionLevel::District) {
                    continue;
                }
                const std::string code(county.prefix());
                if (code == g.district_code_) {
                    continue;
                }
                g.all_counties_.push_back(code);
                g.county_names_.emplace(code, directory.fullName(county).value_or(""));
                if (code.substr(0, 4) == own_city) {
                    g.same_city_counties_.push_back(code);
                } else if (code.substr(0, 2) == own_province) {
                    g.same_province_counties_.push_back(code);
                }
                for (const auto migrant : kMigrantProvinces) {
                    if (code.substr(0, 2) == migrant && migrant != own_province) {
                        g.migrant_counties_.push_back(code);
                    }
                }
            }
        }
    }
    if (g.all_counties_.empty()) {
        g.all_counties_.push_back(g.district_code_);
    }
    return g;
}

std::string Geography::countyName(const std::string& county_code) const {
    const auto it = county_names_.find(county_code);
    return it == county_names_.end() ? std::string() : it->second;
}

std::size_t Geography::pickVillage(Random& random) const {
    return village_picker_.pick(random);
}

std::string Geography::address(std::size_t village, Random& random) const {
    const Village& v = villages_[village];
    if (v.rural) {
        return v.place + std::to_string(random.between(1, 16)) + "组" + std::to_string(random.between(1, 90)) + "号";
    }
    return v.place + std::to_string(random.between(1, 40)) + "幢" + std::to_string(random.between(1, 3)) + "单元" +
           std::to_string(random.between(1, 18)) + "0" + std::to_string(random.between(1, 4)) + "室";
}

const School& Geography::schoolFor(std::size_t village, int grade, Random& random) const {
    const Township& township = townships_[villages_[village].township];
    if (grade >= 10) {
        return schools_[high_schools_[random.below(high_schools_.size())]];
    }
    if (grade >= 7) {
        return schools_[township.middle_school];
    }
    return schools_[township.primary_schools[random.below(township.primary_schools.size())]];
}

std::string Geography::otherCounty(Random& random, bool same_city) const {
    if (same_city && !same_city_counties_.empty()) {
        return random.pick(same_city_counties_);
    }
    const double draw = random.uniform();
    if (draw < 0.35 && !same_province_counties_.empty()) {
        return random.pick(same_province_counties_);
    }
    if (draw < 0.85 && !migrant_counties_.empty()) {
        return random.pick(migrant_counties_);
    }
    return random.pick(all_counties_);
}

}  // namespace deptsim
