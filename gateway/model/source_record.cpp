#include "gateway/model/source_record.h"

#include "gateway/common/json_writer.h"

#include "gateway/common/utf8.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <utility>

namespace gateway::model {
namespace {

using JsonValue = rapidjson::Value;

// The iterative parser keeps its stack on the heap, so 100k nested '[' cannot overflow the thread's stack.
// Encoding validation rejects ill-formed UTF-8 bytes; escaped lone surrogates still get through it (rapidjson
// 1.1 encodes \uDC00 as bytes that are not UTF-8), so every string kept is checked again with utf8::isValid.
// Without full precision rapidjson may read a long decimal into a neighbour of the nearest double, which would
// change a number in facts that a producer sent.
constexpr unsigned kParseFlags =
    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag;

enum class FieldKind { String, Identifiers, Guardians, Facts };

struct FieldSpec {
    std::string_view name;
    FieldKind kind;
    std::string SourceRecord::*member;
};

// In the order of DESIGN §4, which toJson() follows.
constexpr std::array<FieldSpec, 14> kFields = {{
    {"source", FieldKind::String, &SourceRecord::source},
    {"source_id", FieldKind::String, &SourceRecord::source_id},
    {"observed_at", FieldKind::String, &SourceRecord::observed_at},
    {"name", FieldKind::String, &SourceRecord::name},
    {"sex", FieldKind::String, &SourceRecord::sex},
    {"birth_date", FieldKind::String, &SourceRecord::birth_date},
    {"id_number", FieldKind::String, &SourceRecord::id_number},
    {"ethnicity", FieldKind::String, &SourceRecord::ethnicity},
    {"hukou_division", FieldKind::String, &SourceRecord::hukou_division},
    {"residence_division", FieldKind::String, &SourceRecord::residence_division},
    {"address", FieldKind::String, &SourceRecord::address},
    {"identifiers", FieldKind::Identifiers, nullptr},
    {"guardians", FieldKind::Guardians, nullptr},
    {"facts", FieldKind::Facts, nullptr},
}};

struct GuardianFieldSpec {
    std::string_view name;
    std::string Guardian::*member;
};

constexpr std::array<GuardianFieldSpec, 5> kGuardianFields = {{
    {"relation", &Guardian::relation},
    {"name", &Guardian::name},
    {"id_number", &Guardian::id_number},
    {"status", &Guardian::status},
    {"phone", &Guardian::phone},
}};

std::string_view typeName(const JsonValue& value) {
    switch (value.GetType()) {
        case rapidjson::kNullType:
            return "null";
        case rapidjson::kFalseType:
        case rapidjson::kTrueType:
            return "boolean";
        case rapidjson::kObjectType:
            return "object";
        case rapidjson::kArrayType:
            return "array";
        case rapidjson::kStringType:
            return "string";
        case rapidjson::kNumberType:
            return "number";
    }
    return "unknown";
}

std::string_view stringOf(const JsonValue& value) {
    return {value.GetString(), value.GetStringLength()};
}

std::string field(std::string_view path) {
    return "field " + utf8::quote(path, 80);
}

std::string statusList() {
    std::string list;
    for (const std::string_view status : kGuardianStatuses) {
        if (!list.empty()) {
            list += ", ";
        }
        list += status;
    }
    return list;
}

/// Reads one string member; on failure fills `error` and returns false.
bool readString(const JsonValue& value, std::string_view path, std::string& out, std::string& error) {
    if (!value.IsString()) {
        error = field(path) + " must be a string, got " + std::string(typeName(value));
        return false;
    }
    const std::string_view text = stringOf(value);
    if (!utf8::isValid(text)) {
        error = field(path) + " is not valid UTF-8: " + utf8::quote(text);
        return false;
    }
    // JSON can carry U+0000 as an escape, but no identity field has a use for it and C-string consumers would
    // silently cut the value there.
    if (text.find('\0') != std::string_view::npos) {
        error = field(path) + " contains U+0000";
        return false;
    }
    out.assign(text);
    return true;
}

bool readIdentifiers(const JsonValue& value, std::map<std::string, std::string>& out, std::string& error) {
    if (!value.IsObject()) {
        error = field("identifiers") + " must be an object of strings, got " + std::string(typeName(value));
        return false;
    }
    for (auto member = value.MemberBegin(); member != value.MemberEnd(); ++member) {
        const std::string_view key = stringOf(member->name);
        const std::string path = "identifiers." + std::string(key);
        if (key.empty()) {
            error = field("identifiers") + " has an empty key";
            return false;
        }
        if (!utf8::isValid(key) || key.find('\0') != std::string_view::npos) {
            error = field("identifiers") + " has a key that is not valid UTF-8 text: " + utf8::quote(key);
            return false;
        }
        std::string text;
        if (!readString(member->value, path, text, error)) {
            return false;
        }
        if (!out.emplace(key, std::move(text)).second) {
            error = field(path) + " appears more than once";
            return false;
        }
    }
    return true;
}

bool readGuardian(const JsonValue& value, std::size_t index, Guardian& out, std::vector<std::string>& warnings,
                  std::string& error) {
    const std::string base = "guardians[" + std::to_string(index) + "]";
    if (!value.IsObject()) {
        error = field(base) + " must be an object, got " + std::string(typeName(value));
        return false;
    }
    std::array<bool, kGuardianFields.size()> seen{};
    for (auto member = value.MemberBegin(); member != value.MemberEnd(); ++member) {
        const std::string_view key = stringOf(member->name);
        const std::string path = base + "." + std::string(key);
        const auto spec = std::find_if(kGuardianFields.begin(), kGuardianFields.end(),
                                       [&](const GuardianFieldSpec& candidate) { return candidate.name == key; });
        if (spec == kGuardianFields.end()) {
            warnings.push_back("unknown " + field(path) + " ignored");
            continue;
        }
        bool& was_seen = seen[static_cast<std::size_t>(spec - kGuardianFields.begin())];
        if (was_seen) {
            error = field(path) + " appears more than once";
            return false;
        }
        was_seen = true;
        if (!readString(member->value, path, out.*(spec->member), error)) {
            return false;
        }
    }
    if (!out.status.empty() && !isGuardianStatus(out.status)) {
        error = field(base + ".status") + " is " + utf8::quote(out.status) + ", which is not one of " + statusList();
        return false;
    }
    return true;
}

bool readGuardians(const JsonValue& value, std::vector<Guardian>& out, std::vector<std::string>& warnings,
                   std::string& error) {
    if (!value.IsArray()) {
        error = field("guardians") + " must be an array of objects, got " + std::string(typeName(value));
        return false;
    }
    out.reserve(value.Size());
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
        Guardian guardian;
        if (!readGuardian(value[i], i, guardian, warnings, error)) {
            return false;
        }
        out.push_back(std::move(guardian));
    }
    return true;
}

/// Checks depth and string encoding without recursion, so that serialising afterwards (which recurses) is safe.
bool checkFactsTree(const JsonValue& facts, std::string& error) {
    std::vector<std::pair<const JsonValue*, std::size_t>> pending = {{&facts, 1}};
    while (!pending.empty()) {
        const auto [value, depth] = pending.back();
        pending.pop_back();
        if (value->IsString()) {
            if (!utf8::isValid(stringOf(*value))) {
                error = field("facts") + " contains a string that is not valid UTF-8: " + utf8::quote(stringOf(*value));
                return false;
            }
            continue;
        }
        if (!value->IsObject() && !value->IsArray()) {
            continue;
        }
        if (depth > kMaxFactsDepth) {
            error = field("facts") + " nests deeper than " + std::to_string(kMaxFactsDepth) + " levels";
            return false;
        }
        if (value->IsObject()) {
            for (auto member = value->MemberBegin(); member != value->MemberEnd(); ++member) {
                if (!utf8::isValid(stringOf(member->name))) {
                    error = field("facts") +
                            " contains a key that is not valid UTF-8: " + utf8::quote(stringOf(member->name));
                    return false;
                }
                pending.emplace_back(&member->value, depth + 1);
            }
        } else {
            for (auto element = value->Begin(); element != value->End(); ++element) {
                pending.emplace_back(element, depth + 1);
            }
        }
    }
    return true;
}

bool readFacts(const JsonValue& value, std::string& out, std::string& error) {
    if (!value.IsObject()) {
        error = field("facts") + " must be an object, got " + std::string(typeName(value));
        return false;
    }
    if (!checkFactsTree(value, error)) {
        return false;
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    out.assign(buffer.GetString(), buffer.GetSize());
    return true;
}

}  // namespace

bool isGuardianStatus(std::string_view status) {
    return std::find(kGuardianStatuses.begin(), kGuardianStatuses.end(), status) != kGuardianStatuses.end();
}

SourceRecordResult parseSourceRecord(std::string_view json) {
    SourceRecordResult result;
    const auto fail = [&](std::string message) {
        result.error = std::move(message);
        return std::move(result);
    };
    if (json.size() > kMaxSourceRecordBytes) {
        return fail("record is " + std::to_string(json.size()) + " bytes, over the limit of " +
                    std::to_string(kMaxSourceRecordBytes) + " bytes");
    }
    // rapidjson reads a NUL byte as the end of input and would ignore whatever follows it.
    if (const std::size_t nul = json.find('\0'); nul != std::string_view::npos) {
        return fail("record contains a NUL byte at byte " + std::to_string(nul) + ", which JSON text cannot");
    }
    rapidjson::Document document;
    document.Parse<kParseFlags>(json.data(), json.size());
    if (document.HasParseError()) {
        return fail("malformed JSON at byte " + std::to_string(document.GetErrorOffset()) + ": " +
                    rapidjson::GetParseError_En(document.GetParseError()));
    }
    if (!document.IsObject()) {
        return fail("record must be a JSON object, got " + std::string(typeName(document)));
    }

    SourceRecord record;
    std::array<bool, kFields.size()> seen{};
    std::string error;
    for (auto member = document.MemberBegin(); member != document.MemberEnd(); ++member) {
        const std::string_view key = stringOf(member->name);
        const auto spec = std::find_if(kFields.begin(), kFields.end(),
                                       [&](const FieldSpec& candidate) { return candidate.name == key; });
        if (spec == kFields.end()) {
            result.warnings.push_back("unknown " + field(key) + " ignored");
            continue;
        }
        bool& was_seen = seen[static_cast<std::size_t>(spec - kFields.begin())];
        if (was_seen) {
            return fail(field(key) + " appears more than once");
        }
        was_seen = true;
        bool ok = false;
        switch (spec->kind) {
            case FieldKind::String:
                ok = readString(member->value, key, record.*(spec->member), error);
                break;
            case FieldKind::Identifiers:
                ok = readIdentifiers(member->value, record.identifiers, error);
                break;
            case FieldKind::Guardians:
                ok = readGuardians(member->value, record.guardians, result.warnings, error);
                break;
            case FieldKind::Facts:
                ok = readFacts(member->value, record.facts, error);
                break;
        }
        if (!ok) {
            return fail(std::move(error));
        }
    }
    for (const std::string_view required : {std::string_view("source"), std::string_view("source_id")}) {
        const auto spec = std::find_if(kFields.begin(), kFields.end(),
                                       [&](const FieldSpec& candidate) { return candidate.name == required; });
        if (!seen[static_cast<std::size_t>(spec - kFields.begin())]) {
            return fail(field(required) + " is required");
        }
        if ((record.*(spec->member)).empty()) {
            return fail(field(required) + " must not be empty");
        }
    }
    result.record = std::move(record);
    return result;
}

std::string toJson(const SourceRecord& record) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    for (const FieldSpec& spec : kFields) {
        switch (spec.kind) {
            case FieldKind::String: {
                const std::string& value = record.*(spec.member);
                if (!value.empty()) {
                    json::key(writer, spec.name);
                    json::string(writer, value);
                }
                break;
            }
            case FieldKind::Identifiers:
                if (!record.identifiers.empty()) {
                    json::key(writer, spec.name);
                    writer.StartObject();
                    for (const auto& [key, value] : record.identifiers) {
                        json::key(writer, key);
                        json::string(writer, value);
                    }
                    writer.EndObject();
                }
                break;
            case FieldKind::Guardians:
                if (!record.guardians.empty()) {
                    json::key(writer, spec.name);
                    writer.StartArray();
                    for (const Guardian& guardian : record.guardians) {
                        writer.StartObject();
                        for (const GuardianFieldSpec& guardian_field : kGuardianFields) {
                            const std::string& value = guardian.*(guardian_field.member);
                            if (!value.empty()) {
                                json::key(writer, guardian_field.name);
                                json::string(writer, value);
                            }
                        }
                        writer.EndObject();
                    }
                    writer.EndArray();
                }
                break;
            case FieldKind::Facts:
                if (!record.facts.empty() && record.facts != "{}") {
                    json::key(writer, spec.name);
                    writer.RawValue(record.facts.data(), record.facts.size(), rapidjson::kObjectType);
                }
                break;
        }
    }
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace gateway::model
