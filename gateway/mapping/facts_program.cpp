#include "gateway/mapping/facts_program.h"

#include <algorithm>

namespace gateway::mapping {
namespace {

bool isFactKey(std::string_view segment) {
    return !segment.empty() && std::all_of(segment.begin(), segment.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::vector<std::string_view> splitPath(const ConfigCursor& where, std::string_view path, std::string_view shown) {
    std::vector<std::string_view> segments;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = path.find('.', start);
        const std::string_view segment = path.substr(start, dot == std::string_view::npos ? dot : dot - start);
        if (!isFactKey(segment)) {
            where.fail("bad target " + singleQuoted(shown) +
                       ": each part of a facts path is letters, digits and '_', separated by '.'");
        }
        segments.push_back(segment);
        if (dot == std::string_view::npos) {
            return segments;
        }
        start = dot + 1;
    }
}

/// An array target is told from a field by its "each" key.
bool isArraySpec(const ConfigNode& spec) {
    return spec.isObject() && std::any_of(spec.members.begin(), spec.members.end(),
                                          [](const ConfigMember& member) { return member.key == "each"; });
}

FactNode makeNode(std::string_view key) {
    FactNode node;
    node.key.assign(key);
    node.json_key.clear();
    appendJsonString(node.json_key, key);
    node.json_key.push_back(':');
    return node;
}

/// Finds or creates the node at `segments` under `nodes`; fails when a value is in the way.
FactNode& place(std::vector<FactNode>& nodes, const std::vector<std::string_view>& segments, const ConfigCursor& where,
                std::string_view prefix) {
    std::vector<FactNode>* level = &nodes;
    std::string walked(prefix);
    for (std::size_t i = 0; i < segments.size(); ++i) {
        walked += (walked.empty() ? "" : ".") + std::string(segments[i]);
        auto it = std::find_if(level->begin(), level->end(), [&](const FactNode& n) { return n.key == segments[i]; });
        const bool last = i + 1 == segments.size();
        if (it == level->end()) {
            level->push_back(makeNode(segments[i]));
            it = level->end() - 1;
        } else if (last) {
            where.fail("target " + singleQuoted(walked) + " is already an object of other facts targets");
        } else if (it->leaf || it->array) {
            where.fail("target " + singleQuoted(walked) + " is already a value, so it cannot hold other facts");
        }
        if (last) {
            return *it;
        }
        level = &it->children;
    }
    return level->back();  // not reached: segments is never empty
}

void appendValue(std::string& out, const Value& value) {
    if (value.kind == ValueKind::Text) {
        appendJsonString(out, value.text);
    } else {
        out += value.text;
    }
}

bool writeObject(const std::vector<FactNode>& nodes, const rapidjson::Value& scope, const ElementRef* element,
                 const RuntimeContext& runtime, Report& report, std::string& out);

bool writeArray(const FactArray& array, const rapidjson::Value& scope, const RuntimeContext& runtime, Report& report,
                std::string& out) {
    const rapidjson::Value* items = nullptr;
    const JsonPointer::Lookup lookup = array.each.resolve(scope, items);
    if (lookup == JsonPointer::Lookup::Missing || (lookup == JsonPointer::Lookup::Found && items->IsNull())) {
        return false;
    }
    if (lookup == JsonPointer::Lookup::Ambiguous || !items->IsArray()) {
        const std::string problem = lookup == JsonPointer::Lookup::Ambiguous
                                        ? "the row has this member more than once"
                                        : std::string("expected an array, got ") + (items->IsObject()   ? "an object"
                                                                                    : items->IsString() ? "a string"
                                                                                                        : "a scalar");
        const std::string label = array.target + " (" + array.each.text() + "): " + problem;
        if (array.on_error == ErrorPolicy::Quarantine) {
            report.errors.push_back(label);
        } else {
            report.warnings.push_back(label + "; value dropped");
        }
        return false;
    }
    out.push_back('[');
    bool any = false;
    for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
        const ElementRef element{array.target, array.each.text(), i};
        const std::size_t mark = out.size();
        if (any) {
            out.push_back(',');
        }
        out.push_back('{');
        if (writeObject(array.item, (*items)[i], &element, runtime, report, out)) {
            out.push_back('}');
            any = true;
        } else {
            out.resize(mark);
        }
    }
    if (!any) {
        return false;
    }
    out.push_back(']');
    return true;
}

bool writeObject(const std::vector<FactNode>& nodes, const rapidjson::Value& scope, const ElementRef* element,
                 const RuntimeContext& runtime, Report& report, std::string& out) {
    bool any = false;
    Value value;
    for (const FactNode& node : nodes) {
        const std::size_t mark = out.size();
        if (any) {
            out.push_back(',');
        }
        out += node.json_key;
        bool wrote = false;
        if (node.leaf) {
            evaluateField(*node.leaf, scope, element, runtime, report, value);
            if (!value.empty()) {
                appendValue(out, value);
                wrote = true;
            }
        } else if (node.array) {
            wrote = writeArray(*node.array, scope, runtime, report, out);
        } else {
            out.push_back('{');
            wrote = writeObject(node.children, scope, element, runtime, report, out);
            if (wrote) {
                out.push_back('}');
            }
        }
        if (wrote) {
            any = true;
        } else {
            out.resize(mark);
        }
    }
    return any;
}

}  // namespace

void FactsProgram::add(const ConfigCursor& spec, std::string_view path, CompileContext& context) {
    const std::string target = "facts." + std::string(path);
    const std::vector<std::string_view> segments = splitPath(spec, path, target);
    FactNode& node = place(root_, segments, spec, "facts");
    if (!isArraySpec(spec.node())) {
        node.leaf = compileField(spec, target, TargetCheck::None, "", context);
        return;
    }
    const ObjectReader reader(spec, {"each", "fields", "on_error", "note"});
    auto array = std::make_unique<FactArray>();
    array->target = target;
    std::string error;
    auto each = JsonPointer::parse(reader.require("each").asString(), error);
    if (!each) {
        reader.require("each").fail(error);
    }
    array->each = std::move(*each);
    array->on_error = readErrorPolicy(reader);
    const ConfigCursor fields = reader.require("fields");
    fields.expectObject();
    if (fields.node().members.empty()) {
        fields.fail("an array item needs at least one field");
    }
    for (const ConfigMember& member : fields.node().members) {
        const ConfigCursor item_spec = fields.member(member);
        const std::vector<std::string_view> item_segments = splitPath(item_spec, member.key, member.key);
        if (isArraySpec(item_spec.node())) {
            item_spec.fail("arrays inside array items are not supported");
        }
        FactNode& item_node = place(array->item, item_segments, item_spec, "");
        item_node.leaf = compileField(item_spec, member.key, TargetCheck::None, "", context);
    }
    node.array = std::move(array);
}

void FactsProgram::write(const rapidjson::Value& row, const RuntimeContext& runtime, Report& report,
                         std::string& out) const {
    out.assign("{");
    writeObject(root_, row, nullptr, runtime, report, out);
    out.push_back('}');
}

void appendJsonString(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (byte < 0x20) {
            switch (c) {
                case '\n':
                    out += "\\n";
                    break;
                case '\r':
                    out += "\\r";
                    break;
                case '\t':
                    out += "\\t";
                    break;
                default:
                    out += "\\u00";
                    out.push_back(kHex[byte >> 4]);
                    out.push_back(kHex[byte & 0xF]);
            }
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

}  // namespace gateway::mapping
