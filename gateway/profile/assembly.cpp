#include "gateway/profile/assembly.h"

#include "gateway/common/config_tree.h"

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

/// A string member: "" when absent and not required.
std::string text(const ObjectReader& object, std::string_view key, bool required) {
    if (required) {
        return object.require(key).asString();
    }
    const auto found = object.get(key);
    return found ? found->asString() : std::string();
}

std::vector<std::string> texts(const ObjectReader& object, std::string_view key) {
    const auto found = object.get(key);
    return found ? found->asStrings() : std::vector<std::string>();
}

rapidjson::Pointer pointer(const std::string& text, const ConfigCursor& at) {
    rapidjson::Pointer compiled(text.c_str(), text.size());
    if (text.empty() || text[0] != '/' || !compiled.IsValid()) {
        at.fail("\"" + text + "\" is not a JSON pointer");
    }
    return compiled;
}

/// A profile pointer to write at: valid, and not one of the members the builder writes itself.
std::string into(const ObjectReader& object) {
    const ConfigCursor at = object.require("into");
    const std::string& text = at.asString();
    pointer(text, at);
    const std::size_t end = text.find('/', 1);
    const std::string top = text.substr(1, end == std::string::npos ? std::string::npos : end - 1);
    if (reservedMembers().count(top) > 0) {
        at.fail("\"" + top + "\" is written by the profile builder itself");
    }
    return text;
}

ValueCheck check(const ObjectReader& object) {
    const auto at = object.get("check");
    if (!at) {
        return ValueCheck::None;
    }
    const std::string& name = at->asString();
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
    at->fail("unknown check \"" + name + "\" (expected name, date or citizen_id)");
}

AssemblyField readField(const ConfigCursor& cursor) {
    const ObjectReader object(cursor, {"into", "from", "check", "type"});
    AssemblyField field;
    field.into = into(object);
    field.check = check(object);
    if (const auto type = object.get("type")) {
        const std::string& name = type->asString();
        if (!name.empty() && name != "text" && name != "any") {
            type->fail("expected text or any");
        }
        field.any_type = name == "any";
    }
    const auto from = object.get("from");
    if (!from || !from->node().isArray() || from->node().elements.empty()) {
        cursor.failAt("from", "expected a list of record pointers");
    }
    for (std::size_t i = 0; i < from->node().elements.size(); ++i) {
        const ConfigCursor item = from->element(i);
        ValueSource source;
        if (item.node().isString()) {
            source.from = pointer(item.node().text, item);
        } else {
            const ObjectReader reader(item, {"pointer", "strip_prefix"});
            const ConfigCursor at = reader.require("pointer");
            source.from = pointer(at.asString(), at);
            source.strip_prefix = reader.require("strip_prefix").asString();
        }
        field.from.push_back(std::move(source));
    }
    return field;
}

AssemblyFamily readFamily(const ConfigCursor& cursor) {
    const ObjectReader object(
        cursor, {"name", "kind", "from", "into", "key", "keys", "members", "stale", "keep", "where", "days_since"});
    AssemblyFamily family;
    family.name = text(object, "name", true);
    const ConfigCursor from = object.require("from");
    family.from = pointer(from.asString(), from);
    family.into = into(object);
    const std::string kind = text(object, "kind", true);
    const auto only = [&](std::initializer_list<std::string_view> allowed) {
        for (const std::string_view key : {"key", "keys", "members", "stale", "keep", "where", "days_since"}) {
            const auto present = object.get(key);
            if (present && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
                present->fail("not for a " + kind + " family");
            }
        }
    };
    if (kind == "survivor") {
        family.kind = FamilyKind::Survivor;
        only({});
    } else if (kind == "keyed") {
        family.kind = FamilyKind::Keyed;
        only({"key", "keys", "members"});
        family.key = text(object, "key", true);
        family.keys = texts(object, "keys");
        if (family.keys.empty()) {
            cursor.failAt("keys", "name the keys that become fields");
        }
        const auto members = object.get("members");
        if (!members || !members->node().isObject() || members->node().members.empty()) {
            cursor.failAt("members", "expected an object of members, each {} or {\"check\": …}");
        }
        for (const ConfigMember& member : members->node().members) {
            family.members.push_back({member.key, check(ObjectReader(members->member(member), {"check"}))});
        }
    } else if (kind == "latest") {
        family.kind = FamilyKind::Latest;
        only({"stale"});
        if (const auto stale_at = object.get("stale")) {
            const ObjectReader stale(*stale_at, {"member", "is"});
            family.stale_member = text(stale, "member", true);
            family.stale_value = text(stale, "is", true);
        }
    } else if (kind == "history") {
        family.kind = FamilyKind::History;
        only({"keep", "where", "days_since"});
        family.keep = texts(object, "keep");
        if (const auto where_at = object.get("where")) {
            const ObjectReader where(*where_at, {"member", "not_in"});
            family.where_member = text(where, "member", true);
            family.where_not_in = texts(where, "not_in");
        }
        if (const auto days = object.get("days_since")) {
            const ConfigNode& node = days->node();
            if (!node.isObject() || node.members.size() != 1 || !node.members.front().value.isString()) {
                days->fail("expected {\"NAME\": \"DATE MEMBER\"}");
            }
            family.days_name = node.members.front().key;
            family.days_member = node.members.front().value.text;
        }
    } else {
        object.require("kind").fail("unknown kind \"" + kind + "\" (expected survivor, keyed, latest or history)");
    }
    return family;
}

}  // namespace

Assembly Assembly::parse(std::string_view json, std::string_view origin) {
    const auto document = ConfigDocument::parse(std::string(json), std::string(origin));
    const ObjectReader reader(ConfigCursor::root(*document), {"description", "register", "fields", "families"});
    Assembly assembly;
    if (const auto reg_at = reader.get("register")) {
        const ObjectReader reg(*reg_at, {"source", "into"});
        assembly.register_source = text(reg, "source", true);
        assembly.register_into = into(reg);
    }
    std::set<std::string> written;
    const auto claim = [&](const std::string& into, const ConfigCursor& item) {
        if (!written.insert(into).second) {
            item.find("into")->fail("\"" + into + "\" is written twice");
        }
    };
    if (const auto fields = reader.get("fields")) {
        if (!fields->node().isArray()) {
            fields->fail("expected a list of fields");
        }
        for (std::size_t i = 0; i < fields->node().elements.size(); ++i) {
            const ConfigCursor item = fields->element(i);
            assembly.fields.push_back(readField(item));
            claim(assembly.fields.back().into, item);
        }
    }
    if (const auto families = reader.get("families")) {
        if (!families->node().isArray()) {
            families->fail("expected a list of families");
        }
        std::set<std::string> names;
        for (std::size_t i = 0; i < families->node().elements.size(); ++i) {
            const ConfigCursor item = families->element(i);
            assembly.families.push_back(readFamily(item));
            if (!names.insert(assembly.families.back().name).second) {
                item.find("name")->fail("\"" + assembly.families.back().name + "\" names two families");
            }
            claim(assembly.families.back().into, item);
        }
    }
    return assembly;
}

}  // namespace gateway::profile
