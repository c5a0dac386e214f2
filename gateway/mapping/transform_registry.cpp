#include "gateway/mapping/transform_factories.h"

#include <algorithm>

namespace gateway::mapping {
namespace {

struct TransformSpec {
    std::string_view name;
    /// The option a scalar argument stands for ({"lookup": "t"} is {"lookup": {"table": "t"}}); empty when the
    /// transform has none.
    std::string_view shorthand;
    std::vector<std::string_view> keys;
    TransformFactory compile;
};

const std::vector<TransformSpec>& specs() {
    static const std::vector<TransformSpec> kSpecs = {
        {"trim", "", {}, compileTrim},
        {"half_width", "", {}, compileHalfWidth},
        {"upper", "", {}, compileUpper},
        {"lower", "", {}, compileLower},
        {"remove_spaces", "", {}, compileRemoveSpaces},
        {"strip_prefix", "prefix", {"prefix", "otherwise"}, compileStripPrefix},
        {"default", "value", {"value"}, compileDefault},
        {"concat", "parts", {"parts", "separator"}, compileConcat},
        {"regex_extract", "pattern", {"pattern", "group", "on_no_match"}, compileRegexExtract},
        {"blank_if_match", "pattern", {"pattern", "warning"}, compileBlankIfMatch},
        {"date", "", {}, compileDate},
        {"datetime", "", {"zone"}, compileDatetime},
        {"citizen_id", "", {"on_bad_check_digit", "warn_upgraded", "birth_date", "output"}, compileCitizenId},
        {"sex", "", {}, compileSex},
        {"ethnicity", "", {}, compileEthnicity},
        {"name", "", {}, compileName},
        {"division", "", {}, compileDivision},
        {"division_lookup", "scope", {"scope", "level"}, compileDivisionLookup},
        {"lookup", "table", {"table", "on_missing", "default"}, compileLookup},
        {"number", "", {"integer"}, compileNumber},
        {"boolean", "", {"true", "false"}, compileBoolean},
    };
    return kSpecs;
}

}  // namespace

TransformOptions::TransformOptions(const ConfigCursor& spec, std::optional<ConfigCursor> argument,
                                   std::string_view shorthand, const std::vector<std::string_view>& keys)
    : spec_(spec), argument_(std::move(argument)), shorthand_(shorthand) {
    if (argument_ && argument_->node().isObject()) {
        // Checks the option names; the reader itself is not needed afterwards.
        const ObjectReader reader(*argument_, keys);
    }
}

std::optional<ConfigCursor> TransformOptions::get(std::string_view key) const {
    if (!argument_) {
        return std::nullopt;
    }
    if (argument_->node().isObject()) {
        for (const ConfigMember& member : argument_->node().members) {
            if (member.key == key) {
                return argument_->member(member);
            }
        }
        return std::nullopt;
    }
    if (key == shorthand_) {
        return argument_;
    }
    return std::nullopt;
}

ConfigCursor TransformOptions::require(std::string_view key) const {
    if (auto found = get(key)) {
        return *found;
    }
    (argument_ ? *argument_ : spec_).fail("missing option " + singleQuoted(key));
}

std::string TransformOptions::choice(std::string_view key, const std::vector<std::string_view>& allowed,
                                     std::string_view fallback) const {
    const auto given = get(key);
    if (!given) {
        return std::string(fallback);
    }
    const std::string& text = given->asString();
    if (std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
        given->fail(unknownNameMessage("value", text, allowed));
    }
    return text;
}

std::unique_ptr<Transform> compileTransform(const ConfigCursor& spec, CompileContext& context) {
    std::string_view name;
    std::optional<ConfigCursor> argument;
    if (spec.node().isString()) {
        name = spec.node().text;
    } else if (spec.node().isObject() && spec.node().members.size() == 1) {
        name = spec.node().members.front().key;
        argument = spec.member(spec.node().members.front());
    } else {
        spec.fail("a transform is a name (\"trim\") or an object with one key ({\"lookup\": \"table\"}), got " +
                  std::string(spec.node().isObject()
                                  ? "an object with " + std::to_string(spec.node().members.size()) + " keys"
                                  : typeName(spec.node().type)));
    }
    const auto& all = specs();
    const auto found = std::find_if(all.begin(), all.end(), [&](const TransformSpec& s) { return s.name == name; });
    if (found == all.end()) {
        spec.fail(unknownNameMessage("transform", name, transformNames()));
    }
    if (argument && !argument->node().isObject()) {
        if (found->shorthand.empty()) {
            argument->fail("transform " + singleQuoted(name) + " takes " +
                           (found->keys.empty() ? std::string("no options") : "an object of options"));
        }
        if (argument->node().type == ConfigNode::Type::Null) {
            argument->fail("expected a value for " + singleQuoted(found->shorthand) + ", got null");
        }
    }
    if (argument && argument->node().isObject() && found->keys.empty() && !argument->node().members.empty()) {
        argument->fail("transform " + singleQuoted(name) + " takes no options");
    }
    const TransformOptions options(spec, argument, found->shorthand, found->keys);
    return found->compile(options, context);
}

std::vector<std::string_view> transformNames() {
    std::vector<std::string_view> names;
    for (const TransformSpec& spec : specs()) {
        names.push_back(spec.name);
    }
    return names;
}

}  // namespace gateway::mapping
