#pragma once

// Shared by the linkage unit tests: canonical source records (DESIGN §4) built member by member, valid citizen IDs
// with a computed check character, a fixed model for the child configuration and a small synthetic city.

#include "gateway/linkage/linkage_config.h"
#include "gateway/linkage/record_table.h"
#include "gateway/linkage/scoring.h"
#include "gateway/model/calendar_date.h"
#include "gateway/model/citizen_id.h"

#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::linkage::fixtures {

/// A valid GB 11643 number: 6-digit region, 8-digit birth date, 3-digit sequence (odd last digit: male) and
/// the ISO 7064 MOD 11-2 check character.
inline std::string citizenId(std::string_view region, std::string_view birth8, int sequence) {
    char digits[8];
    std::snprintf(digits, sizeof digits, "%03d", sequence % 1000);
    const std::string body = std::string(region) + std::string(birth8) + digits;
    const auto check = model::CitizenId::checkCharacter(body);
    if (!check) {
        throw std::invalid_argument("not 17 digits: " + body);
    }
    return body + *check;
}

/// The same number with a check character that does not fit.
inline std::string withWrongCheck(const std::string& id) {
    std::string wrong = id;
    wrong.back() = id.back() == '0' ? '1' : '0';
    return wrong;
}

/// `id` with one digit of the body changed (its check character kept, so it no longer fits).
inline std::string withBodyDigitChanged(const std::string& id, std::size_t position) {
    std::string changed = id;
    changed[position] = id[position] == '9' ? '8' : static_cast<char>(id[position] + 1);
    return changed;
}

inline std::string isoToDigits(std::string_view iso) {
    std::string digits;
    for (char c : iso) {
        if (c != '-') {
            digits.push_back(c);
        }
    }
    return digits;
}

struct Guardian {
    std::string relation = {};
    std::string name = {};
    std::string id_number = {};
    std::string phone = {};
};

/// A canonical source record; empty members are left out of the JSON.
struct Rec {
    std::string source = {};
    std::string source_id = {};
    std::string name = {};
    std::string sex = {};
    std::string birth_date = {};
    std::string id_number = {};
    std::string residence_division = {};
    std::string hukou_division = {};
    std::string student_no = {};
    std::string birth_cert_no = {};
    std::vector<Guardian> guardians = {};

    std::string json() const {
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        auto member = [&writer](const char* key, const std::string& value) {
            if (!value.empty()) {
                writer.Key(key);
                writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
            }
        };
        writer.StartObject();
        member("source", source);
        member("source_id", source_id);
        member("name", name);
        member("sex", sex);
        member("birth_date", birth_date);
        member("id_number", id_number);
        member("residence_division", residence_division);
        member("hukou_division", hukou_division);
        if (!student_no.empty() || !birth_cert_no.empty()) {
            writer.Key("identifiers");
            writer.StartObject();
            member("student_no", student_no);
            member("birth_cert_no", birth_cert_no);
            writer.EndObject();
        }
        if (!guardians.empty()) {
            writer.Key("guardians");
            writer.StartArray();
            for (const Guardian& guardian : guardians) {
                writer.StartObject();
                member("relation", guardian.relation);
                member("name", guardian.name);
                member("id_number", guardian.id_number);
                member("phone", guardian.phone);
                writer.EndObject();
            }
            writer.EndArray();
        }
        writer.EndObject();
        return std::string(buffer.GetString(), buffer.GetSize());
    }
};

/// Adds every record, failing the test on the first one the table refuses.
inline void addAll(RecordTable& table, const std::vector<Rec>& records) {
    for (const Rec& record : records) {
        const std::string error = table.addJson(record.json());
        ASSERT_EQ(error, "") << record.json();
    }
}

/// A record table over a configuration it owns; records get a source ("police") and an id when they have none.
class Records {
public:
    explicit Records(LinkageConfig config = LinkageConfig::builtinChild())
        : config_(std::make_unique<LinkageConfig>(std::move(config))),
          table_(std::make_unique<RecordTable>(*config_)) {}

    std::size_t add(Rec record) {
        if (record.source.empty()) {
            record.source = "police";
        }
        if (record.source_id.empty()) {
            record.source_id = "R" + std::to_string(table_->size());
        }
        const std::string error = table_->addJson(record.json());
        EXPECT_EQ(error, "") << record.json();
        return table_->size() - 1;
    }

    const LinkageConfig& config() const { return *config_; }
    RecordTable& table() { return *table_; }

private:
    std::unique_ptr<LinkageConfig> config_;
    std::unique_ptr<RecordTable> table_;
};

