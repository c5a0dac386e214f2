#include "gateway/profile/profile_builder.h"

#include "gateway/common/error.h"
#include "gateway/common/hash.h"
#include "gateway/common/json_type.h"
#include "gateway/model/citizen_id.h"
#include "gateway/profile/config_files.h"

#include <Poco/RegularExpression.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <set>

namespace gateway::profile {

namespace {

using Value = rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

/// Minimum necessary: the profiles are of minors, and a person of this age has none.
constexpr int kAdultAge = 18;

/// One source's claim for a field.
struct Candidate {
    Value value;  // a copy in the profile's allocator
    std::string source;
    std::string source_id;
    std::string observed_at;
    bool valid = true;
};

/// A staged record parsed once.
struct Record {
    const intake::StagedRecord* staged = nullptr;
    rapidjson::Document json;
};

const Value* member(const Value& object, const char* name) {
    if (!object.IsObject()) {
        return nullptr;
    }
    const auto it = object.FindMember(name);
    return it == object.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
}

std::string text(const Value& object, const char* name) {
    const Value* found = member(object, name);
    return found != nullptr && found->IsString() ? std::string(found->GetString(), found->GetStringLength()) : "";
}

/// Names a birth record gives a child before it has one.
bool isPlaceholderName(const std::string& name) {
    static const Poco::RegularExpression pattern("^(.某之[子女]|小.{1,2}|.某)$", Poco::RegularExpression::RE_UTF8);
    return name.empty() || pattern.match(name);
}

class Assembler {
public:
    Assembler(const ProfileConfig& config, rapidjson::Document& profile)
        : config_(config), profile_(profile), allocator_(profile.GetAllocator()) {}

    void offer(const std::string& pointer, const Value& value, const Record& record, bool valid = true) {
        if (value.IsNull() || (value.IsString() && value.GetStringLength() == 0)) {
            return;
        }
        Candidate candidate;
        candidate.value.CopyFrom(value, allocator_);
        candidate.source = record.staged->source;
        candidate.source_id = record.staged->source_id;
        candidate.observed_at = record.staged->observed_at;
        candidate.valid = valid;
        candidates_[pointer].push_back(std::move(candidate));
    }

    void offerText(const std::string& pointer, const std::string& value, const Record& record, bool valid = true) {
        offer(pointer, Value(value.c_str(), static_cast<rapidjson::SizeType>(value.size()), allocator_), record, valid);
    }

