#include "gateway/profile/assembly.h"

#include "gateway/common/json_config.h"

#include <algorithm>
#include <initializer_list>
#include <set>

namespace gateway::profile {

namespace {

/// What the builder writes itself: an assembly that wrote there would be overwritten or would clash.
const std::set<std::string>& reservedMembers() {
    static const std::set<std::string> names = {"person_id",       "as_of",  "records", "conflicts", "age",
                                                "classifications", "alerts", "removed", "reason"};
    return names;
}

class Reader {
public:
    explicit Reader(std::string_view origin) : origin_(origin) {}

    [[noreturn]] void fail(const std::string& where, const std::string& what) const {
        configFail(origin_, where, what);
    }

    void onlyKeys(const rapidjson::Value& object, const std::string& where,
                  std::initializer_list<std::string_view> keys) const {
        configOnlyKeys(object, keys, origin_, where);
    }

    std::string text(const rapidjson::Value& object, const char* key, const std::string& where, bool required) const {
        return configString(object, key, origin_, where, required);
    }

    std::vector<std::string> texts(const rapidjson::Value& object, const char* key, const std::string& where) const {
        return object.HasMember(key) ? configStrings(object[key], origin_, where + "/" + key)
                                     : std::vector<std::string>();
    }

    rapidjson::Pointer pointer(const std::string& text, const std::string& where) const {
        rapidjson::Pointer compiled(text.c_str(), text.size());
        if (text.empty() || text[0] != '/' || !compiled.IsValid()) {
            fail(where, "\"" + text + "\" is not a JSON pointer");
        }
        return compiled;
    }

    /// A profile pointer to write at: valid, and not one of the members the builder writes itself.
    std::string into(const rapidjson::Value& object, const std::string& where) const {
        const std::string text = this->text(object, "into", where, true);
        pointer(text, where + "/into");
        const std::size_t end = text.find('/', 1);
        const std::string top = text.substr(1, end == std::string::npos ? std::string::npos : end - 1);
        if (reservedMembers().count(top) > 0) {
            fail(where + "/into", "\"" + top + "\" is written by the profile builder itself");
        }
        return text;
    }

