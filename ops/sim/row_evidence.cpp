#include "ops/sim/row_evidence.h"

#include "ops/sim/health_drop.h"

#include "gateway/common/utf8.h"
#include "gateway/model/citizen_id.h"

#include <rapidjson/document.h>

#include <map>
#include <stdexcept>
#include <unordered_map>

namespace deptsim {

namespace {

namespace model = gateway::model;
namespace utf8 = gateway::utf8;

/// The mappings' `trim`: ASCII and Unicode spaces off both ends.
std::string trimmed(std::string_view text) {
    auto chars = utf8::decode(text);
    if (!chars) {
        return std::string(text);
    }
    std::size_t begin = 0;
    std::size_t end = chars->size();
    while (begin < end && utf8::isSpace((*chars)[begin])) {
        ++begin;
    }
    while (end > begin && utf8::isSpace((*chars)[end - 1])) {
        --end;
    }
    return utf8::encode(std::u32string_view(*chars).substr(begin, end - begin));
}

/// The `sex` transform; a code for unknown or unstated says nothing a row could contradict.
std::optional<model::Sex> sexOf(std::string_view text) {
    const model::SexResult sex = model::parseSex(text);
    if (!sex || (*sex != model::Sex::Male && *sex != model::Sex::Female)) {
        return std::nullopt;
    }
    return *sex;
}

/// The `date` transform.
std::optional<model::CalendarDate> shownDate(std::string_view text) {
    const model::DateResult date = model::parseDate(text);
    if (!date) {
        return std::nullopt;
    }
    return *date;
}

/// The `citizen_id` transform of a parent's number (no birth date beside it, so a 15-digit number takes "19"),
/// keeping only a valid number: the mapping keeps one with a wrong check digit as linkage evidence, but it
/// is no statement of whose child this is.
std::string parentIdOf(std::string_view text) {
    const model::CitizenIdResult id = model::parseCitizenId(text);
    return id ? id->value() : std::string();
}

std::string_view member(const rapidjson::Value& object, const char* name) {
    if (!object.IsObject()) {
        return {};
    }
    const auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString()) {
        return {};
    }
    return {it->value.GetString(), it->value.GetStringLength()};
}

const rapidjson::Value* object(const rapidjson::Value& parent, const char* name) {
    if (!parent.IsObject()) {
        return nullptr;
    }
    const auto it = parent.FindMember(name);
    return it != parent.MemberEnd() && it->value.IsObject() ? &it->value : nullptr;
}

rapidjson::Document parseBody(const StoredRow& stored, std::string_view body) {
    rapidjson::Document document;
    document.Parse(body.data(), body.size());
    if (document.HasParseError() || !document.IsObject()) {
        throw std::runtime_error("the served body of row " + stored.id + " is not a JSON object");
    }
    return document;
}

RowEvidence evidenceFor(Source source, const StoredRow& stored) {
    RowEvidence row;
    row.source = source;
    row.id = stored.id;
    row.entity = stored.entity;
    row.kind = stored.kind;
    row.noise = stored.noise;
    return row;
}

RowEvidence policeEvidence(const StoredRow& stored, std::string_view body) {
    RowEvidence row = evidenceFor(Source::Police, stored);
    const rapidjson::Document item = parseBody(stored, body);
    row.sex = sexOf(member(item, "xb"));
    row.birth_date = shownDate(member(item, "csrq"));
    if (const auto* father = object(item, "fq")) {
        row.father_id = parentIdOf(member(*father, "gmsfhm"));
    }
    if (const auto* mother = object(item, "mq")) {
        row.mother_id = parentIdOf(member(*mother, "gmsfhm"));
    }
    row.stamp = parseIsoUtc(member(item, "updated_at"));
    return row;
}

RowEvidence civilEvidence(const StoredRow& stored, std::string_view body) {
    RowEvidence row = evidenceFor(Source::Civil, stored);
    const rapidjson::Document record = parseBody(stored, body);
    if (const auto* child = object(record, "child")) {
        row.sex = sexOf(member(*child, "sex"));
        row.birth_date = shownDate(member(*child, "birth"));
    }
    // The guardian is one of the parents when the relation table (mappings/codes/relation.json) says so; the
    // profile then takes the guardian's number as that parent's.
    if (const auto* guardian = object(record, "guardian")) {
        const std::string relation = trimmed(member(*guardian, "relation"));
        if (relation == "父亲" || relation == "父" || relation == "爸爸") {
            row.father_id = parentIdOf(member(*guardian, "id_no"));
        } else if (relation == "母亲" || relation == "母" || relation == "妈妈") {
            row.mother_id = parentIdOf(member(*guardian, "id_no"));
        }
    }
    const auto assistance = record.FindMember("assistance");
    if (assistance != record.MemberEnd() && assistance->value.IsArray()) {
        for (const auto& entry : assistance->value.GetArray()) {
            row.assistance.push_back(AssistanceShown{trimmed(member(entry, "type")), shownDate(member(entry, "end"))});
        }
    }
    row.stamp = parseIsoUtc(member(record, "modified"));
    return row;
}

enum HealthColumn : std::size_t {
    kCertNo = 0,
    kSex = 2,
    kBirth = 3,
    kMotherId = 6,
    kFatherId = 8,
    kUpdated = 13,
    kColumns = 14,
};

RowEvidence healthEvidence(const StoredRow& stored, const std::vector<std::string>& record) {
    RowEvidence row = evidenceFor(Source::Health, stored);
    row.sex = sexOf(record[kSex]);
    row.birth_date = shownDate(record[kBirth]);
    row.mother_id = parentIdOf(record[kMotherId]);
    row.father_id = parentIdOf(record[kFatherId]);
    // 更新时间 is written in UTC without a zone ("2026-11-01 08:00:00").
    std::string stamp = trimmed(record[kUpdated]);
    if (stamp.size() == 19 && stamp[10] == ' ') {
        stamp[10] = 'T';
        stamp += 'Z';
    }
    row.stamp = parseIsoUtc(stamp);
    return row;
}

void eachHealthRow(const CityPaths& paths, SimState& state, const std::function<void(const RowEvidence&)>& visit) {
    const auto records = readCompleteDrops(paths.health_drop);
    std::unordered_map<std::string, std::size_t> latest;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (records[i].size() != kColumns) {
            throw std::runtime_error("a health drop record has " + std::to_string(records[i].size()) + " fields, not " +
                                     std::to_string(kColumns));
        }
        latest[records[i][kCertNo]] = i;
    }
    state.eachRow(Source::Health, [&](const StoredRow& stored, std::string_view) {
        // A birth whose only record is in a drop still being written has not been served yet.
        if (const auto it = latest.find(stored.id); it != latest.end()) {
            visit(healthEvidence(stored, records[it->second]));
        }
    });
}