    /// Writes each field's survivor at its pointer as {"value", "source", "source_id", "observed_at"} and lists the
    /// conflicts of the fields that ask for it.
    void settle() {
        Value conflicts(rapidjson::kArrayType);
        for (auto& [pointer, list] : candidates_) {
            const bool any_valid = std::any_of(list.begin(), list.end(), [](const Candidate& c) { return c.valid; });
            std::vector<Candidate*> ranked;
            for (Candidate& candidate : list) {
                if (candidate.valid || !any_valid) {
                    ranked.push_back(&candidate);
                }
            }
            const auto& order = config_.survivorship.orderFor(pointer);
            auto rank = [&order](const std::string& source) {
                return static_cast<std::size_t>(std::find(order.begin(), order.end(), source) - order.begin());
            };
            std::stable_sort(ranked.begin(), ranked.end(), [&](const Candidate* a, const Candidate* b) {
                if (rank(a->source) != rank(b->source)) {
                    return rank(a->source) < rank(b->source);
                }
                return a->observed_at > b->observed_at;
            });
            const Candidate& winner = *ranked.front();
            Value field(rapidjson::kObjectType);
            field.AddMember("value", Value(winner.value, allocator_), allocator_);
            field.AddMember("source", Value(winner.source.c_str(), allocator_), allocator_);
            field.AddMember("source_id", Value(winner.source_id.c_str(), allocator_), allocator_);
            if (!winner.observed_at.empty()) {
                field.AddMember("observed_at", Value(winner.observed_at.c_str(), allocator_), allocator_);
            }
            if (!winner.valid) {
                field.AddMember("valid", false, allocator_);
            }
            rapidjson::Pointer(pointer.c_str()).Set(profile_, field);

            const auto& listed = config_.survivorship.conflicts;
            if (std::find(listed.begin(), listed.end(), pointer) == listed.end()) {
                continue;
            }
            Value values(rapidjson::kArrayType);
            std::set<std::string> seen;
            for (const Candidate* candidate : ranked) {
                rapidjson::StringBuffer buffer;
                rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
                candidate->value.Accept(writer);
                if (!seen.insert(buffer.GetString()).second) {
                    continue;
                }
                Value entry(rapidjson::kObjectType);
                entry.AddMember("value", Value(candidate->value, allocator_), allocator_);
                entry.AddMember("source", Value(candidate->source.c_str(), allocator_), allocator_);
                entry.AddMember("source_id", Value(candidate->source_id.c_str(), allocator_), allocator_);
                values.PushBack(entry, allocator_);
            }
            if (values.Size() > 1) {
                Value conflict(rapidjson::kObjectType);
                conflict.AddMember("field", Value(pointer.c_str(), allocator_), allocator_);
                conflict.AddMember("values", values, allocator_);
                conflicts.PushBack(conflict, allocator_);
            }
        }
        profile_.AddMember("conflicts", conflicts, allocator_);
    }

private:
    const ProfileConfig& config_;
    rapidjson::Document& profile_;
    Allocator& allocator_;
    std::map<std::string, std::vector<Candidate>> candidates_;
};

void readIdentity(Assembler& assembler, const Record& record) {
    const Value& json = record.json;
    const std::string name = text(json, "name");
    assembler.offerText("/identity/name", name, record, !isPlaceholderName(name));
    assembler.offerText("/identity/sex", text(json, "sex"), record);
    const std::string born = text(json, "birth_date");
    assembler.offerText("/identity/birth_date", born, record, static_cast<bool>(model::parseDate(born)));
    std::string id = text(json, "id_number");
    if (id.empty()) {
        const Value* identifiers = member(json, "identifiers");
        const std::string student = identifiers != nullptr ? text(*identifiers, "student_no") : "";
        id = student.starts_with("G") ? student.substr(1) : "";
    }
    const auto parsed = model::parseCitizenId(id);
    assembler.offerText("/identity/id_number", parsed ? parsed->value() : id, record, parsed.ok());
    assembler.offerText("/identity/ethnicity", text(json, "ethnicity"), record);
}

void readRegistration(Assembler& assembler, const Record& record) {
    const Value& json = record.json;
    assembler.offerText("/registration/hukou_division", text(json, "hukou_division"), record);
    assembler.offerText("/registration/residence_division", text(json, "residence_division"), record);
    assembler.offerText("/registration/address", text(json, "address"), record);
    const Value* facts = member(json, "facts");
    const Value* household = facts != nullptr ? member(*facts, "household") : nullptr;
    if (household != nullptr) {
        assembler.offerText("/registration/household_no", text(*household, "household_no"), record);
        if (const Value* registered = member(*household, "registered"); registered != nullptr) {
            assembler.offer("/registration/registered", *registered, record);
        }
    }
    if (record.staged->source == "police_population") {
        assembler.offer("/registration/registered", Value(true), record);  // the population base is the register
    }
}

/// Father and mother become fields with survivorship; any other guardian is listed as the source gave it.
void readGuardians(Assembler& assembler, const Record& record, Value& others, Allocator& allocator) {
    const Value* guardians = member(record.json, "guardians");
    if (guardians == nullptr || !guardians->IsArray()) {
        return;
    }
    for (const Value& guardian : guardians->GetArray()) {
        const std::string relation = text(guardian, "relation");
        if (relation == "father" || relation == "mother") {
            const std::string base = "/guardians/" + relation + "/";
            assembler.offerText(base + "name", text(guardian, "name"), record);
            const std::string id = text(guardian, "id_number");
            const auto parsed = model::parseCitizenId(id);
            assembler.offerText(base + "id_number", parsed ? parsed->value() : id, record, parsed.ok());
            assembler.offerText(base + "status", text(guardian, "status"), record);
            assembler.offerText(base + "phone", text(guardian, "phone"), record);
            continue;
        }
        Value other(rapidjson::kObjectType);
        for (const char* key : {"relation", "name", "status", "phone"}) {
            const std::string value = text(guardian, key);
            if (!value.empty()) {
                other.AddMember(Value(key, allocator), Value(value.c_str(), allocator), allocator);
            }
        }
        other.AddMember("source", Value(record.staged->source.c_str(), allocator), allocator);
        other.AddMember("source_id", Value(record.staged->source_id.c_str(), allocator), allocator);
        others.PushBack(other, allocator);
    }
}

/// The school record that describes the child now: one not marked transferred out, the latest staged.
const Record* currentEnrolment(const std::vector<Record>& records) {
    const Record* best = nullptr;
    auto status = [](const Record& record) {
        const Value* facts = member(record.json, "facts");
        const Value* enrolment = facts != nullptr ? member(*facts, "enrolment") : nullptr;
        return enrolment != nullptr ? text(*enrolment, "status") : std::string("-");
    };
    for (const Record& record : records) {
        if (status(record) == "-") {
            continue;
        }
        const bool current = status(record) != "transferred_out";
        const bool best_current = best != nullptr && status(*best) != "transferred_out";
        if (best == nullptr || (current && !best_current) ||
            (current == best_current && record.staged->batch_id > best->staged->batch_id)) {
            best = &record;
        }
    }
    return best;
}

void readEducation(Assembler& assembler, const Record& record) {
    const Value* enrolment = member(*member(record.json, "facts"), "enrolment");
    for (auto it = enrolment->MemberBegin(); it != enrolment->MemberEnd(); ++it) {
        assembler.offer(std::string("/education/") + it->name.GetString(), it->value, record);
    }
}

void readHealth(Assembler& assembler, const Record& record) {
    const Value* facts = member(record.json, "facts");
    const Value* health = facts != nullptr ? member(*facts, "health") : nullptr;
    if (health == nullptr || !health->IsObject()) {
        return;
    }
    for (auto it = health->MemberBegin(); it != health->MemberEnd(); ++it) {
        assembler.offer(std::string("/health/") + it->name.GetString(), it->value, record);
    }
}

/// Assistance and cases are histories: every source's entries are kept, each with where it came from.
void readCivil(const Record& record, const model::CalendarDate& as_of, Value& assistance, Value& cases,
               Allocator& allocator) {
    const Value* facts = member(record.json, "facts");
    if (facts == nullptr) {
        return;
    }
    auto provenance = [&](Value& entry) {
        entry.AddMember("source", Value(record.staged->source.c_str(), allocator), allocator);
        entry.AddMember("source_id", Value(record.staged->source_id.c_str(), allocator), allocator);
    };
    if (const Value* list = member(*facts, "assistance"); list != nullptr && list->IsArray()) {
        for (const Value& item : list->GetArray()) {
            Value entry(item, allocator);
            if (entry.IsObject()) {
                provenance(entry);
                assistance.PushBack(entry, allocator);
            }
        }
    }
    if (const Value* item = member(*facts, "case"); item != nullptr && item->IsObject()) {
        Value entry(*item, allocator);
        const auto opened = model::parseDate(text(*item, "opened"));
        if (opened) {
            entry.AddMember("days_open", static_cast<std::int64_t>(as_of.daysSinceEpoch() - opened->daysSinceEpoch()),
                            allocator);
        }
        provenance(entry);
        cases.PushBack(entry, allocator);
    }
}

std::string compact(const Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

/// A rule match as the profile lists it: code, label, reasons, and the provenance of the fields it rested on.
Value matchJson(const RuleMatch& match, const rapidjson::Document& profile, Allocator& allocator) {
    Value item(rapidjson::kObjectType);
    item.AddMember("code", Value(match.code.c_str(), allocator), allocator);
    item.AddMember("label", Value(match.label.c_str(), allocator), allocator);
    Value reasons(rapidjson::kArrayType);
    for (const std::string& reason : match.reasons) {
        reasons.PushBack(Value(reason.c_str(), allocator), allocator);
    }
    item.AddMember("reasons", reasons, allocator);
    Value provenance(rapidjson::kArrayType);
    std::set<std::string> seen;
    for (const std::string& pointer : match.pointers) {
        std::string field = pointer;
        if (field.ends_with("/value")) {
            field.resize(field.size() - 6);
        }
        const Value* found = rapidjson::Pointer(field.c_str()).Get(profile);
        if (found == nullptr || !found->IsObject() || !found->HasMember("source") || !seen.insert(field).second) {
            continue;
        }
        Value entry(rapidjson::kObjectType);
        entry.AddMember("field", Value(field.c_str(), allocator), allocator);
        entry.AddMember("source", Value((*found)["source"], allocator), allocator);
        entry.AddMember("source_id", Value((*found)["source_id"], allocator), allocator);
        provenance.PushBack(entry, allocator);
    }
    item.AddMember("provenance", provenance, allocator);
    return item;
}

std::vector<std::string> stringList(const rapidjson::Value& value, const std::string& origin, const std::string& path) {
    if (!value.IsArray()) {
        throw GatewayError(ErrorCode::InvalidConfig, origin + ": at " + path + ": expected a list of strings");
    }
    std::vector<std::string> list;
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
        if (!value[i].IsString()) {
            throw GatewayError(ErrorCode::InvalidConfig,
                               origin + ": at " + path + "/" + std::to_string(i) + ": expected a string");
        }
        list.emplace_back(value[i].GetString(), value[i].GetStringLength());
    }
    return list;
}

}  // namespace

const std::vector<std::string>& Survivorship::orderFor(const std::string& pointer) const {
    const std::vector<std::string>* best = &default_order;
    std::size_t best_length = 0;
    for (const auto& [field, order] : fields) {
        const bool prefix = pointer == field || (pointer.starts_with(field) && pointer[field.size()] == '/');
        if (prefix && field.size() > best_length) {
            best = &order;
            best_length = field.size();
        }
    }
    return *best;
}

Survivorship Survivorship::parse(std::string_view json, std::string_view origin_view) {
    const std::string origin(origin_view);
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    if (document.HasParseError() || !document.IsObject()) {
        throw GatewayError(ErrorCode::InvalidConfig, origin + ": not a JSON object");
    }
    Survivorship result;
    for (auto it = document.MemberBegin(); it != document.MemberEnd(); ++it) {
        const std::string key = it->name.GetString();
        if (key == "description") {
            continue;
        }
        if (key == "default") {
            result.default_order = stringList(it->value, origin, "/default");
        } else if (key == "conflicts") {
            result.conflicts = stringList(it->value, origin, "/conflicts");
        } else if (key == "fields") {
            if (!it->value.IsObject()) {
                throw GatewayError(ErrorCode::InvalidConfig, origin + ": at /fields: expected an object");
            }
            for (auto field = it->value.MemberBegin(); field != it->value.MemberEnd(); ++field) {
                const std::string pointer = field->name.GetString();
                if (!pointer.starts_with("/")) {
                    throw GatewayError(ErrorCode::InvalidConfig,
                                       origin + ": at /fields: \"" + pointer + "\" is not a profile pointer");
                }
                result.fields[pointer] = stringList(field->value, origin, "/fields/" + pointer.substr(1));
            }
        } else {
            throw GatewayError(ErrorCode::InvalidConfig, origin + ": unknown key \"" + key +
                                                             "\" (expected description, default, fields, conflicts)");
        }
    }
    if (result.default_order.empty()) {
        throw GatewayError(ErrorCode::InvalidConfig, origin + ": at /default: name the sources in order");
    }
    return result;
}

ProfileConfig ProfileConfig::builtin(const model::CalendarDate& as_of) {
    return ProfileConfig{Survivorship::parse(builtinConfigFile("survivorship.json"), "built-in survivorship.json"),
                         RuleSet::parse(builtinConfigFile("classification.json"), "built-in classification.json"),
                         RuleSet::parse(builtinConfigFile("alerts.json"), "built-in alerts.json"), as_of, 30};
}

ProfileConfig ProfileConfig::load(const std::string& dir, const model::CalendarDate& as_of) {
    const std::string survivorship = dir + "/survivorship.json";
    return ProfileConfig{Survivorship::parse(readConfigFile(survivorship), survivorship),
                         RuleSet::load(dir + "/classification.json"), RuleSet::load(dir + "/alerts.json"), as_of, 30};
}

profile::ProfileVersion ProfileBuilder::build(const std::string& person_id,
                                              const std::vector<intake::StagedRecord>& staged) const {
    std::vector<Record> records(staged.size());
    for (std::size_t i = 0; i < staged.size(); ++i) {
        records[i].staged = &staged[i];
        records[i].json.Parse(staged[i].record_json.c_str(), staged[i].record_json.size());
        if (records[i].json.HasParseError() || !records[i].json.IsObject()) {
            records[i].json.SetObject();  // staged records are canonical JSON; never let one stop a profile
        }
    }

    rapidjson::Document profile(rapidjson::kObjectType);
    Allocator& allocator = profile.GetAllocator();
    profile.AddMember("person_id", Value(person_id.c_str(), allocator), allocator);
    const std::string as_of = as_of_.toIso();
    profile.AddMember("as_of", Value(as_of.c_str(), allocator), allocator);
    Value sources(rapidjson::kArrayType);
    for (const Record& record : records) {
        Value entry(rapidjson::kObjectType);
        entry.AddMember("source", Value(record.staged->source.c_str(), allocator), allocator);
        entry.AddMember("source_id", Value(record.staged->source_id.c_str(), allocator), allocator);
        if (!record.staged->observed_at.empty()) {
            entry.AddMember("observed_at", Value(record.staged->observed_at.c_str(), allocator), allocator);
        }
        sources.PushBack(entry, allocator);
    }
    profile.AddMember("records", sources, allocator);

    Assembler assembler(*config_, profile);
    Value others(rapidjson::kArrayType);
    Value assistance(rapidjson::kArrayType);
    Value cases(rapidjson::kArrayType);
    for (const Record& record : records) {
        readIdentity(assembler, record);
        readRegistration(assembler, record);
        readGuardians(assembler, record, others, allocator);
        readHealth(assembler, record);
        readCivil(record, as_of_, assistance, cases, allocator);
    }
    if (const Record* enrolment = currentEnrolment(records); enrolment != nullptr) {
        readEducation(assembler, *enrolment);
    }
    assembler.settle();
    rapidjson::Pointer("/guardians/others").Set(profile, others);
    profile.AddMember("assistance", assistance, allocator);
    profile.AddMember("cases", cases, allocator);

    profile::ProfileVersion version;
    version.person_id = person_id;
    auto survivor = [&profile](const char* pointer) {
        const Value* found = rapidjson::Pointer(pointer).Get(profile);
        return found != nullptr && found->IsString() ? std::string(found->GetString(), found->GetStringLength())
                                                     : std::string();
    };
    version.name = survivor("/identity/name/value");
    version.birth_date = survivor("/identity/birth_date/value");
    const Value* id_valid = rapidjson::Pointer("/identity/id_number/valid").Get(profile);
    version.id_number = id_valid == nullptr ? survivor("/identity/id_number/value") : "";
    version.residence_division = survivor("/registration/residence_division/value");
    version.hukou_division = survivor("/registration/hukou_division/value");
    if (const auto born = model::parseDate(version.birth_date); born) {
        const int age = born->ageOn(as_of_);
        if (age >= kAdultAge) {
            return adult(person_id);
        }
        profile.AddMember("age", age, allocator);
    }

    Value classifications(rapidjson::kArrayType);
    for (const RuleMatch& match : config_->classification.evaluate(profile)) {
        classifications.PushBack(matchJson(match, profile, allocator), allocator);
        version.classifications.push_back(match.code);
    }
    Value alerts(rapidjson::kArrayType);
    for (const RuleMatch& match : config_->alerts.evaluate(profile)) {
        Value item = matchJson(match, profile, allocator);
        // Alerts go to whoever can act: the township and the village the child lives in.
        if (version.residence_division.size() == 12) {
            Value route(rapidjson::kObjectType);
            const std::string township = version.residence_division.substr(0, 9) + "000";
            route.AddMember("township", Value(township.c_str(), allocator), allocator);
            route.AddMember("village", Value(version.residence_division.c_str(), allocator), allocator);
            item.AddMember("route", route, allocator);
        }
        alerts.PushBack(item, allocator);
        version.alerts.push_back(match.code);
    }
    profile.AddMember("classifications", classifications, allocator);
    profile.AddMember("alerts", alerts, allocator);

    version.profile_json = compact(profile);
    version.content_hash = sha256Hex(version.profile_json);
    return version;
}

namespace {

profile::ProfileVersion tombstone(const std::string& person_id, const char* reason) {
    profile::ProfileVersion version;
    version.person_id = person_id;
    version.removed = true;
    rapidjson::Document profile(rapidjson::kObjectType);
    profile.AddMember("person_id", Value(person_id.c_str(), profile.GetAllocator()), profile.GetAllocator());
    profile.AddMember("removed", true, profile.GetAllocator());
    if (reason != nullptr) {
        profile.AddMember("reason", rapidjson::StringRef(reason), profile.GetAllocator());
    }
    version.profile_json = compact(profile);
    version.content_hash = sha256Hex(version.profile_json);
    return version;
}

}  // namespace

profile::ProfileVersion ProfileBuilder::removed(const std::string& person_id) const {
    profile::ProfileVersion version = tombstone(person_id, nullptr);  // the form merged persons have always had
    version.removed_reason = "gone";
    version.removed_on = as_of_.toIso();
    return version;
}

profile::ProfileVersion ProfileBuilder::adult(const std::string& person_id) const {
    profile::ProfileVersion version = tombstone(person_id, "adult");
    version.removed_reason = "adult";
    version.removed_on = as_of_.toIso();
    return version;
}

bool ProfileBuilder::isAdult(const profile::ProfileVersion& version) {
    if (!version.removed) {
        return false;
    }
    rapidjson::Document profile;
    profile.Parse(version.profile_json.c_str(), version.profile_json.size());
    return !profile.HasParseError() && profile.IsObject() && profile.HasMember("reason") &&
           profile["reason"].IsString() && std::string_view(profile["reason"].GetString()) == "adult";
}

}  // namespace gateway::profile
