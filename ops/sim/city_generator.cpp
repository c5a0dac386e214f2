#include "ops/sim/city_generator.h"

#include "ops/sim/family_situation.h"

#include "gateway/common/utf8.h"
#include "gateway/model/citizen_id.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

namespace deptsim {

namespace {

using gateway::model::CalendarDate;

/// Births in China by year, in millions (NBS yearbooks; 2025–2026 extrapolated). The cohorts of a city's
/// children follow the national curve: many born around 2016, far fewer since 2020.
double birthsInYear(int year) {
    static constexpr std::array<double, 19> kBirths{16.1, 15.9, 15.9, 16.0, 16.4, 16.4, 16.9, 16.6, 17.9, 17.2,
                                                    15.2, 14.7, 12.0, 10.6, 9.6,  9.0,  9.5,  8.8,  8.5};
    const int index = std::clamp(year - 2008, 0, static_cast<int>(kBirths.size()) - 1);
    return kBirths[static_cast<std::size_t>(index)];
}

constexpr std::array<int, 10> kMinorities{3, 6, 15, 11, 7, 8, 9, 2, 12, 10};

constexpr std::array<std::string_view, 7> kDisabilityKinds{"肢体", "智力", "言语", "听力", "视力", "精神", "多重"};
constexpr std::array<double, 7> kDisabilityShares{0.35, 0.25, 0.1, 0.1, 0.08, 0.05, 0.07};
constexpr std::array<std::string_view, 4> kDisabilityGrades{"一级", "二级", "三级", "四级"};
constexpr std::array<std::string_view, 8> kIllnesses{
    "急性淋巴细胞白血病", "先天性心脏病",   "肾病综合征", "血友病",
    "1型糖尿病",          "重型地中海贫血", "恶性肿瘤",   "苯丙酮尿症"};

CalendarDate yearsBefore(const CalendarDate& date, double years) {
    return date.addDays(-static_cast<int>(std::lround(years * 365.2425)));
}

}  // namespace

struct CityGenerator::Household {
    std::string id;
    std::size_t hukou_village = 0;
    std::size_t residence_village = 0;
    bool non_local = false;
    bool rural = false;
    std::string hukou_division;
    std::string hukou_county;  // 6 digits: the ID address code of children registered here
    std::string residence_division;
    std::string previous_residence_division;
    std::size_t previous_village = 0;
    std::string hukou_address;
    std::string address;
    std::string previous_address;
    Scenario scenario = Scenario::BothPresent;
    CalendarDate oldest_birth;
    std::string father_surname;
    std::string mother_surname;
    ParentFacts father;
    ParentFacts mother;
    GuardianFacts guardian;
    std::string placement;
    int ethnicity = 1;
    bool dibao = false;
    bool low_income = false;
    bool temporary_aid = false;
};

CityGenerator::CityGenerator(const CityParams& params, const Geography& geography, const NamePools& names)
    : params_(params), geography_(geography), names_(names) {
    std::vector<double> weights;
    for (int years_ago = 0; years_ago < 18; ++years_ago) {
        weights.push_back(birthsInYear(params.as_of.year() - years_ago));
    }
    years_ago_ = WeightedPicker(weights);
}

std::string CityGenerator::phone(Random& random) const {
    static constexpr std::string_view kSecond = "3456789";
    std::string number = "1";
    number += kSecond[random.below(kSecond.size())];
    for (int i = 0; i < 9; ++i) {
        number += static_cast<char>('0' + random.below(10));
    }
    return number;
}

std::string CityGenerator::assignId(std::string_view region, const CalendarDate& birth, int sex) {
    const std::uint64_t region_number = std::stoull(std::string(region));
    const auto days = static_cast<std::uint64_t>(birth.daysSinceEpoch() + 100000);
    const std::uint64_t key = (region_number << 24) ^ (days << 1) ^ static_cast<std::uint64_t>(sex == 1);
    const std::uint16_t n = id_sequences_[key]++;
    // Sequences start somewhere in the first hundred, as police stations hand out blocks of numbers.
    const std::uint64_t base = derive(key, labelHash("id-sequence")) % 50 * 2;
    const unsigned sequence = static_cast<unsigned>((base + 2u * n) % 998) + (sex == 1 ? 1 : 2);
    char body[24];
    std::snprintf(body, sizeof body, "%s%04d%02d%02d%03u", std::string(region).c_str(), birth.year(), birth.month(),
                  birth.day(), sequence);
    const auto check = gateway::model::CitizenId::checkCharacter(body);
    return std::string(body) + (check ? *check : '0');
}

std::string CityGenerator::issueCertNo(int birth_year) {
    // The letter marks the printing year; the 7th edition of 2023 starts with X, as in the published example.
    const char letter = static_cast<char>('A' + ((birth_year - 2000) % 26 + 26) % 26);
    char number[16];
    std::snprintf(number, sizeof number, "%c32%07u", letter, ++cert_serials_[birth_year]);
    return number;
}

ParentFacts CityGenerator::makeParent(Random& random, const std::string& surname, int sex, const CalendarDate& birth,
                                      const std::string& region) {
    ParentFacts parent;
    parent.name = surname + names_.adultGivenName(random, sex);
    parent.sex = sex;
    parent.birth_date = birth;
    parent.id_number = assignId(region, birth, sex);
    parent.phone = phone(random);
    return parent;
}

CalendarDate CityGenerator::drawBirthDate(Random& random) const {
    const double years_ago = static_cast<double>(years_ago_.pick(random)) + random.uniform();
    return yearsBefore(params_.as_of, years_ago);
}

void CityGenerator::placeHousehold(Random& random, Household& h) {
    const auto& villages = geography_.villages();
    h.hukou_village = geography_.pickVillage(random);
    const Village& hukou = villages[h.hukou_village];
    // Families from elsewhere live in the urban communities with their household registration back home.
    h.non_local = !hukou.rural && random.chance(0.08);
    h.rural = hukou.rural && !h.non_local;
    h.hukou_county = h.non_local ? geography_.otherCounty(random, false) : geography_.districtCode();
    h.residence_village = h.hukou_village;
    if (!h.non_local && random.chance(0.12)) {
        h.residence_village = geography_.pickVillage(random);
    }
    h.residence_division = villages[h.residence_village].code;
    h.address = geography_.address(h.residence_village, random);
    if (h.non_local) {
        h.hukou_division = h.hukou_county + "000000";
        h.hukou_address = geography_.countyName(h.hukou_county) + std::to_string(random.between(1, 300)) + "号";
    } else {
        h.hukou_division = hukou.code;
        h.hukou_address =
            h.residence_village == h.hukou_village ? h.address : geography_.address(h.hukou_village, random);
    }
    if (random.chance(params_.errors.moved)) {
        h.previous_village = geography_.pickVillage(random);
        if (h.previous_village == h.residence_village) {
            h.previous_village = (h.previous_village + 1) % villages.size();
        }
        h.previous_residence_division = villages[h.previous_village].code;
        h.previous_address = geography_.address(h.previous_village, random);
    }
}

void CityGenerator::setParents(Random& random, Household& h) {
    h.scenario = drawScenario(random, h.rural);
    h.father_surname = names_.surname(random);
    h.mother_surname = names_.surname(random);
    const double mother_age = std::clamp(random.normal(27.5, 4.0), 19.0, 42.0);
    const CalendarDate mother_birth = yearsBefore(h.oldest_birth, mother_age);
    const double age_gap = std::clamp(random.normal(2.0, 2.5), -3.0, 12.0);
    const CalendarDate father_birth = yearsBefore(mother_birth, age_gap);
    auto region = [&](double local_share) {
        if (h.non_local) {
            return random.chance(0.85) ? h.hukou_county : geography_.otherCounty(random, false);
        }
        const double draw = random.uniform();
        if (draw < local_share) {
            return geography_.districtCode();
        }
        return geography_.otherCounty(random, draw < local_share + (1 - local_share) / 2);
    };
    h.father = makeParent(random, h.father_surname, 1, father_birth, region(0.8));
    h.mother = makeParent(random, h.mother_surname, 2, mother_birth, region(0.6));

    ParentStatus& father = h.father.status;
    ParentStatus& mother = h.mother.status;
    const bool father_first = random.chance(0.6);
    ParentStatus& first = father_first ? father : mother;
    ParentStatus& second = father_first ? mother : father;
    switch (h.scenario) {
        case Scenario::BothPresent:
            break;
        case Scenario::FatherAway:
            father = ParentStatus::MigrantWorker;
            break;
        case Scenario::MotherAway:
            mother = ParentStatus::MigrantWorker;
            break;
        case Scenario::BothAway:
            father = mother = ParentStatus::MigrantWorker;
            break;
        case Scenario::AwayAndIncapable:
            first = ParentStatus::MigrantWorker;
            second = random.chance(0.8) ? incapableStatus(random) : goneStatus(random);
            break;
        case Scenario::OneGone:
            first = goneStatus(random);
            break;
        case Scenario::OneIncapable:
            first = random.chance(0.55) ? ParentStatus::SevereDisability : ParentStatus::SeriousIllness;
            break;
        case Scenario::OneConfined:
            first = random.chance(0.8) ? ParentStatus::Imprisoned : ParentStatus::DetainedOrRehab;
            break;
        case Scenario::Unsupported:
            first = random.chance(0.45) ? goneStatus(random) : unsupportingStatus(random);
            second = unsupportingStatus(random);
            break;
        case Scenario::Orphan:
            first = ParentStatus::Deceased;
            second = goneStatus(random);
            break;
        case Scenario::FatherUnknown:
            father = ParentStatus::Unknown;
            h.father.known = random.chance(0.5);
            break;
    }
    // Recent moves: a parent who left for work a few weeks ago, or came back. Sources that lag still show the
    // old status.
    for (ParentFacts* parent : {&h.father, &h.mother}) {
        parent->previous_status = parent->status;
        if (parent->status == ParentStatus::MigrantWorker && random.chance(0.08)) {
            parent->previous_status = ParentStatus::Present;
        } else if (parent->status == ParentStatus::Present && random.chance(0.03)) {
            parent->previous_status = ParentStatus::MigrantWorker;
        }
    }
    h.ethnicity = random.chance(0.985) ? 1 : kMinorities[random.below(kMinorities.size())];
}

void CityGenerator::setGuardian(Random& random, Household& h) {
    auto at_home = [](const ParentFacts& p) { return p.known && p.status == ParentStatus::Present; };
    GuardianFacts& g = h.guardian;
    if (at_home(h.mother) || at_home(h.father)) {
        const bool mother = at_home(h.mother) && (!at_home(h.father) || random.chance(0.7));
        const ParentFacts& parent = mother ? h.mother : h.father;
        g = GuardianFacts{parent.name, mother ? "母亲" : "父亲", parent.id_number, parent.phone, parent.status};
        return;
    }
    // Nobody at home: grandparents, or for orphans now and then an uncle or aunt.
    struct Carer {
        std::string_view relation;
        int sex;
        bool paternal;
    };
    static constexpr std::array<Carer, 6> kCarers{{{"祖母", 2, true},
                                                   {"祖父", 1, true},
                                                   {"外祖母", 2, false},
                                                   {"外祖父", 1, false},
                                                   {"叔伯", 1, true},
                                                   {"姑姨", 2, false}}};
    static constexpr std::array<double, 6> kShares{0.42, 0.23, 0.2, 0.1, 0.03, 0.02};
    double draw = random.uniform();
    std::size_t pick = 0;
    for (; pick + 1 < kCarers.size(); ++pick) {
        draw -= kShares[pick];
        if (draw < 0) {
            break;
        }
    }
    const Carer& carer = kCarers[pick];
    const bool own_surname = carer.sex == 1 || carer.relation == "姑姨";
    const std::string surname =
        own_surname ? (carer.paternal ? h.father_surname : h.mother_surname) : names_.surname(random);
    const CalendarDate parent_birth = carer.paternal ? h.father.birth_date : h.mother.birth_date;
    const bool same_generation = carer.relation == "叔伯" || carer.relation == "姑姨";
    const CalendarDate birth =
        yearsBefore(parent_birth, same_generation ? random.between(-6, 6) + 0.5 : random.normal(26, 3));
    const std::string region = random.chance(0.85) ? h.hukou_county : geography_.otherCounty(random, true);
    g.name = surname + names_.adultGivenName(random, carer.sex);
    g.relation = std::string(carer.relation);
    g.id_number = assignId(region, birth, carer.sex);
    g.phone = phone(random);
    g.status = ParentStatus::Present;
    if (h.scenario == Scenario::Orphan) {
        h.placement = random.chance(0.9) ? "亲属抚养" : "家庭寄养";
    }
}

void CityGenerator::setEnrolment(Random& random, const Household& h, ChildFacts& child) const {
    const CalendarDate& as_of = params_.as_of;
    // A child who is six by 31 August starts school that September.
    const int school_year = as_of.month() >= 9 ? as_of.year() : as_of.year() - 1;
    const int entry_year = child.birth_date.year() + 6 + (child.birth_date.month() > 8 ? 1 : 0);
    int grade = school_year - entry_year + 1;
    if (grade < 1 || grade > 12) {
        return;
    }
    EnrolmentFacts e;
    e.status = EnrolmentStatus::Enrolled;
    if (grade >= 10) {
        const double draw = random.uniform();
        if (draw < 0.05) {
            // Left after junior middle school: the register keeps the last row, graduated from grade 9.
            grade = 9;
            e.status = EnrolmentStatus::Graduated;
        } else if (draw < 0.08) {
            e.status = EnrolmentStatus::DroppedOut;
        }
    } else if (random.chance(grade >= 7 ? 0.01 : 0.002)) {
        e.status = EnrolmentStatus::DroppedOut;
    }
    if (e.status == EnrolmentStatus::Enrolled && random.chance(0.003)) {
        e.status = EnrolmentStatus::Suspended;
    }
    e.grade = grade;
    const School& school = geography_.schoolFor(h.residence_village, grade, random);
    e.school_code = school.code;
    e.school_name = school.name;
    const double absence = random.uniform();
    if (e.status == EnrolmentStatus::DroppedOut) {
        e.absence_days = random.between(20, 60);
    } else if (absence < 0.84) {
        e.absence_days = 0;
    } else if (absence < 0.95) {
        e.absence_days = random.between(1, 3);
    } else if (absence < 0.99) {
        e.absence_days = random.between(4, 10);
    } else {
        e.absence_days = random.between(11, 40);
    }
    if (!h.previous_residence_division.empty() && grade > 1 && random.chance(0.6)) {
        const School& before = geography_.schoolFor(h.previous_village, grade, random);
        if (before.code != school.code) {
            e.previous_school_code = before.code;
            e.previous_school_name = before.name;
        }
    }
    child.enrolment = e;
}

void CityGenerator::setAssistanceAndCase(Random& random, const Household& h, ChildFacts& child) const {
    const CalendarDate& as_of = params_.as_of;
    auto since = [&](int min_days, int max_days) {
        const CalendarDate start = as_of.addDays(-random.between(min_days, max_days));
        return std::max(start, child.birth_date.addDays(30));
    };
    if (h.dibao) {
        AssistanceFacts dibao{"低保", since(60, 1500), std::nullopt, 800 + 10 * random.between(0, 30)};
        if (random.chance(0.05)) {
            dibao.end = as_of.addDays(-random.between(10, 50));
        }
        child.assistance.push_back(dibao);
    }
    const auto categories = childCategories(child, as_of);
    auto has = [&](std::string_view category) {
        return std::find(categories.begin(), categories.end(), category) != categories.end();
    };
    if (has("orphan")) {
        child.assistance.push_back({"孤儿基本生活费", since(30, 2000), std::nullopt, 2010});
    } else if (has("de_facto_unsupported")) {
        child.assistance.push_back({"事实无人抚养儿童基本生活补贴", since(30, 1800), std::nullopt, 2010});
    }
    if (h.temporary_aid) {
        const CalendarDate start = since(20, 700);
        child.assistance.push_back({"临时救助", start, start, 500 + 100 * random.between(0, 25)});
    }

    CaseFacts k;
    if (has("orphan")) {
        k = {"孤儿", "社会散居孤儿", {}, std::nullopt, h.placement};
    } else if (has("de_facto_unsupported")) {
        k = {"困境儿童", "事实无人抚养儿童", {}, std::nullopt, ""};
    } else if (has("disability")) {
        k = {"困境儿童", "残疾儿童", {}, std::nullopt, ""};
    } else if (has("serious_illness")) {
        k = {"困境儿童", "重病儿童", {}, std::nullopt, ""};
    } else if (h.dibao) {
        k = {"困境儿童", "低保家庭儿童", {}, std::nullopt, ""};
    } else if (has("left_behind")) {
        k = {"农村留守儿童", "留守儿童", {}, std::nullopt, ""};
    } else if (h.temporary_aid) {
        k = {"临时救助", "临时救助对象", {}, std::nullopt, ""};
    } else {
        return;
    }
    // A case is opened when its first assistance starts; a case without assistance when the child was found.
    std::optional<CalendarDate> first_assistance;
    for (const auto& assistance : child.assistance) {
        if (k.case_type == "临时救助" || assistance.type != "临时救助") {
            first_assistance = std::min(first_assistance.value_or(assistance.start), assistance.start);
        }
    }
    k.opened = first_assistance.value_or(since(20, 1500));
    if (k.case_type == "临时救助") {
        k.closed = k.opened.addDays(30);
    }
    child.civil_case = k;
}

ChildFacts CityGenerator::makeChild(Random& random, const Household& h, const CalendarDate& birth,
                                    const std::string& shared_first) {
    ChildFacts c;
    c.entity = ++children_;
    c.household = h.id;
    c.sex = random.chance(0.52) ? 1 : 2;
    c.birth_date = birth;
    const int age = birth.ageOn(params_.as_of);
    const std::string surname = random.chance(0.94) ? h.father_surname : h.mother_surname;
    std::string given = shared_first.empty() ? names_.childGivenName(random, c.sex)
                                             : shared_first + names_.givenCharacter(random, c.sex);
    // Rare characters: at the configured rate, and at least once among the children the health system exports,
    // so even a small test city carries a name beyond GBK through the GB18030 drop.
    const bool young = age < 4;
    const bool force_rare = young && young_children_ == 0 && params_.errors.rare_name > 0;
    if (force_rare || random.chance(params_.errors.rare_name)) {
        auto chars = gateway::utf8::decode(given).value_or(std::u32string{});
        const auto rare = gateway::utf8::decode(names_.rareCharacter(random, c.sex)).value_or(std::u32string{});
        if (!chars.empty() && rare.size() == 1) {
            chars.back() = rare[0];
            given = gateway::utf8::encode(chars);
        }
    }
    young_children_ += young ? 1 : 0;
    c.name = surname + given;
    c.ethnicity = h.ethnicity;
    const int days_old = static_cast<int>(params_.as_of.daysSinceEpoch() - birth.daysSinceEpoch());
    const double unregistered = days_old < 183 ? 0.25 : days_old < 365 ? 0.08 : age < 4 ? 0.01 : 0.001;
    c.registered = !random.chance(unregistered);
    if (c.registered) {
        c.id_number = assignId(h.hukou_county, birth, c.sex);
    }
    c.rural = h.rural;
    c.hukou_division = h.hukou_division;
    c.residence_division = h.residence_division;
    c.previous_residence_division = h.previous_residence_division;
    c.hukou_address = h.hukou_address;
    c.address = h.address;
    c.previous_address = h.previous_address;
    c.father = h.father;
    c.mother = h.mother;
    c.guardian = h.guardian;
    c.low_income = h.low_income;
    setEnrolment(random, h, c);
    if (young) {
        const int weight = static_cast<int>(std::clamp(random.normal(3300, 450), 1300.0, 5000.0)) / 10 * 10;
        c.birth = BirthFacts{issueCertNo(birth.year()), weight};
    }
    if (random.chance(0.012)) {
        double draw = random.uniform();
        std::size_t kind = 0;
        for (; kind + 1 < kDisabilityKinds.size(); ++kind) {
            draw -= kDisabilityShares[kind];
            if (draw < 0) {
                break;
            }
        }
        c.disability = std::string(kDisabilityKinds[kind]) + "残疾" +
                       std::string(kDisabilityGrades[random.below(kDisabilityGrades.size())]);
    }
    if (random.chance(0.006)) {
        c.serious_illness = std::string(kIllnesses[random.below(kIllnesses.size())]);
    }
    setAssistanceAndCase(random, h, c);
    return c;
}

std::vector<ChildFacts> CityGenerator::nextHousehold() {
    std::vector<ChildFacts> children;
    if (children_ >= params_.children) {
        return children;
    }
    const std::uint32_t index = households_++;
    Random random(derive(params_.seed, labelHash("household"), index));
    Household h;
    char id[16];
    std::snprintf(id, sizeof id, "H%07u", index + 1);
    h.id = id;
    placeHousehold(random, h);

    // One to three children aged 0–17, at least ten months apart (twins now and then).
    const int wanted = 1 + (random.chance(0.6) ? 1 : 0) + (random.chance(0.15) ? 1 : 0);
    std::vector<CalendarDate> births;
    for (int i = 0; i < wanted; ++i) {
        const CalendarDate birth = drawBirthDate(random);
        bool fits = true;
        for (const CalendarDate& other : births) {
            fits = fits && std::abs(birth.daysSinceEpoch() - other.daysSinceEpoch()) >= 300;
        }
        if (fits) {
            births.push_back(birth);
        }
    }
    if (births.size() >= 2 && random.chance(0.01)) {
        births.back() = births.front();
    }
    std::sort(births.begin(), births.end());
    const std::uint32_t room = params_.children - children_;
    if (births.size() > room) {
        births.resize(room);
    }
    h.oldest_birth = births.front();
    setParents(random, h);
    setGuardian(random, h);
    const bool poor_start = h.scenario == Scenario::AwayAndIncapable || h.scenario == Scenario::OneGone ||
                            h.scenario == Scenario::OneIncapable || h.scenario == Scenario::OneConfined ||
                            h.scenario == Scenario::Unsupported;
    h.dibao = random.chance(h.rural ? 0.035 : 0.02) || (poor_start && random.chance(0.45));
    h.low_income = !h.dibao && random.chance(0.04);
    h.temporary_aid = random.chance(0.006) || (h.low_income && random.chance(0.15));

    // Siblings often share the first character of a two-character given name (字辈).
    std::string shared_first;
    if (births.size() >= 2 && random.chance(0.3)) {
        const auto first = gateway::utf8::decode(names_.childGivenName(random, 1)).value_or(std::u32string{});
        if (!first.empty()) {
            shared_first = gateway::utf8::encode(first.substr(0, 1));
        }
    }
    for (const CalendarDate& birth : births) {
        children.push_back(makeChild(random, h, birth, shared_first));
    }
    return children;
}

}  // namespace deptsim
