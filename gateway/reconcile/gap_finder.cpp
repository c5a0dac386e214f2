#include "gateway/reconcile/gap_finder.h"

#include "gateway/common/error.h"
#include "gateway/common/file.h"
#include "gateway/common/json_parse.h"
#include "gateway/common/json_writer.h"
#include "gateway/model/citizen_id.h"
#include "gateway/reconcile/stream_diff.h"

#include <rapidjson/pointer.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace gateway::resources {
std::vector<std::pair<std::string_view, std::string_view>> reconcileEntries();
}

namespace gateway::reconcile {

namespace {

using rapidjson::Value;

std::optional<model::CalendarDate> dateOf(std::string_view text) {
    if (text.size() < 10) {
        return std::nullopt;
    }
    const model::DateResult date = model::parseDate(text.substr(0, 10));
    return date ? std::optional<model::CalendarDate>(date.value()) : std::nullopt;
}

const Value* at(const Value& document, const char* pointer) {
    return rapidjson::Pointer(pointer).Get(document);
}

std::string textAt(const Value& document, const char* pointer) {
    const Value* value = at(document, pointer);
    return value != nullptr && value->IsString() ? std::string(value->GetString(), value->GetStringLength())
                                                 : std::string();
}

/// Two departments contradict each other on a field when they give two different valid values for it; values one
/// department gives twice, or invalid ones (a citizen ID failing its check, a date that is none), do not count.
class Contradictions {
public:
    void add(const std::string& field, const std::string& value, const std::string& source) {
        if (!value.empty()) {
            fields_[field][value].insert(source);
        }
    }

