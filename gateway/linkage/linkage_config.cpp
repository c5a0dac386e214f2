#include "gateway/linkage/linkage_config.h"

#include "gateway/common/error.h"
#include "gateway/common/json_pointer.h"
#include "gateway/common/json_type.h"

#include <Poco/RegularExpression.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace gateway::resources {
std::vector<std::pair<std::string_view, std::string_view>> linkageEntries();
}

namespace gateway::linkage {

namespace {

using Value = rapidjson::Value;

/// Reads one config document, naming every problem by its JSON pointer.
class ConfigReader {
public:
    explicit ConfigReader(std::string_view origin) : origin_(origin) {}

    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        throw GatewayError(ErrorCode::InvalidConfig,
                           std::string(origin_) + ": at " + (path.empty() ? "/" : path) + ": " + message);
    }

    void allowOnly(const Value& object, const std::string& path, std::initializer_list<std::string_view> keys) const {
        for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
            const std::string_view key(it->name.GetString(), it->name.GetStringLength());
            bool known = false;
            for (std::string_view allowed : keys) {
                known = known || allowed == key;
            }
            if (!known) {
                std::string list;
                for (std::string_view allowed : keys) {
                    list += (list.empty() ? "" : ", ") + std::string(allowed);
                }
                fail(path, "unknown key \"" + std::string(key) + "\" (expected one of: " + list + ")");
            }
        }
    }

    const Value& object(const Value& value, const std::string& path) const {
        if (!value.IsObject()) {
            fail(path, "expected an object, found " + std::string(jsonTypeName(value)));
        }
        return value;
    }

    const Value& array(const Value& value, const std::string& path) const {
        if (!value.IsArray()) {
            fail(path, "expected an array, found " + std::string(jsonTypeName(value)));
        }
        return value;
    }

    std::string string(const Value& value, const std::string& path) const {
        if (!value.IsString()) {
            fail(path, "expected a string, found " + std::string(jsonTypeName(value)));
        }
        return std::string(value.GetString(), value.GetStringLength());
    }

    double number(const Value& value, const std::string& path) const {
        if (!value.IsNumber()) {
            fail(path, "expected a number, found " + std::string(jsonTypeName(value)));
        }
        return value.GetDouble();
    }

    std::size_t count(const Value& value, const std::string& path) const {
        if (!value.IsUint64() || value.GetUint64() == 0) {
            fail(path, "expected a positive whole number");
        }
        return static_cast<std::size_t>(value.GetUint64());
    }

    bool boolean(const Value& value, const std::string& path) const {
        if (!value.IsBool()) {
            fail(path, "expected true or false, found " + std::string(jsonTypeName(value)));
        }
        return value.GetBool();
    }

    /// A JSON pointer, in which a "*" segment stands for every element of an array.
    std::string pointer(const Value& value, const std::string& path) const {
        std::string text = string(value, path);
        if (!text.empty() && text.front() != '/') {
            fail(path, "a JSON pointer starts with \"/\": \"" + text + "\"");
        }
        std::string_view rest = text;
        while (!rest.empty()) {
            const std::size_t star = rest.find("/*");
            const bool wildcard = star != std::string_view::npos && (star + 2 == rest.size() || rest[star + 2] == '/');
            const std::string_view piece = wildcard ? rest.substr(0, star) : rest;
            std::string error;
            if (!JsonPointer::parse(piece, error)) {
                fail(path, "\"" + text + "\" is not a JSON pointer: " + error);
            }
            rest = wildcard ? rest.substr(star + 2) : std::string_view();
        }
        return text;
    }

private:
    std::string_view origin_;
};

/// `path` extended by one member name, escaped as RFC 6901 asks (~ as ~0, / as ~1).
std::string at(const std::string& path, std::string_view key) {
    std::string result = path + "/";
    for (char c : key) {
        result += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
    }
    return result;
}
std::string at(const std::string& path, std::size_t index) {
    return path + "/" + std::to_string(index);
}

FieldType fieldType(const ConfigReader& reader, const std::string& text, const std::string& path) {
    if (text == "text")
        return FieldType::Text;
    if (text == "citizen_id")
        return FieldType::CitizenId;
    if (text == "date")
        return FieldType::Date;
    if (text == "chinese_name")
        return FieldType::ChineseName;
    if (text == "division")
        return FieldType::Division;
    reader.fail(path,
                "unknown field type \"" + text + "\" (expected text, citizen_id, date, chinese_name or division)");
}