void eachSchoolRow(const SchoolDbSettings& settings, SimState& state,
                   const std::function<void(const RowEvidence&)>& visit) {
    std::map<std::int64_t, StoredRow> stored_rows;
    state.eachRow(Source::School,
                  [&](const StoredRow& stored, std::string_view) { stored_rows[std::stoll(stored.id)] = stored; });
    SchoolTable table(settings);
    table.eachStatus([&](const SchoolStatus& status) {
        const auto it = stored_rows.find(status.id);
        if (it == stored_rows.end()) {
            throw std::runtime_error("school row " + std::to_string(status.id) + " is not in the state");
        }
        RowEvidence row = evidenceFor(Source::School, it->second);
        row.sex = sexOf(status.xb);
        row.birth_date = shownDate(status.csrq);
        row.school_status = trimmed(status.xjzt);
        row.school_seq = status.updated_seq;
        visit(row);
    });
}

}  // namespace

void eachServedRow(const CityPaths& paths, const SchoolDbSettings& school, SimState& state,
                   const std::function<void(const RowEvidence& row)>& visit) {
    state.eachRow(Source::Police,
                  [&](const StoredRow& stored, std::string_view body) { visit(policeEvidence(stored, body)); });
    eachSchoolRow(school, state, visit);
    eachHealthRow(paths, state, visit);
    state.eachRow(Source::Civil,
                  [&](const StoredRow& stored, std::string_view body) { visit(civilEvidence(stored, body)); });
}

}  // namespace deptsim