    void write(Value& out, rapidjson::Document::AllocatorType& allocator) const {
        out.SetArray();
        for (const auto& [field, values] : fields_) {
            std::set<std::string> sources;
            for (const auto& [value, from] : values) {
                sources.insert(from.begin(), from.end());
            }
            if (values.size() < 2 || sources.size() < 2) {
                continue;
            }
            Value entry(rapidjson::kObjectType);
            entry.AddMember("field", Value(field.c_str(), allocator), allocator);
            Value listed(rapidjson::kArrayType);
            for (const auto& [value, from] : values) {
                Value item(rapidjson::kObjectType);
                item.AddMember("value", Value(value.c_str(), allocator), allocator);
                Value names(rapidjson::kArrayType);
                for (const std::string& source : from) {
                    names.PushBack(Value(source.c_str(), allocator), allocator);
                }
                item.AddMember("sources", names, allocator);
                listed.PushBack(item, allocator);
            }
            entry.AddMember("values", listed, allocator);
            out.PushBack(entry, allocator);
        }
    }

private:
    std::map<std::string, std::map<std::string, std::set<std::string>>> fields_;
};

std::string validCitizenId(const std::string& text) {
    if (text.empty()) {
        return {};
    }
    const model::CitizenIdResult id = model::parseCitizenId(text);
    return id ? id.value().value() : std::string();
}

std::string validDate(const std::string& text) {
    const auto date = text.empty() ? std::nullopt : dateOf(text);
    return date && text.size() == 10 ? date->toIso() : std::string();
}

}  // namespace

GapRules::GapRules(profile::RuleSet rules) : rules_(std::move(rules)) {}

GapRules GapRules::builtin() {
    for (const auto& [file, text] : resources::reconcileEntries()) {
        if (file == "gaps.json") {
            return parse(text, "config/reconcile/gaps.json");
        }
    }
    throw GatewayError(ErrorCode::Internal, "built-in config/reconcile/gaps.json is missing");
}

GapRules GapRules::load(const std::string& path) {
    return parse(readFileContent(path, "reconciliation rules"), path);
}

GapRules GapRules::parse(std::string_view json, std::string_view origin) {
    GapRules result(profile::RuleSet::parse(json, origin));
    // The rule language has checked the document; only the labels are read again from it.
    rapidjson::Document document;
    parseJsonLimited(json, document);
    for (const Value& rule : document["rules"].GetArray()) {
        const Value& code = rule["code"];
        const bool labelled = rule.HasMember("label") && rule["label"].IsString();
        result.labels_.emplace_back(code.GetString(), labelled ? rule["label"].GetString() : code.GetString());
    }
    for (const std::string& code : result.rules_.codes()) {
        rapidjson::Document extra;
        parseJsonLimited(result.rules_.extra(code), extra);
        std::vector<std::string> names;
        if (extra.IsObject() && extra.HasMember("departments")) {
            const Value& departments = extra["departments"];
            bool ok = departments.IsArray();
            for (rapidjson::SizeType i = 0; ok && i < departments.Size(); ++i) {
                const Value& name = departments[i];
                ok = name.IsString() && name.GetStringLength() > 0;
                if (ok) {
                    names.emplace_back(name.GetString(), name.GetStringLength());
                }
            }
            if (!ok) {
                throw GatewayError(ErrorCode::InvalidConfig, std::string(origin) + ": rule " + code +
                                                                 ": \"departments\" must be a list of source names");
            }
        }
        result.departments_.emplace_back(code, std::move(names));
    }
    return result;
}

std::string GapRules::label(const std::string& code) const {
    for (const auto& [name, text] : labels_) {
        if (name == code) {
            return text;
        }
    }
    return {};
}

std::vector<std::pair<std::string, std::string>> findingKinds(const GapRules& rules) {
    std::vector<std::pair<std::string, std::string>> kinds = {
        {std::string(discrepancyName(Discrepancy::MissingInGateway)), "源系统有而网关缺失（漏传）"},
        {std::string(discrepancyName(Discrepancy::DeletedAtSource)), "源系统已删除"},
        {std::string(discrepancyName(Discrepancy::Changed)), "源系统已修改但未更新时间戳"},
    };
    for (const std::string& code : rules.codes()) {
        kinds.emplace_back(code, rules.label(code));
    }
    return kinds;
}

const std::vector<std::string>& GapRules::departments(const std::string& code) const {
    static const std::vector<std::string> none;
    for (const auto& [name, list] : departments_) {
        if (name == code) {
            return list;
        }
    }
    return none;
}

GapFinder::GapFinder(const profile::ProfileConfig& profiles, const GapRules& rules, const model::CalendarDate& as_of)
    : profiles_(profiles), rules_(rules), as_of_(as_of), builder_(profiles, as_of) {}

rapidjson::Document GapFinder::document(const std::string& person_id,
                                        const std::vector<intake::StagedRecord>& records) const {
    rapidjson::Document document(rapidjson::kObjectType);
    auto& allocator = document.GetAllocator();

    const profile::ProfileVersion version = builder_.build(person_id, records);
    rapidjson::Document profile(&allocator);
    parseJsonLimited(version.profile_json, profile);
    if (!profile.IsObject()) {
        profile.SetObject();
    }
    document.AddMember("profile", profile.Move(), allocator);

    Value sources(rapidjson::kObjectType);
    Value active(rapidjson::kArrayType);
    Contradictions contradictions;
    std::map<std::string, int> birth_dates;  // a valid birth date → how many records give it
    std::optional<model::CalendarDate> confirmed;
    for (const intake::StagedRecord& record : records) {
        rapidjson::Document parsed(&allocator);
        parseJsonLimited(record.record_json, parsed);
        if (!parsed.IsObject()) {
            continue;
        }
        const std::string& source = record.source;
        if (const auto observed = dateOf(record.observed_at); observed && (!confirmed || *confirmed < *observed)) {
            confirmed = observed;
        }
        const std::string birth = validDate(textAt(parsed, "/birth_date"));
        if (!birth.empty()) {
            ++birth_dates[birth];
        }
        contradictions.add("/birth_date", birth, source);
        const std::string sex = textAt(parsed, "/sex");
        contradictions.add("/sex", sex == "1" || sex == "2" ? sex : std::string(), source);
        if (const Value* guardians = at(parsed, "/guardians"); guardians != nullptr && guardians->IsArray()) {
            for (const Value& guardian : guardians->GetArray()) {
                const std::string relation = textAt(guardian, "/relation");
                if (relation == "father" || relation == "mother") {
                    contradictions.add("/guardians/" + relation + "/id_number",
                                       validCitizenId(textAt(guardian, "/id_number")), source);
                }
            }
        }
        if (const Value* assistance = at(parsed, "/facts/assistance"); assistance != nullptr && assistance->IsArray()) {
            for (const Value& entry : assistance->GetArray()) {
                const auto end = dateOf(textAt(entry, "/end"));
                if (textAt(entry, "/type").empty() || (end && !(as_of_ < *end))) {
                    continue;
                }
                Value item(rapidjson::kObjectType);
                item.AddMember("type", Value(textAt(entry, "/type").c_str(), allocator), allocator);
                item.AddMember("source", Value(source.c_str(), allocator), allocator);
                item.AddMember("source_id", Value(record.source_id.c_str(), allocator), allocator);
                active.PushBack(item, allocator);
            }
        }
        if (!sources.HasMember(source.c_str())) {
            sources.AddMember(Value(source.c_str(), allocator), Value(rapidjson::kArrayType), allocator);
        }
        sources[source.c_str()].PushBack(parsed.Move(), allocator);
    }
    document.AddMember("sources", sources, allocator);

    // The profile's birth date where it has one (survivorship chose it); an adult's removed profile has none, so
    // then the date most records give.
    std::optional<model::CalendarDate> born = dateOf(textAt(document, "/profile/identity/birth_date/value"));
    if (!born && !birth_dates.empty()) {
        born = dateOf(std::max_element(birth_dates.begin(), birth_dates.end(), [](const auto& a, const auto& b) {
                          return a.second < b.second;
                      })->first);
    }
    if (born && !(as_of_ < *born)) {
        document.AddMember("age", born->ageOn(as_of_), allocator);
        document.AddMember("days_since_birth", as_of_.daysSinceEpoch() - born->daysSinceEpoch(), allocator);
    }
    if (confirmed) {
        document.AddMember("days_since_confirmed", as_of_.daysSinceEpoch() - confirmed->daysSinceEpoch(), allocator);
    }
    document.AddMember("active_assistance", active, allocator);
    Value contradicting;
    contradictions.write(contradicting, allocator);
    document.AddMember("contradictions", contradicting, allocator);
    return document;
}

std::vector<Finding> GapFinder::find(const std::string& person_id,
                                     const std::vector<intake::StagedRecord>& records) const {
    const rapidjson::Document document = this->document(person_id, records);
    std::vector<Finding> findings;
    const std::vector<profile::RuleMatch> matches = rules_.rules().evaluate(document);
    if (matches.empty()) {
        return findings;
    }
    std::set<std::string> record_sources;
    for (const intake::StagedRecord& record : records) {
        record_sources.insert(record.source);
    }
    const std::string division = textAt(document, "/profile/registration/residence_division/value");
    for (const profile::RuleMatch& match : matches) {
        json::Text text;
        json::Writer& writer = text.writer();
        writer.StartObject();
        json::field(writer, "rule", match.code);
        json::field(writer, "label", match.label);
        json::key(writer, "departments");
        writer.StartArray();
        const std::vector<std::string>& named = rules_.departments(match.code);
        for (const std::string& department :
             named.empty() ? std::vector<std::string>(record_sources.begin(), record_sources.end()) : named) {
            json::string(writer, department);
        }
        writer.EndArray();
        json::key(writer, "reasons");
        writer.StartArray();
        for (const std::string& reason : match.reasons) {
            json::string(writer, reason);
        }
        writer.EndArray();
        json::key(writer, "records");
        writer.StartArray();
        for (const intake::StagedRecord& record : records) {
            json::string(writer, record.source + "/" + record.source_id);
        }
        writer.EndArray();
        if (division.size() == 12) {
            json::key(writer, "route");
            writer.StartObject();
            json::field(writer, "township", division.substr(0, 9) + "000");
            json::field(writer, "village", division);
            writer.EndObject();
        }
        writer.EndObject();
        Finding finding;
        finding.kind = match.code;
        finding.person_id = person_id;
        finding.division = division;
        finding.detail_json = text.str();
        findings.push_back(std::move(finding));
    }
    return findings;
}

}  // namespace gateway::reconcile