FieldSource fieldSource(const ConfigReader& reader, const Value& value, const std::string& path) {
    FieldSource source;
    if (value.IsString()) {
        source.pointer = reader.pointer(value, path);
        return source;
    }
    reader.object(value, path);
    reader.allowOnly(value, path, {"pointer", "where", "strip_prefix"});
    if (!value.HasMember("pointer")) {
        reader.fail(path, "missing \"pointer\"");
    }
    source.pointer = reader.pointer(value["pointer"], at(path, "pointer"));
    if (value.HasMember("strip_prefix")) {
        source.strip_prefix = reader.string(value["strip_prefix"], at(path, "strip_prefix"));
    }
    if (value.HasMember("where")) {
        const std::string where_path = at(path, "where");
        const Value& where = reader.object(value["where"], where_path);
        if (source.pointer.find("/*") == std::string::npos) {
            reader.fail(where_path, "\"where\" filters array elements: the pointer needs a \"*\" segment");
        }
        for (auto it = where.MemberBegin(); it != where.MemberEnd(); ++it) {
            const std::string name(it->name.GetString(), it->name.GetStringLength());
            // A member name, or a pointer relative to the element when it starts with "/".
            const std::string member = !name.empty() && name.front() == '/' ? name : "/" + name;
            source.where.emplace_back(member, reader.string(it->value, at(where_path, name)));
        }
    }
    return source;
}

FieldSpec fieldSpec(const ConfigReader& reader, std::string name, const Value& value, const std::string& path) {
    reader.object(value, path);
    reader.allowOnly(value, path, {"type", "from", "part", "placeholders", "birth_date"});
    FieldSpec spec;
    spec.name = std::move(name);
    if (!value.HasMember("type")) {
        reader.fail(path, "missing \"type\"");
    }
    spec.type = fieldType(reader, reader.string(value["type"], at(path, "type")), at(path, "type"));
    if (!value.HasMember("from")) {
        reader.fail(path, "missing \"from\" (a JSON pointer or a list of them)");
    }
    const Value& from = value["from"];
    if (from.IsArray()) {
        if (from.Empty()) {
            reader.fail(at(path, "from"), "empty list: give at least one pointer");
        }
        for (rapidjson::SizeType i = 0; i < from.Size(); ++i) {
            spec.sources.push_back(fieldSource(reader, from[i], at(at(path, "from"), i)));
        }
    } else {
        spec.sources.push_back(fieldSource(reader, from, at(path, "from")));
    }
    if (value.HasMember("part")) {
        const std::string part_path = at(path, "part");
        if (spec.type != FieldType::ChineseName) {
            reader.fail(part_path, "\"part\" applies to chinese_name fields only");
        }
        const std::string part = reader.string(value["part"], part_path);
        if (part == "full") {
            spec.part = NamePart::Full;
        } else if (part == "surname") {
            spec.part = NamePart::Surname;
        } else if (part == "given") {
            spec.part = NamePart::Given;
        } else {
            reader.fail(part_path, "unknown part \"" + part + "\" (expected full, surname or given)");
        }
    }
    if (value.HasMember("placeholders")) {
        const std::string list_path = at(path, "placeholders");
        if (spec.type != FieldType::ChineseName) {
            reader.fail(list_path, "\"placeholders\" apply to chinese_name fields only");
        }
        const Value& list = reader.array(value["placeholders"], list_path);
        for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
            std::string pattern = reader.string(list[i], at(list_path, i));
            try {
                Poco::RegularExpression compiled(pattern, Poco::RegularExpression::RE_UTF8);
            } catch (const Poco::Exception& error) {
                reader.fail(at(list_path, i), "not a regular expression: " + error.message());
            }
            spec.placeholders.push_back(std::move(pattern));
        }
    }
    return spec;
}