inline std::size_t comparisonIndex(const LinkageConfig& config, std::string_view name) {
    for (std::size_t c = 0; c < config.comparisons.size(); ++c) {
        if (config.comparisons[c].name == name) {
            return c;
        }
    }
    throw std::invalid_argument("no comparison " + std::string(name));
}

inline std::size_t fieldIndex(const LinkageConfig& config, std::string_view name) {
    const std::size_t index = config.fieldIndex(name);
    if (index == std::string::npos) {
        throw std::invalid_argument("no field " + std::string(name));
    }
    return index;
}

/// Hand-set m and u for the comparisons of config/linkage/child.json, each summing to 1: what a well-trained
/// model looks like, so that clustering tests do not depend on what EM makes of a few records.
inline ModelParams fixedChildModel(const LinkageConfig& config) {
    const std::map<std::string, LevelProbabilities> table = {
        {"id_number", {{0.96, 0.02, 0.01, 0.01}, {0.000001, 0.0001, 0.001, 0.998899}}},
        {"birth_cert", {{0.95, 0.05}, {0.00001, 0.99999}}},
        {"surname", {{0.90, 0.06, 0.04}, {0.05, 0.01, 0.94}}},
        {"given_name", {{0.85, 0.07, 0.04, 0.04}, {0.002, 0.001, 0.01, 0.987}}},
        {"sex", {{0.98, 0.02}, {0.5, 0.5}}},
        {"birth_date", {{0.90, 0.02, 0.05, 0.03}, {0.0005, 0.00002, 0.01, 0.98948}}},
        {"residence", {{0.70, 0.15, 0.10, 0.05}, {0.01, 0.04, 0.30, 0.65}}},
        {"hukou", {{0.70, 0.15, 0.10, 0.05}, {0.01, 0.04, 0.30, 0.65}}},
        {"mother_id", {{0.90, 0.03, 0.07}, {0.001, 0.0001, 0.9989}}},
        {"father_id", {{0.90, 0.03, 0.07}, {0.001, 0.0001, 0.9989}}},
        {"mother_name", {{0.85, 0.05, 0.03, 0.07}, {0.002, 0.001, 0.01, 0.987}}},
        {"mother_phone", {{0.80, 0.20}, {0.002, 0.998}}},
    };
    ModelParams params;
    params.lambda = 0.05;
    for (const ComparisonSpec& spec : config.comparisons) {
        const auto it = table.find(spec.name);
        if (it == table.end() || it->second.m.size() != spec.levelCount()) {
            throw std::invalid_argument("fixedChildModel: no probabilities for comparison " + spec.name);
        }
        params.comparisons.push_back(it->second);
    }
    return params;
}

/// One child of the synthetic city and the records four departments hold of it.
struct CityChild {
    std::string surname = {};
    std::string given = {};
    std::string sex = {};  // "1" or "2"
    std::string birth_date = {};
    std::string id = {};
    std::string mother_name = {};
    std::string mother_id = {};
    std::string father_id = {};
    std::string village = {};
    std::string phone = {};
};

/// `count` children with varied names, mothers and villages, about three born each day; deterministic.
inline std::vector<CityChild> cityChildren(int count) {
    static const std::vector<std::string> surnames = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                                      "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"};
    static const std::vector<std::string> given_first = {"子", "雨", "浩", "欣", "思", "俊", "佳", "梓",
                                                         "一", "宇", "晨", "诗", "明", "文", "嘉", "天"};
    static const std::vector<std::string> given_second = {"涵", "轩", "然", "怡", "琪", "豪", "博", "萱", "杰",
                                                          "婷", "阳", "睿", "琳", "泽", "航", "瑶", "凯"};
    static const std::vector<std::string> mother_given = {"娜", "丽", "芳", "敏", "静", "霞", "红",
                                                          "燕", "梅", "艳", "萍", "玲", "华", "秀英"};
    std::vector<CityChild> children;
    for (int i = 0; i < count; ++i) {
        CityChild child;
        child.surname = surnames[static_cast<std::size_t>((i * 7 + i / 20) % 20)];
        child.given = given_first[static_cast<std::size_t>(i * 5 % 16)] +
                      given_second[static_cast<std::size_t>((i * 3 + i / 16) % 17)];
        child.sex = i % 2 == 0 ? "2" : "1";
        // Three children a day over 40 days of 2014: blocks hold strangers born the same day, as in a real city.
        const model::CalendarDate birth = model::CalendarDate(2014, 2, 1).addDays(i * 37 % 40);
        child.birth_date = birth.toIso();
        const int sequence = (i * 10 + 1) % 1000 - (child.sex == "2" ? 1 : 0);
        child.id = citizenId("320411", isoToDigits(child.birth_date), sequence);
        child.mother_name =
            surnames[static_cast<std::size_t>((i * 11 + 3) % 20)] + mother_given[static_cast<std::size_t>(i % 14)];
        const model::CalendarDate mother_birth = model::CalendarDate(1982, 1, 1).addDays(i * 53 % 3000);
        child.mother_id = citizenId("320411", isoToDigits(mother_birth.toIso()), (i * 20 + 2) % 1000);
        const model::CalendarDate father_birth = model::CalendarDate(1980, 1, 1).addDays(i * 61 % 3000);
        child.father_id = citizenId("320412", isoToDigits(father_birth.toIso()), (i * 20 + 5) % 1000);
        char village[16];
        std::snprintf(village, sizeof village, "320411%03d%03d", 100 + i % 4, 200 + i % 9);
        child.village = village;
        char phone[16];
        std::snprintf(phone, sizeof phone, "138%08d", 10000000 + i * 7919);
        child.phone = phone;
        children.push_back(std::move(child));
    }
    return children;
}

