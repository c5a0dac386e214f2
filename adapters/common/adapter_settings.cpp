#include "adapters/common/adapter_settings.h"

#include "gateway/common/config_tree.h"
#include "gateway/common/error.h"

#include <rapidjson/document.h>

#include <cstdlib>
#include <type_traits>

namespace gateway::adapters {
namespace {

std::string joined(const std::vector<std::string_view>& names) {
    std::string text;
    for (const auto name : names) {
        if (!text.empty()) {
            text += ", ";
        }
        text += name;
    }
    return text;
}

/// "a string", "an object", "null" …: the type as these messages name it.
std::string typeText(const ConfigNode& node) {
    if (node.type == ConfigNode::Type::Null) {
        return "null";
    }
    const bool vowel = node.type == ConfigNode::Type::Object || node.type == ConfigNode::Type::Array;
    return (vowel ? "an " : "a ") + std::string(typeName(node.type));
}

template <typename Number>
std::string numberText(Number number) {
    if constexpr (std::is_floating_point_v<Number>) {
        std::string text = std::to_string(number);
        // std::to_string prints six decimals; trim them so limits read as written ("0.5", not "0.500000").
        while (!text.empty() && text.back() == '0') {
            text.pop_back();
        }
        if (!text.empty() && text.back() == '.') {
            text.pop_back();
        }
        return text;
    } else {
        return std::to_string(number);
    }
}

}  // namespace

AdapterSettings::AdapterSettings(std::string_view settings_json, std::string origin)
    : state_(std::make_shared<State>()), value_(nullptr) {
    state_->origin = std::move(origin);
    const bool blank = settings_json.find_first_not_of(" \t\r\n") == std::string_view::npos;
    state_->document =
        ConfigDocument::parse(blank ? std::string("{}") : std::string(settings_json), state_->origin + ": settings");
    const ConfigNode& root = state_->document->root();
    if (!root.isObject()) {
        throw GatewayError(ErrorCode::InvalidConfig,
                           state_->origin + ": settings: must be an object, not " + typeText(root));
    }
    value_ = &root;
}

AdapterSettings::AdapterSettings(std::shared_ptr<State> state, const ConfigNode* value, std::string prefix)
    : state_(std::move(state)), value_(value), prefix_(std::move(prefix)) {}

std::string AdapterSettings::path(std::string_view key) const {
    std::string text = "settings.";
    text += prefix_;
    text += key;
    return text;
}

void AdapterSettings::fail(std::string_view key, std::string_view problem) const {
    throw GatewayError(ErrorCode::InvalidConfig, state_->origin + ": " + path(key) + ": " + std::string(problem));
}

const ConfigNode* AdapterSettings::lookup(std::string_view key) const {
    if (value_ == nullptr) {
        return nullptr;
    }
    for (const ConfigMember& member : value_->members) {
        if (member.key == key) {
            return member.value.type == ConfigNode::Type::Null ? nullptr : &member.value;
        }
    }
    return nullptr;
}

const ConfigNode* AdapterSettings::find(std::string_view key) {
    state_->accepted.insert(prefix_ + std::string(key));
    return lookup(key);
}

bool AdapterSettings::has(std::string_view key) const {
    return lookup(key) != nullptr;
}

std::string AdapterSettings::requiredString(std::string_view key) {
    const auto* value = find(key);
    if (value == nullptr) {
        fail(key, "is required");
    }
    if (!value->isString()) {
        fail(key, "must be a string, not " + typeText(*value));
    }
    if (value->text.empty()) {
        fail(key, "must not be empty");
    }
    return value->text;
}

std::string AdapterSettings::optionalString(std::string_view key, std::string_view fallback) {
    auto value = maybeString(key);
    return value ? std::move(*value) : std::string(fallback);
}

std::optional<std::string> AdapterSettings::maybeString(std::string_view key) {
    const auto* value = find(key);
    if (value == nullptr) {
        return std::nullopt;
    }
    if (!value->isString()) {
        fail(key, "must be a string, not " + typeText(*value));
    }
    return value->text;
}

std::int64_t AdapterSettings::integer(std::string_view key, std::int64_t fallback, std::int64_t min, std::int64_t max) {
    if (!has(key)) {
        find(key);
        return fallback;
    }
    return requiredInteger(key, min, max);
}

std::int64_t AdapterSettings::requiredInteger(std::string_view key, std::int64_t min, std::int64_t max) {
    const auto* value = find(key);
    if (value == nullptr) {
        fail(key, "is required");
    }
    const std::string range = "between " + numberText(min) + " and " + numberText(max);
    if (value->type != ConfigNode::Type::Number) {
        fail(key, "must be an integer " + range + ", not " + typeText(*value));
    }
    const rapidjson::Document parsed = numberValue(*value);
    if (!(parsed.IsInt64() || parsed.IsUint64())) {
        fail(key, "must be an integer " + range + ", not a fractional number");
    }
    if (!parsed.IsInt64()) {
        fail(key, "must be " + range + ", not " + numberText(parsed.GetUint64()));
    }
    const std::int64_t number = parsed.GetInt64();
    if (number < min || number > max) {
        fail(key, "must be " + range + ", not " + numberText(number));
    }
    return number;
}

double AdapterSettings::number(std::string_view key, double fallback, double min, double max) {
    const auto* value = find(key);
    if (value == nullptr) {
        return fallback;
    }
    const std::string range = "between " + numberText(min) + " and " + numberText(max);
    if (value->type != ConfigNode::Type::Number) {
        fail(key, "must be a number " + range + ", not " + typeText(*value));
    }
    const double number = numberValue(*value).GetDouble();
    if (number < min || number > max) {
        fail(key, "must be " + range + ", not " + numberText(number));
    }
    return number;
}

bool AdapterSettings::boolean(std::string_view key, bool fallback) {
    const auto* value = find(key);
    if (value == nullptr) {
        return fallback;
    }
    if (value->type != ConfigNode::Type::Boolean) {
        fail(key, "must be true or false, not " + typeText(*value));
    }
    return value->text == "true";
}

std::string AdapterSettings::oneOf(std::string_view key, std::initializer_list<std::string_view> allowed,
                                   std::string_view fallback) {
    const std::vector<std::string_view> names(allowed);
    const auto* value = find(key);
    if (value == nullptr) {
        if (fallback.empty()) {
            fail(key, "is required (one of " + joined(names) + ")");
        }
        return std::string(fallback);
    }
    if (!value->isString()) {
        fail(key, "must be one of " + joined(names) + ", not " + typeText(*value));
    }
    const std::string& text = value->text;
    for (const auto name : names) {
        if (name == text) {
            return text;
        }
    }
    // The value is a choice word, not a secret, so quoting it helps the reader spot the typo.
    fail(key, "must be one of " + joined(names) + ", not '" + text + "'");
}

std::vector<std::string> AdapterSettings::stringList(std::string_view key) {
    std::vector<std::string> list;
    const auto* value = find(key);
    if (value == nullptr) {
        return list;
    }
    if (!value->isArray()) {
        fail(key, "must be an array of strings, not " + typeText(*value));
    }
    for (std::size_t i = 0; i < value->elements.size(); ++i) {
        const ConfigNode& item = value->elements[i];
        if (!item.isString()) {
            fail(std::string(key) + "[" + std::to_string(i) + "]", "must be a string, not " + typeText(item));
        }
        list.push_back(item.text);
    }
    return list;
}

std::map<std::string, std::string> AdapterSettings::stringMap(std::string_view key) {
    std::map<std::string, std::string> map;
    const auto* value = find(key);
    if (value == nullptr) {
        return map;
    }
    if (!value->isObject()) {
        fail(key, "must be an object of strings, not " + typeText(*value));
    }
    for (const ConfigMember& member : value->members) {
        if (!member.value.isString()) {
            fail(std::string(key) + "." + member.key, "must be a string, not " + typeText(member.value));
        }
        map[member.key] = member.value.text;
    }
    return map;
}

std::optional<std::string> AdapterSettings::secret(std::string_view key, std::string_view env_key) {
    const auto literal = maybeString(key);
    const auto variable = maybeString(env_key);
    if (literal && variable) {
        fail(key, "give either " + std::string(key) + " or " + std::string(env_key) + ", not both");
    }
    if (literal) {
        if (literal->empty()) {
            fail(key, "must not be empty");
        }
        return literal;
    }
    if (variable) {
        if (variable->empty()) {
            fail(env_key, "must not be empty");
        }
        const char* text = std::getenv(variable->c_str());
        if (text == nullptr || *text == '\0') {
            fail(env_key, "environment variable " + *variable + " is not set or empty");
        }
        return std::string(text);
    }
    return std::nullopt;
}

std::string AdapterSettings::requiredSecret(std::string_view key, std::string_view env_key) {
    auto value = secret(key, env_key);
    if (!value) {
        fail(key, "is required (or " + std::string(env_key) + ")");
    }
    return std::move(*value);
}

AdapterSettings AdapterSettings::object(std::string_view key) {
    const auto* value = find(key);
    const std::string prefix = prefix_ + std::string(key) + ".";
    if (value == nullptr) {
        return AdapterSettings(state_, nullptr, prefix);
    }
    if (!value->isObject()) {
        fail(key, "must be an object, not " + typeText(*value));
    }
    state_->opened.insert(prefix_ + std::string(key));
    return AdapterSettings(state_, value, prefix);
}

void AdapterSettings::finish() const {
    if (value_ != nullptr) {
        finishObject(*value_, prefix_);
    }
}

void AdapterSettings::finishObject(const ConfigNode& value, const std::string& prefix) const {
    for (const ConfigMember& member : value.members) {
        const std::string full = prefix + member.key;
        if (state_->accepted.count(full) == 0) {
            std::vector<std::string_view> known;
            for (const auto& accepted : state_->accepted) {
                const std::string_view candidate(accepted);
                if (candidate.size() > prefix.size() && candidate.substr(0, prefix.size()) == prefix &&
                    candidate.find('.', prefix.size()) == std::string_view::npos) {
                    known.push_back(candidate.substr(prefix.size()));
                }
            }
            std::string hint;
            if (!known.empty()) {
                const auto suggestion = closestMatch(member.key, known);
                hint = " (" + (suggestion ? "did you mean " + singleQuoted(*suggestion) + "? " : std::string()) +
                       "known: " + joined(known) + ")";
            }
            throw GatewayError(ErrorCode::InvalidConfig,
                               state_->origin + ": settings." + full + ": unknown key" + hint);
        }
        if (member.value.isObject() && state_->opened.count(full) > 0) {
            finishObject(member.value, full + ".");
        }
    }
}

}  // namespace gateway::adapters