/// "damerau<=1" → 1; fails unless `text` is `prefix` followed by a number.
double levelParameter(const ConfigReader& reader, std::string_view text, std::string_view prefix,
                      const std::string& path) {
    const std::string number(text.substr(prefix.size()));
    std::size_t used = 0;
    double value = 0;
    try {
        value = std::stod(number, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != number.size() || !std::isfinite(value) || value < 0) {
        reader.fail(path, "\"" + std::string(text) + "\": expected a number after \"" + std::string(prefix) + "\"");
    }
    return value;
}

LevelSpec levelSpec(const ConfigReader& reader, FieldType type, const std::string& text, const std::string& path) {
    LevelSpec level;
    level.label = text;
    const std::string_view view(text);
    if (view == "exact") {
        level.kind = LevelKind::Exact;
    } else if (view == "pinyin") {
        if (type != FieldType::ChineseName) {
            reader.fail(path, "\"pinyin\" compares chinese_name fields only");
        }
        level.kind = LevelKind::Pinyin;
    } else if (view.starts_with("damerau<=")) {
        level.kind = LevelKind::Damerau;
        level.param = levelParameter(reader, view, "damerau<=", path);
        if (level.param > 8 || level.param != std::floor(level.param)) {
            reader.fail(path, "a Damerau distance is a whole number from 0 to 8");
        }
    } else if (view.starts_with("jaro_winkler>=")) {
        level.kind = LevelKind::JaroWinkler;
        level.param = levelParameter(reader, view, "jaro_winkler>=", path);
        if (level.param > 1) {
            reader.fail(path, "a Jaro–Winkler similarity lies between 0 and 1");
        }
    } else if (view.starts_with("prefix=")) {
        level.kind = LevelKind::Prefix;
        level.param = levelParameter(reader, view, "prefix=", path);
    } else if (view.starts_with("within=")) {
        if (type != FieldType::Text) {
            reader.fail(path, "\"within=N\" compares numbers held in text fields only");
        }
        level.kind = LevelKind::Within;
        level.param = levelParameter(reader, view, "within=", path);
    } else if (view == "day_month_swapped" || view == "one_field_differs") {
        if (type != FieldType::Date) {
            reader.fail(path, "\"" + text + "\" compares date fields only");
        }
        level.kind = view == "day_month_swapped" ? LevelKind::DateSwap : LevelKind::DateOneField;
    } else {
        reader.fail(path, "unknown level \"" + text +
                              "\" (expected exact, pinyin, damerau<=N, jaro_winkler>=X, prefix=N, within=N, "
                              "day_month_swapped or one_field_differs)");
    }
    return level;
}

std::vector<double> probabilities(const ConfigReader& reader, const Value& value, std::size_t expected,
                                  const std::string& path) {
    const Value& list = reader.array(value, path);
    if (list.Size() != expected) {
        reader.fail(path, "expected " + std::to_string(expected) +
                              " probabilities (one per level and one for "
                              "\"different\"), found " +
                              std::to_string(list.Size()));
    }
    std::vector<double> result;
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        const double p = reader.number(list[i], at(path, i));
        if (!(p > 0 && p < 1)) {
            reader.fail(at(path, i), "a probability strictly between 0 and 1");
        }
        result.push_back(p);
    }
    return result;
}

std::size_t fieldByName(const ConfigReader& reader, const LinkageConfig& config, const std::string& name,
                        const std::string& path) {
    const std::size_t index = config.fieldIndex(name);
    if (index == std::string::npos) {
        std::string known;
        for (const FieldSpec& field : config.fields) {
            known += (known.empty() ? "" : ", ") + field.name;
        }
        reader.fail(path, "unknown field \"" + name + "\" (fields: " + known + ")");
    }
    return index;
}

std::size_t comparisonByName(const ConfigReader& reader, const LinkageConfig& config, const std::string& name,
                             const std::string& path) {
    for (std::size_t c = 0; c < config.comparisons.size(); ++c) {
        if (config.comparisons[c].name == name) {
            return c;
        }
    }
    reader.fail(path, "unknown comparison \"" + name + "\"");
}