/// The records of the synthetic city: every child in the police population base, most in the school register
/// (by student number, some with a homophone or a mistyped ID), some birth records with placeholder names, and
/// a few civil-affairs cases. `truth` receives the child each record belongs to.
inline std::vector<Rec> cityRecords(const std::vector<CityChild>& children, std::vector<std::string>& truth,
                                    const std::string& prefix = "c") {
    static const std::map<std::string, std::string> homophones = {{"子", "紫"}, {"雨", "宇"}, {"浩", "昊"},
                                                                  {"欣", "新"}, {"思", "丝"}, {"佳", "嘉"},
                                                                  {"宇", "雨"}, {"晨", "辰"}, {"嘉", "佳"}};
    std::vector<Rec> records;
    for (std::size_t i = 0; i < children.size(); ++i) {
        const CityChild& child = children[i];
        const std::string entity = prefix + std::to_string(i);
        const std::vector<Guardian> guardians = {{"mother", child.mother_name, child.mother_id, child.phone},
                                                 {"father", "", child.father_id, ""}};
        records.push_back(Rec{.source = "police",
                              .source_id = "P" + entity,
                              .name = child.surname + child.given,
                              .sex = child.sex,
                              .birth_date = child.birth_date,
                              .id_number = child.id,
                              .residence_division = child.village,
                              .hukou_division = child.village,
                              .guardians = guardians});
        truth.push_back(entity);
        if (i % 4 != 3) {
            Rec school{.source = "school",
                       .source_id = "S" + entity,
                       .name = child.surname + child.given,
                       .sex = child.sex,
                       .birth_date = child.birth_date,
                       .residence_division = child.village,
                       .student_no = "G" + child.id,
                       .guardians = {{"mother", child.mother_name, "", child.phone}}};
            if (i % 9 == 1) {
                const std::string first = child.given.substr(0, 3);
                const auto it = homophones.find(first);
                if (it != homophones.end()) {
                    school.name = child.surname + it->second + child.given.substr(3);
                }
            }
            if (i % 11 == 2) {
                school.student_no.clear();
                school.id_number = withWrongCheck(child.id);
            }
            records.push_back(std::move(school));
            truth.push_back(entity);
        }
        if (i % 3 == 0) {
            records.push_back(Rec{.source = "health",
                                  .source_id = "H" + entity,
                                  .name = child.surname + (child.sex == "2" ? "某之女" : "某之子"),
                                  .sex = child.sex,
                                  .birth_date = child.birth_date,
                                  .residence_division = child.village.substr(0, 9),
                                  .birth_cert_no = "Q" + entity,
                                  .guardians = {{"mother", child.mother_name, child.mother_id, child.phone}}});
            truth.push_back(entity);
        }
        if (i % 10 == 5) {
            records.push_back(Rec{.source = "civil",
                                  .source_id = "C" + entity,
                                  .name = child.surname + child.given,
                                  .sex = child.sex,
                                  .birth_date = child.birth_date,
                                  .id_number = child.id,
                                  .residence_division = child.village});
            truth.push_back(entity);
        }
    }
    return records;
}

}  // namespace gateway::linkage::fixtures
