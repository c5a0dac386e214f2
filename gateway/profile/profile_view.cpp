#include "gateway/profile/profile_view.h"

#include "gateway/common/config_tree.h"
#include "gateway/common/error.h"
#include "gateway/common/redact.h"
#include "gateway/common/utf8.h"
#include "gateway/profile/config_files.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace gateway::profile {

namespace {

using Value = rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;
using Path = std::vector<std::string>;

Path splitPattern(const std::string& pattern) {
    Path segments;
    std::size_t start = 1;
    while (start <= pattern.size()) {
        const std::size_t slash = pattern.find('/', start);
        const std::size_t end = slash == std::string::npos ? pattern.size() : slash;
        segments.push_back(pattern.substr(start, end - start));
        start = end + 1;
    }
    return segments;
}

/// Whether `path` matches `pattern` from the given positions; with `prefix_only`, whether some longer path that
/// starts with `path` could match.
bool matches(const Path& pattern, std::size_t i, const Path& path, std::size_t j, bool prefix_only) {
    if (i == pattern.size()) {
        return !prefix_only && j == path.size();
    }
    if (j == path.size()) {
        return prefix_only || (pattern[i] == "**" && matches(pattern, i + 1, path, j, false));
    }
    if (pattern[i] == "**") {
        return matches(pattern, i + 1, path, j, prefix_only) || matches(pattern, i, path, j + 1, prefix_only);
    }
    return (pattern[i] == "*" || pattern[i] == path[j]) && matches(pattern, i + 1, path, j + 1, prefix_only);
}

bool anyMatches(const std::vector<Path>& patterns, const Path& path, bool prefix_only) {
    for (const Path& pattern : patterns) {
        if (matches(pattern, 0, path, 0, prefix_only)) {
            return true;
        }
    }
    return false;
}

struct CompiledView {
    std::vector<Path> include;
    std::vector<Path> drop;
    std::vector<std::pair<Path, MaskKind>> mask;
};

/// The included part of `node` at `path`, or null when nothing of it is included. `included` says that an include
/// pattern matched `path` or a path above it.
Value select(const Value& node, Path& path, const CompiledView& view, Allocator& allocator, bool included) {
    if (anyMatches(view.drop, path, false)) {
        return Value();
    }
    const bool whole = included || anyMatches(view.include, path, false);
    if (node.IsObject()) {
        if (!whole && !anyMatches(view.include, path, true)) {
            return Value();
        }
        Value out(rapidjson::kObjectType);
        for (auto it = node.MemberBegin(); it != node.MemberEnd(); ++it) {
            path.emplace_back(it->name.GetString(), it->name.GetStringLength());
            Value child = whole && view.drop.empty() && view.mask.empty()
                              ? Value(it->value, allocator)
                              : select(it->value, path, view, allocator, whole);
            path.pop_back();
            if (!child.IsNull() || (whole && it->value.IsNull())) {
                out.AddMember(Value(it->name, allocator), child, allocator);
            }
        }
        return whole || out.MemberCount() > 0 ? std::move(out) : Value();
    }
    if (node.IsArray()) {
        if (!whole && !anyMatches(view.include, path, true)) {
            return Value();
        }
        Value out(rapidjson::kArrayType);
        for (rapidjson::SizeType i = 0; i < node.Size(); ++i) {
            path.push_back(std::to_string(i));
            Value child = select(node[i], path, view, allocator, whole);
            path.pop_back();
            if (!child.IsNull()) {
                out.PushBack(child, allocator);
            }
        }
        return whole || out.Size() > 0 ? std::move(out) : Value();
    }
    if (!whole) {
        return Value();
    }
    for (const auto& [pattern, kind] : view.mask) {
        if (node.IsString() && matches(pattern, 0, path, 0, false)) {
            const std::string masked = maskValue(std::string_view(node.GetString(), node.GetStringLength()), kind);
            return Value(masked.c_str(), static_cast<rapidjson::SizeType>(masked.size()), allocator);
        }
    }
    return Value(node, allocator);
}

std::vector<std::string> patternList(const ObjectReader& spec, std::string_view key) {
    std::vector<std::string> result;
    const auto list = spec.get(key);
    if (!list) {
        return result;
    }
    if (!list->node().isArray()) {
        list->fail("expected an array of JSON pointers");
    }
    for (std::size_t i = 0; i < list->node().elements.size(); ++i) {
        const ConfigNode& item = list->node().elements[i];
        if (!item.isString() || item.text.empty() || item.text[0] != '/') {
            list->element(i).fail("expected a JSON pointer such as /identity");
        }
        result.push_back(item.text);
    }
    return result;
}

}  // namespace