ComparisonSpec comparisonSpec(const ConfigReader& reader, const LinkageConfig& config, const Value& value,
                              const std::string& path) {
    reader.object(value, path);
    reader.allowOnly(value, path, {"name", "field", "levels", "term_frequency", "m", "u"});
    ComparisonSpec spec;
    if (!value.HasMember("field")) {
        reader.fail(path, "missing \"field\"");
    }
    const std::string field_name = reader.string(value["field"], at(path, "field"));
    spec.field = fieldByName(reader, config, field_name, at(path, "field"));
    spec.name = value.HasMember("name") ? reader.string(value["name"], at(path, "name")) : field_name;
    const FieldType type = config.fields[spec.field].type;
    if (!value.HasMember("levels")) {
        reader.fail(path, "missing \"levels\"");
    }
    const Value& levels = reader.array(value["levels"], at(path, "levels"));
    if (levels.Empty() || levels.Size() > 14) {
        reader.fail(at(path, "levels"), "give one to fourteen agreement levels");
    }
    bool equal_values_reach_a_level = false;
    for (rapidjson::SizeType i = 0; i < levels.Size(); ++i) {
        const std::string level_path = at(at(path, "levels"), i);
        spec.levels.push_back(levelSpec(reader, type, reader.string(levels[i], level_path), level_path));
        const LevelKind kind = spec.levels.back().kind;
        equal_values_reach_a_level =
            equal_values_reach_a_level || (kind != LevelKind::DateSwap && kind != LevelKind::DateOneField);
    }
    if (!equal_values_reach_a_level) {
        reader.fail(at(path, "levels"), "no level holds for equal values: add \"exact\"");
    }
    if (value.HasMember("term_frequency")) {
        spec.term_frequency = reader.boolean(value["term_frequency"], at(path, "term_frequency"));
    }
    if (value.HasMember("m") != value.HasMember("u")) {
        reader.fail(path, "give both \"m\" and \"u\" or neither");
    }
    if (value.HasMember("m")) {
        spec.m = probabilities(reader, value["m"], spec.levelCount(), at(path, "m"));
        spec.u = probabilities(reader, value["u"], spec.levelCount(), at(path, "u"));
    }
    return spec;
}

KeyPart keyPart(const ConfigReader& reader, const LinkageConfig& config, const std::string& text,
                const std::string& path) {
    KeyPart part;
    const std::size_t colon = text.find(':');
    part.field = fieldByName(reader, config, text.substr(0, colon), path);
    if (colon == std::string::npos) {
        return part;
    }
    const std::string_view transform = std::string_view(text).substr(colon + 1);
    const FieldType type = config.fields[part.field].type;
    if (transform.starts_with("prefix=")) {
        part.transform = KeyTransform::Prefix;
        part.n = static_cast<int>(levelParameter(reader, transform, "prefix=", path));
        if (part.n == 0) {
            reader.fail(path, "a prefix of at least one character");
        }
    } else if (transform == "year") {
        if (type != FieldType::Date) {
            reader.fail(path, "\":year\" applies to date fields only");
        }
        part.transform = KeyTransform::Year;
    } else if (transform == "pinyin" || transform == "initials") {
        if (type != FieldType::ChineseName) {
            reader.fail(path, "\":" + std::string(transform) + "\" applies to chinese_name fields only");
        }
        part.transform = transform == "pinyin" ? KeyTransform::Pinyin : KeyTransform::Initial;
    } else {
        reader.fail(path, "unknown key transform \"" + std::string(transform) +
                              "\" (expected prefix=N, year, pinyin or initials)");
    }
    return part;
}

BlockingRule blockingRule(const ConfigReader& reader, const LinkageConfig& config, const Value& value,
                          const std::string& path) {
    BlockingRule rule;
    const Value* key = &value;
    std::string key_path = path;
    if (value.IsObject()) {
        reader.allowOnly(value, path, {"name", "key", "estimate"});
        if (value.HasMember("estimate")) {
            rule.estimate = reader.boolean(value["estimate"], at(path, "estimate"));
        }
        if (!value.HasMember("key")) {
            reader.fail(path, "missing \"key\"");
        }
        key = &value["key"];
        key_path = at(path, "key");
        if (value.HasMember("name")) {
            rule.name = reader.string(value["name"], at(path, "name"));
        }
    }
    const Value& parts = reader.array(*key, key_path);
    if (parts.Empty()) {
        reader.fail(key_path, "a key needs at least one field");
    }
    std::string joined;
    for (rapidjson::SizeType i = 0; i < parts.Size(); ++i) {
        const std::string text = reader.string(parts[i], at(key_path, i));
        rule.parts.push_back(keyPart(reader, config, text, at(key_path, i)));
        joined += (joined.empty() ? "" : "+") + text;
    }
    if (rule.name.empty()) {
        rule.name = joined;
    }
    return rule;
}

std::vector<std::size_t> fieldList(const ConfigReader& reader, const LinkageConfig& config, const Value& value,
                                   const std::string& path) {
    const Value& list = reader.array(value, path);
    std::vector<std::size_t> fields;
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
        fields.push_back(fieldByName(reader, config, reader.string(list[i], at(path, i)), at(path, i)));
    }
    return fields;
}

