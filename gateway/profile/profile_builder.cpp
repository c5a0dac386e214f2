#include "gateway/profile/profile_builder.h"

#include "gateway/common/hash.h"
#include "gateway/model/citizen_id.h"

#include <Poco/RegularExpression.h>

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <set>
#include <utility>

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

/// The value at `pointer` in the record, or null when it is not there or is null.
const Value* at(const Record& record, const rapidjson::Pointer& pointer) {
    const Value* found = pointer.Get(record.json);
    return found == nullptr || found->IsNull() ? nullptr : found;
}

/// `value` checked as `check` asks: whether it is valid, and its normal form when it is.
std::pair<std::string, bool> checked(const std::string& value, ValueCheck check) {
    switch (check) {
        case ValueCheck::None:
            return {value, true};
        case ValueCheck::Name:
            return {value, !isPlaceholderName(value)};
        case ValueCheck::Date:
            return {value, static_cast<bool>(model::parseDate(value))};
        case ValueCheck::CitizenId: {
            const auto parsed = model::parseCitizenId(value);
            return {parsed ? parsed->value() : value, parsed.ok()};
        }
    }
    return {value, true};
}

void offerChecked(Assembler& assembler, const std::string& into, const std::string& value, ValueCheck check,
                  const Record& record) {
    const auto [normal, valid] = checked(value, check);
    assembler.offerText(into, normal, record, valid);
}

void readField(Assembler& assembler, const AssemblyField& field, const Record& record) {
    for (const ValueSource& source : field.from) {
        const Value* found = at(record, source.from);
        if (found == nullptr) {
            continue;
        }
        if (field.any_type) {
            assembler.offer(field.into, *found, record);
            return;
        }
        std::string value = found->IsString() ? std::string(found->GetString(), found->GetStringLength()) : "";
        if (!source.strip_prefix.empty()) {
            value = value.starts_with(source.strip_prefix) ? value.substr(source.strip_prefix.size()) : "";
        }
        if (!value.empty()) {
            offerChecked(assembler, field.into, value, field.check, record);
            return;
        }
    }
}

/// The elements of a family's value: an array's, or the one object.
std::vector<const Value*> elements(const Value& value) {
    std::vector<const Value*> list;
    if (value.IsArray()) {
        for (const Value& element : value.GetArray()) {
            list.push_back(&element);
        }
    } else if (value.IsObject()) {
        list.push_back(&value);
    }
    return list;
}

/// Every member of an object as a field of its own under `into`.
void offerMembers(Assembler& assembler, const std::string& into, const Value& object, const Record& record) {
    if (!object.IsObject()) {
        return;
    }
    for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
        assembler.offer(into + "/" + it->name.GetString(), it->value, record);
    }
}

void readKeyed(Assembler& assembler, const AssemblyFamily& family, const Value& value, const Record& record) {
    if (!value.IsArray()) {
        return;
    }
    for (const Value& element : value.GetArray()) {
        const std::string key = text(element, family.key.c_str());
        if (std::find(family.keys.begin(), family.keys.end(), key) == family.keys.end()) {
            continue;
        }
        for (const FamilyMember& member : family.members) {
            offerChecked(assembler, family.into + "/" + key + "/" + member.name, text(element, member.name.c_str()),
                         member.check, record);
        }
    }
}