    ValueCheck check(const rapidjson::Value& object, const std::string& where) const {
        const std::string name = text(object, "check", where, false);
        if (name.empty()) {
            return ValueCheck::None;
        }
        if (name == "name") {
            return ValueCheck::Name;
        }
        if (name == "date") {
            return ValueCheck::Date;
        }
        if (name == "citizen_id") {
            return ValueCheck::CitizenId;
        }
        fail(where + "/check", "unknown check \"" + name + "\" (expected name, date or citizen_id)");
    }

private:
    std::string_view origin_;
};

AssemblyField readField(const Reader& reader, const rapidjson::Value& object, const std::string& where) {
    reader.onlyKeys(object, where, {"into", "from", "check", "type"});
    AssemblyField field;
    field.into = reader.into(object, where);
    field.check = reader.check(object, where);
    const std::string type = reader.text(object, "type", where, false);
    if (!type.empty() && type != "text" && type != "any") {
        reader.fail(where + "/type", "expected text or any");
    }
    field.any_type = type == "any";
    if (!object.HasMember("from") || !object["from"].IsArray() || object["from"].Empty()) {
        reader.fail(where + "/from", "expected a list of record pointers");
    }
    const rapidjson::Value& from = object["from"];
    for (rapidjson::SizeType i = 0; i < from.Size(); ++i) {
        const std::string at = where + "/from/" + std::to_string(i);
        ValueSource source;
        if (from[i].IsString()) {
            source.from = reader.pointer(from[i].GetString(), at);
        } else {
            reader.onlyKeys(from[i], at, {"pointer", "strip_prefix"});
            source.from = reader.pointer(reader.text(from[i], "pointer", at, true), at + "/pointer");
            source.strip_prefix = reader.text(from[i], "strip_prefix", at, true);
        }
        field.from.push_back(std::move(source));
    }
    return field;
}

AssemblyFamily readFamily(const Reader& reader, const rapidjson::Value& object, const std::string& where) {
    reader.onlyKeys(object, where,
                    {"name", "kind", "from", "into", "key", "keys", "members", "stale", "keep", "where", "days_since"});
    AssemblyFamily family;
    family.name = reader.text(object, "name", where, true);
    family.from = reader.pointer(reader.text(object, "from", where, true), where + "/from");
    family.into = reader.into(object, where);
    const std::string kind = reader.text(object, "kind", where, true);
    const auto only = [&](std::initializer_list<const char*> allowed) {
        for (const char* key : {"key", "keys", "members", "stale", "keep", "where", "days_since"}) {
            if (object.HasMember(key) &&
                std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return std::string(a) == key; })) {
                reader.fail(where + "/" + key, "not for a " + kind + " family");
            }
        }
    };
    if (kind == "survivor") {
        family.kind = FamilyKind::Survivor;
        only({});
    } else if (kind == "keyed") {
        family.kind = FamilyKind::Keyed;
        only({"key", "keys", "members"});
        family.key = reader.text(object, "key", where, true);
        family.keys = reader.texts(object, "keys", where);
        if (family.keys.empty()) {
            reader.fail(where + "/keys", "name the keys that become fields");
        }
        if (!object.HasMember("members") || !object["members"].IsObject() || object["members"].ObjectEmpty()) {
            reader.fail(where + "/members", "expected an object of members, each {} or {\"check\": …}");
        }
        const rapidjson::Value& members = object["members"];
        for (auto it = members.MemberBegin(); it != members.MemberEnd(); ++it) {
            const std::string at = where + "/members/" + it->name.GetString();
            reader.onlyKeys(it->value, at, {"check"});
            family.members.push_back({it->name.GetString(), reader.check(it->value, at)});
        }
    } else if (kind == "latest") {
        family.kind = FamilyKind::Latest;
        only({"stale"});
        if (object.HasMember("stale")) {
            reader.onlyKeys(object["stale"], where + "/stale", {"member", "is"});
            family.stale_member = reader.text(object["stale"], "member", where + "/stale", true);
            family.stale_value = reader.text(object["stale"], "is", where + "/stale", true);
        }
    } else if (kind == "history") {
        family.kind = FamilyKind::History;
        only({"keep", "where", "days_since"});
        family.keep = reader.texts(object, "keep", where);
        if (object.HasMember("where")) {
            reader.onlyKeys(object["where"], where + "/where", {"member", "not_in"});
            family.where_member = reader.text(object["where"], "member", where + "/where", true);
            family.where_not_in = reader.texts(object["where"], "not_in", where + "/where");
        }
        if (object.HasMember("days_since")) {
            const rapidjson::Value& days = object["days_since"];
            if (!days.IsObject() || days.MemberCount() != 1 || !days.MemberBegin()->value.IsString()) {
                reader.fail(where + "/days_since", "expected {\"NAME\": \"DATE MEMBER\"}");
            }
            family.days_name = days.MemberBegin()->name.GetString();
            family.days_member = days.MemberBegin()->value.GetString();
        }
    } else {
        reader.fail(where + "/kind", "unknown kind \"" + kind + "\" (expected survivor, keyed, latest or history)");
    }
    return family;
}

}  // namespace

Assembly Assembly::parse(std::string_view json, std::string_view origin) {
    const Reader reader(origin);
    const rapidjson::Document document = parseConfigJson(json, origin);
    reader.onlyKeys(document, "", {"description", "register", "fields", "families"});
    Assembly assembly;
    if (document.HasMember("register")) {
        const rapidjson::Value& reg = document["register"];
        reader.onlyKeys(reg, "/register", {"source", "into"});
        assembly.register_source = reader.text(reg, "source", "/register", true);
        assembly.register_into = reader.into(reg, "/register");
    }
    std::set<std::string> written;
    const auto claim = [&](const std::string& into, const std::string& where) {
        if (!written.insert(into).second) {
            reader.fail(where + "/into", "\"" + into + "\" is written twice");
        }
    };
    if (document.HasMember("fields")) {
        if (!document["fields"].IsArray()) {
            reader.fail("/fields", "expected a list of fields");
        }
        const rapidjson::Value& fields = document["fields"];
        for (rapidjson::SizeType i = 0; i < fields.Size(); ++i) {
            const std::string where = "/fields/" + std::to_string(i);
            assembly.fields.push_back(readField(reader, fields[i], where));
            claim(assembly.fields.back().into, where);
        }
    }
    if (document.HasMember("families")) {
        if (!document["families"].IsArray()) {
            reader.fail("/families", "expected a list of families");
        }
        const rapidjson::Value& families = document["families"];
        std::set<std::string> names;
        for (rapidjson::SizeType i = 0; i < families.Size(); ++i) {
            const std::string where = "/families/" + std::to_string(i);
            assembly.families.push_back(readFamily(reader, families[i], where));
            if (!names.insert(assembly.families.back().name).second) {
                reader.fail(where + "/name", "\"" + assembly.families.back().name + "\" names two families");
            }
            claim(assembly.families.back().into, where);
        }
    }
    return assembly;
}

}  // namespace gateway::profile