DeterministicRule deterministicRule(const ConfigReader& reader, const LinkageConfig& config, const Value& value,
                                    const std::string& path) {
    reader.object(value, path);
    reader.allowOnly(value, path, {"name", "equal", "require_valid", "require_level"});
    DeterministicRule rule;
    if (!value.HasMember("name") || !value.HasMember("equal")) {
        reader.fail(path, "a deterministic rule needs \"name\" and \"equal\"");
    }
    rule.name = reader.string(value["name"], at(path, "name"));
    rule.equal = fieldList(reader, config, value["equal"], at(path, "equal"));
    if (rule.equal.empty()) {
        reader.fail(at(path, "equal"), "name at least one field");
    }
    if (value.HasMember("require_valid")) {
        rule.require_valid = fieldList(reader, config, value["require_valid"], at(path, "require_valid"));
        for (std::size_t i = 0; i < rule.require_valid.size(); ++i) {
            if (config.fields[rule.require_valid[i]].type != FieldType::CitizenId) {
                reader.fail(at(at(path, "require_valid"), i), "validity is known for citizen_id fields only");
            }
        }
    }
    if (value.HasMember("require_level")) {
        const std::string levels_path = at(path, "require_level");
        const Value& levels = reader.object(value["require_level"], levels_path);
        for (auto it = levels.MemberBegin(); it != levels.MemberEnd(); ++it) {
            const std::string name(it->name.GetString(), it->name.GetStringLength());
            const std::string item_path = at(levels_path, name);
            const std::size_t found = comparisonByName(reader, config, name, item_path);
            const std::string label = reader.string(it->value, item_path);
            const auto& levels_of = config.comparisons[found].levels;
            int index = -1;
            for (std::size_t l = 0; l < levels_of.size(); ++l) {
                if (levels_of[l].label == label) {
                    index = static_cast<int>(l);
                }
            }
            if (index < 0) {
                reader.fail(item_path, "comparison \"" + name + "\" has no level \"" + label + "\"");
            }
            rule.require_level.emplace_back(found, index);
        }
    }
    return rule;
}

}  // namespace

std::size_t LinkageConfig::fieldIndex(std::string_view name) const {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].name == name) {
            return i;
        }
    }
    return std::string::npos;
}