std::string maskValue(std::string_view value, MaskKind kind) {
    if (kind == MaskKind::Redact) {
        // A profile's values are never person IDs or hashes, and a record number such as G + an ID is the ID.
        return redactPersonalNumbers(value, true);
    }
    return value.empty() ? std::string() : std::string("***");
}

std::string ProfileView::apply(std::string_view profile_json) const {
    if (drop.empty() && mask.empty() && include.size() == 1 && include.front() == "/**") {
        return std::string(profile_json);  // the whole profile: nothing to parse
    }
    rapidjson::Document source;
    source.Parse(profile_json.data(), profile_json.size());
    if (source.HasParseError() || !source.IsObject()) {
        throw GatewayError(ErrorCode::Internal, "a stored profile is not a JSON object");
    }
    CompiledView compiled;
    for (const std::string& pattern : include) {
        compiled.include.push_back(splitPattern(pattern));
    }
    for (const std::string& pattern : drop) {
        compiled.drop.push_back(splitPattern(pattern));
    }
    for (const auto& [pattern, kind] : mask) {
        compiled.mask.emplace_back(splitPattern(pattern), kind);
    }
    rapidjson::Document out;
    Path path;
    Value selected = select(source, path, compiled, out.GetAllocator(), false);
    if (selected.IsNull()) {
        selected.SetObject();
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    selected.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

ProfileViews ProfileViews::parse(std::string_view json, std::string_view origin) {
    const auto document = ConfigDocument::parse(std::string(json), std::string(origin));
    const ConfigCursor root = ConfigCursor::root(*document);
    const ObjectReader known(root, {"description", "views"});  // a mistyped key is an error, not ignored
    const auto views = root.find("views");
    if (!views || !views->node().isObject()) {
        const ConfigCursor& at = views ? *views : root;
        document->fail(at.offset(), "/views", "expected an object of views by name");
    }
    ProfileViews result;
    for (const ConfigMember& member : views->node().members) {
        ProfileView view;
        view.name = member.key;
        const ObjectReader spec(views->member(member), {"description", "profiles", "include", "mask", "drop"});
        if (const auto description = spec.get("description"); description && description->node().isString()) {
            view.description = description->node().text;
        }
        if (const auto profiles = spec.get("profiles")) {
            view.profiles = profiles->asBoolean();
        }
        view.include = patternList(spec, "include");
        view.drop = patternList(spec, "drop");
        if (const auto mask = spec.get("mask")) {
            if (!mask->node().isObject()) {
                mask->fail("expected an object of JSON pointer → withheld or redact");
            }
            for (const ConfigMember& entry : mask->node().members) {
                const std::string& pointer = entry.key;
                const std::string kind = entry.value.isString() ? entry.value.text : "";
                if (pointer.empty() || pointer[0] != '/') {
                    mask->member(entry).fail("key " + utf8::quote(pointer) + " is not a JSON pointer");
                }
                // "id_number", "phone" and "hidden" are the names earlier views files used; each now withholds the
                // whole value, since their partial masks gave the value away.
                if (kind == "withheld" || kind == "id_number" || kind == "phone" || kind == "hidden") {
                    view.mask[pointer] = MaskKind::Withheld;
                } else if (kind == "redact") {
                    view.mask[pointer] = MaskKind::Redact;
                } else {
                    mask->member(entry).fail("expected withheld or redact");
                }
            }
        }
        if (!view.profiles && !view.include.empty()) {
            spec.get("include")->fail("a statistics-only view (profiles: false) includes nothing");
        }
        result.views_.emplace(view.name, std::move(view));
    }
    if (result.views_.empty()) {
        views->fail("no view is defined");
    }
    return result;
}

ProfileViews ProfileViews::builtin() {
    return parse(builtinConfigFile("views.json"), "built-in views.json");
}

ProfileViews ProfileViews::load(const std::string& dir) {
    const std::string path = dir + "/views.json";
    return parse(readConfigFile(path), path);
}

const ProfileView* ProfileViews::find(std::string_view name) const {
    const auto it = views_.find(name);
    return it == views_.end() ? nullptr : &it->second;
}

std::vector<std::string> ProfileViews::names() const {
    std::vector<std::string> result;
    for (const auto& [name, view] : views_) {
        result.push_back(name);
    }
    return result;
}

}  // namespace gateway::profile