/// A history's entries from one record, each with where it came from.
void readHistory(const AssemblyFamily& family, const Value& value, const Record& record,
                 const model::CalendarDate& as_of, Value& history, Allocator& allocator) {
    // Whole entries are an array's objects, or the one object; kept members come from every element of an array.
    std::vector<const Value*> list;
    if (family.keep.empty()) {
        list = elements(value);
    } else if (value.IsArray()) {
        for (const Value& element : value.GetArray()) {
            list.push_back(&element);
        }
    }
    for (const Value* element : list) {
        if (!family.where_member.empty()) {
            const std::string member = text(*element, family.where_member.c_str());
            if (std::find(family.where_not_in.begin(), family.where_not_in.end(), member) !=
                family.where_not_in.end()) {
                continue;
            }
        }
        Value entry(rapidjson::kObjectType);
        if (family.keep.empty()) {
            if (!element->IsObject()) {
                continue;
            }
            entry.CopyFrom(*element, allocator);
        } else {
            for (const std::string& key : family.keep) {
                const std::string kept_value = text(*element, key.c_str());
                if (!kept_value.empty()) {
                    entry.AddMember(Value(key.c_str(), allocator), Value(kept_value.c_str(), allocator), allocator);
                }
            }
        }
        if (!family.days_name.empty()) {
            if (const auto since = model::parseDate(text(*element, family.days_member.c_str())); since) {
                Value days(static_cast<std::int64_t>(as_of.daysSinceEpoch() - since->daysSinceEpoch()));
                entry.AddMember(Value(family.days_name.c_str(), allocator), days, allocator);
            }
        }
        entry.AddMember("source", Value(record.staged->source.c_str(), allocator), allocator);
        entry.AddMember("source_id", Value(record.staged->source_id.c_str(), allocator), allocator);
        history.PushBack(entry, allocator);
    }
}

/// The record whose object describes the child now: one not marked stale, the latest staged.
const Record* latestRecord(const AssemblyFamily& family, const std::vector<Record>& records) {
    const Record* best = nullptr;
    bool best_current = false;
    for (const Record& record : records) {
        const Value* value = at(record, family.from);
        if (value == nullptr) {
            continue;
        }
        const bool current =
            family.stale_member.empty() || text(*value, family.stale_member.c_str()) != family.stale_value;
        if (best == nullptr || (current && !best_current) ||
            (current == best_current && record.staged->batch_id > best->staged->batch_id)) {
            best = &record;
            best_current = current;
        }
    }
    return best;
}

/// Everything the assembly takes from the records: survivor values offered, histories filled (one per history
/// family, in order).
void assemble(const Assembly& assembly, const std::vector<Record>& records, const model::CalendarDate& as_of,
              Assembler& assembler, std::vector<Value>& histories, Allocator& allocator) {
    for (const Record& record : records) {
        for (const AssemblyField& field : assembly.fields) {
            readField(assembler, field, record);
        }
        if (!assembly.register_source.empty() && record.staged->source == assembly.register_source) {
            assembler.offer(assembly.register_into, Value(true), record);
        }
        for (std::size_t i = 0; i < assembly.families.size(); ++i) {
            const AssemblyFamily& family = assembly.families[i];
            const Value* value = at(record, family.from);
            if (value == nullptr) {
                continue;
            }
            switch (family.kind) {
                case FamilyKind::Survivor:
                    offerMembers(assembler, family.into, *value, record);
                    break;
                case FamilyKind::Keyed:
                    readKeyed(assembler, family, *value, record);
                    break;
                case FamilyKind::History:
                    readHistory(family, *value, record, as_of, histories[i], allocator);
                    break;
                case FamilyKind::Latest:
                    break;  // one record for all, below
            }
        }
    }
    for (const AssemblyFamily& family : assembly.families) {
        if (family.kind != FamilyKind::Latest) {
            continue;
        }
        if (const Record* latest = latestRecord(family, records); latest != nullptr) {
            offerMembers(assembler, family.into, *at(*latest, family.from), *latest);
        }
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

}  // namespace

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
    const Assembly& assembly = config_->assembly;
    std::vector<Value> histories(assembly.families.size());
    for (Value& history : histories) {
        history.SetArray();
    }
    assemble(assembly, records, as_of_, assembler, histories, allocator);
    assembler.settle();
    // Histories after the survivor values, in the order they are configured.
    for (std::size_t i = 0; i < assembly.families.size(); ++i) {
        if (assembly.families[i].kind == FamilyKind::History) {
            rapidjson::Pointer(assembly.families[i].into.c_str()).Set(profile, histories[i]);
        }
    }

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