LinkageConfig LinkageConfig::parse(std::string_view json, std::string_view origin) {
    const ConfigReader reader(origin);
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    if (document.HasParseError()) {
        throw GatewayError(ErrorCode::InvalidConfig, std::string(origin) + ": not valid JSON at byte " +
                                                         std::to_string(document.GetErrorOffset()) + ": " +
                                                         rapidjson::GetParseError_En(document.GetParseError()));
    }
    reader.object(document, "");
    reader.allowOnly(document, "",
                     {"description", "record", "fields", "comparisons", "groups", "blocking", "deterministic",
                      "thresholds", "constraints", "em", "max_block_size", "person_prefix"});
    LinkageConfig config;
    if (document.HasMember("record")) {
        const Value& record = reader.object(document["record"], "/record");
        reader.allowOnly(record, "/record", {"source", "id"});
        if (record.HasMember("source")) {
            config.source_pointer = reader.pointer(record["source"], "/record/source");
        }
        if (record.HasMember("id")) {
            config.id_pointer = reader.pointer(record["id"], "/record/id");
        }
    }
    if (!document.HasMember("fields")) {
        reader.fail("", "missing \"fields\"");
    }
    const Value& fields = reader.object(document["fields"], "/fields");
    for (auto it = fields.MemberBegin(); it != fields.MemberEnd(); ++it) {
        std::string name(it->name.GetString(), it->name.GetStringLength());
        config.fields.push_back(fieldSpec(reader, name, it->value, at("/fields", name)));
    }
    // Resolved once every field is known, so that the birth date may be declared after the ID.
    for (auto it = fields.MemberBegin(); it != fields.MemberEnd(); ++it) {
        if (!it->value.HasMember("birth_date")) {
            continue;
        }
        const std::string name(it->name.GetString(), it->name.GetStringLength());
        const std::string path = at(at("/fields", name), "birth_date");
        FieldSpec& spec = config.fields[config.fieldIndex(name)];
        if (spec.type != FieldType::CitizenId) {
            reader.fail(path, "\"birth_date\" applies to citizen_id fields only");
        }
        const std::string date_name = reader.string(it->value["birth_date"], path);
        const std::size_t date = config.fieldIndex(date_name);
        if (date == std::string::npos) {
            reader.fail(path, "unknown field \"" + date_name + "\"");
        }
        if (config.fields[date].type != FieldType::Date) {
            reader.fail(path, "field \"" + date_name + "\" is " + std::string(fieldTypeName(config.fields[date].type)) +
                                  ", not date");
        }
        spec.birth_date = date;
    }
    if (config.fields.empty()) {
        reader.fail("/fields", "declare at least one field");
    }
    if (!document.HasMember("comparisons")) {
        reader.fail("", "missing \"comparisons\"");
    }
    const Value& comparisons = reader.array(document["comparisons"], "/comparisons");
    for (rapidjson::SizeType i = 0; i < comparisons.Size(); ++i) {
        ComparisonSpec spec = comparisonSpec(reader, config, comparisons[i], at("/comparisons", i));
        for (const ComparisonSpec& other : config.comparisons) {
            if (other.name == spec.name) {
                reader.fail(at("/comparisons", i),
                            "a second comparison named \"" + spec.name + "\": give one of them a \"name\"");
            }
        }
        config.comparisons.push_back(std::move(spec));
    }
    if (config.comparisons.empty()) {
        reader.fail("/comparisons", "declare at least one comparison");
    }
    if (config.comparisons.size() > 16) {
        reader.fail("/comparisons", "at most 16 comparisons");
    }
    if (document.HasMember("groups")) {
        const Value& groups = reader.array(document["groups"], "/groups");
        std::vector<bool> grouped(config.comparisons.size(), false);
        for (rapidjson::SizeType i = 0; i < groups.Size(); ++i) {
            const std::string path = at("/groups", i);
            const Value& group = reader.object(groups[i], path);
            reader.allowOnly(group, path, {"name", "comparisons", "max_weight", "min_weight"});
            ComparisonGroup result;
            if (!group.HasMember("name") || !group.HasMember("comparisons")) {
                reader.fail(path, "a group needs \"name\" and \"comparisons\"");
            }
            result.name = reader.string(group["name"], at(path, "name"));
            const Value& list = reader.array(group["comparisons"], at(path, "comparisons"));
            for (rapidjson::SizeType j = 0; j < list.Size(); ++j) {
                const std::string item_path = at(at(path, "comparisons"), j);
                const std::string name = reader.string(list[j], item_path);
                const std::size_t found = comparisonByName(reader, config, name, item_path);
                if (grouped[found]) {
                    reader.fail(item_path, "comparison \"" + name + "\" is in another group already");
                }
                grouped[found] = true;
                result.comparisons.push_back(found);
            }
            if (group.HasMember("max_weight")) {
                result.max_weight = reader.number(group["max_weight"], at(path, "max_weight"));
            }
            if (group.HasMember("min_weight")) {
                result.min_weight = reader.number(group["min_weight"], at(path, "min_weight"));
            }
            if (result.min_weight > result.max_weight) {
                reader.fail(path, "min_weight exceeds max_weight");
            }
            config.groups.push_back(std::move(result));
        }
    }
    if (!document.HasMember("blocking")) {
        reader.fail("", "missing \"blocking\"");
    }
    const Value& blocking = reader.array(document["blocking"], "/blocking");
    for (rapidjson::SizeType i = 0; i < blocking.Size(); ++i) {
        config.blocking.push_back(blockingRule(reader, config, blocking[i], at("/blocking", i)));
    }
    if (config.blocking.empty()) {
        reader.fail("/blocking", "declare at least one blocking rule");
    }
    if (config.blocking.size() > 64) {
        reader.fail("/blocking", "at most 64 blocking rules");
    }
    if (document.HasMember("deterministic")) {
        const Value& rules = reader.array(document["deterministic"], "/deterministic");
        for (rapidjson::SizeType i = 0; i < rules.Size(); ++i) {
            config.deterministic.push_back(deterministicRule(reader, config, rules[i], at("/deterministic", i)));
        }
    }
    if (document.HasMember("thresholds")) {
        const Value& thresholds = reader.object(document["thresholds"], "/thresholds");
        reader.allowOnly(thresholds, "/thresholds", {"link", "review", "non_link"});
        if (thresholds.HasMember("link")) {
            config.thresholds.link = reader.number(thresholds["link"], "/thresholds/link");
        }
        if (thresholds.HasMember("review")) {
            config.thresholds.review = reader.number(thresholds["review"], "/thresholds/review");
        }
        if (thresholds.HasMember("non_link")) {
            config.thresholds.non_link = reader.number(thresholds["non_link"], "/thresholds/non_link");
        }
        if (config.thresholds.review > config.thresholds.link) {
            reader.fail("/thresholds", "review must not exceed link");
        }
        if (config.thresholds.non_link > config.thresholds.review) {
            reader.fail("/thresholds", "non_link must not exceed review");
        }
    }
    if (document.HasMember("constraints")) {
        const Value& constraints = reader.object(document["constraints"], "/constraints");
        reader.allowOnly(constraints, "/constraints",
                         {"across_sources_only", "one_per_source", "distinct_within_source", "ambiguity_margin"});
        if (constraints.HasMember("across_sources_only")) {
            config.across_sources_only =
                reader.boolean(constraints["across_sources_only"], "/constraints/across_sources_only");
        }
        if (constraints.HasMember("one_per_source")) {
            config.one_per_source = reader.boolean(constraints["one_per_source"], "/constraints/one_per_source");
        }
        if (constraints.HasMember("ambiguity_margin")) {
            config.ambiguity_margin = reader.number(constraints["ambiguity_margin"], "/constraints/ambiguity_margin");
        }
        if (constraints.HasMember("distinct_within_source")) {
            config.distinct_within_source =
                fieldList(reader, config, constraints["distinct_within_source"], "/constraints/distinct_within_source");
        }
    }
    if (document.HasMember("em")) {
        const Value& em = reader.object(document["em"], "/em");
        reader.allowOnly(em, "/em", {"max_pairs", "max_iterations", "tolerance", "u_sample_pairs", "seed", "min_m"});
        if (em.HasMember("min_m")) {
            config.em.min_m = reader.number(em["min_m"], "/em/min_m");
            if (!(config.em.min_m > 0 && config.em.min_m < 0.5)) {
                reader.fail("/em/min_m", "expected a probability between 0 and 0.5");
            }
        }
        if (em.HasMember("max_pairs")) {
            config.em.max_pairs = reader.count(em["max_pairs"], "/em/max_pairs");
        }
        if (em.HasMember("max_iterations")) {
            config.em.max_iterations = static_cast<int>(reader.count(em["max_iterations"], "/em/max_iterations"));
        }
        if (em.HasMember("tolerance")) {
            config.em.tolerance = reader.number(em["tolerance"], "/em/tolerance");
            if (!(config.em.tolerance > 0)) {
                reader.fail("/em/tolerance", "expected a positive number");
            }
        }
        if (em.HasMember("u_sample_pairs")) {
            config.em.u_sample_pairs = reader.count(em["u_sample_pairs"], "/em/u_sample_pairs");
        }
        if (em.HasMember("seed")) {
            if (!em["seed"].IsUint64()) {
                reader.fail("/em/seed", "expected a whole number from 0");
            }
            config.em.seed = em["seed"].GetUint64();
        }
    }
    if (document.HasMember("max_block_size")) {
        config.max_block_size = reader.count(document["max_block_size"], "/max_block_size");
    }
    if (document.HasMember("person_prefix")) {
        config.person_prefix = reader.string(document["person_prefix"], "/person_prefix");
    }
    return config;
}

LinkageConfig LinkageConfig::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw GatewayError(ErrorCode::InvalidConfig, path + ": cannot read the linkage configuration");
    }
    std::ostringstream text;
    text << in.rdbuf();
    return parse(text.str(), path);
}

LinkageConfig LinkageConfig::builtinChild() {
    for (const auto& [name, text] : resources::linkageEntries()) {
        if (name == "child.json") {
            return parse(text, "built-in config/linkage/child.json");
        }
    }
    throw GatewayError(ErrorCode::Internal, "the built-in linkage configuration is missing");
}

std::string_view fieldTypeName(FieldType type) {
    switch (type) {
        case FieldType::Text:
            return "text";
        case FieldType::CitizenId:
            return "citizen_id";
        case FieldType::Date:
            return "date";
        case FieldType::ChineseName:
            return "chinese_name";
        case FieldType::Division:
            return "division";
    }
    return "text";
}

}  // namespace gateway::linkage
