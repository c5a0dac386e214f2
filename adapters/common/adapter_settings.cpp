#include "adapters/common/adapter_settings.h"

#include "gateway/common/json_type.h"

#include "gateway/common/error.h"

#include <rapidjson/error/en.h>

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

std::string asString(const rapidjson::Value& value) {
    return std::string(value.GetString(), value.GetStringLength());
}

/// The first key that appears twice in one object ("auth.type"), searching nested objects too: RapidJSON keeps
/// both members and lookups would silently take the first.
std::optional<std::string> duplicateKey(const rapidjson::Value& value, const std::string& prefix) {
    if (!value.IsObject()) {
        return std::nullopt;
    }
    std::set<std::string, std::less<>> names;
    for (auto member = value.MemberBegin(); member != value.MemberEnd(); ++member) {
        std::string name = asString(member->name);
        if (auto nested = duplicateKey(member->value, prefix + name + ".")) {
            return nested;
        }
        if (!names.insert(name).second) {
            return prefix + name;
        }
    }
    return std::nullopt;
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
    auto& document = state_->document;
    if (settings_json.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        document.SetObject();
    } else {
        document.Parse(settings_json.data(), settings_json.size());
        if (document.HasParseError()) {
            throw GatewayError(ErrorCode::InvalidConfig, state_->origin + ": settings: not valid JSON: " +
                                                             rapidjson::GetParseError_En(document.GetParseError()) +
                                                             " at offset " + std::to_string(document.GetErrorOffset()));
        }
        if (!document.IsObject()) {
            throw GatewayError(ErrorCode::InvalidConfig, state_->origin + ": settings: must be an object, not " +
                                                             std::string(jsonTypeName(document)));
        }
        if (const auto duplicate = duplicateKey(document, "")) {
            throw GatewayError(ErrorCode::InvalidConfig,
                               state_->origin + ": settings." + *duplicate + ": is given twice");
        }
    }
    value_ = &document;
}

AdapterSettings::AdapterSettings(std::shared_ptr<State> state, const rapidjson::Value* value, std::string prefix)
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

const rapidjson::Value* AdapterSettings::lookup(std::string_view key) const {
    if (value_ == nullptr) {
        return nullptr;
    }
    const auto member = value_->FindMember(
        rapidjson::Value(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
    if (member == value_->MemberEnd() || member->value.IsNull()) {
        return nullptr;
    }
    return &member->value;
}

const rapidjson::Value* AdapterSettings::find(std::string_view key) {
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
    if (!value->IsString()) {
        fail(key, "must be a string, not " + std::string(jsonTypeName(*value)));
    }
    if (value->GetStringLength() == 0) {
        fail(key, "must not be empty");
    }
    return asString(*value);
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
    if (!value->IsString()) {
        fail(key, "must be a string, not " + std::string(jsonTypeName(*value)));
    }
    return asString(*value);
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
    if (!value->IsNumber() || !(value->IsInt64() || value->IsUint64())) {
        fail(key, "must be an integer " + range + ", not " +
                      std::string(value->IsNumber() ? "a fractional number" : jsonTypeName(*value)));
    }
    if (!value->IsInt64()) {
        fail(key, "must be " + range + ", not " + numberText(value->GetUint64()));
    }
    const std::int64_t number = value->GetInt64();
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
    if (!value->IsNumber()) {
        fail(key, "must be a number " + range + ", not " + std::string(jsonTypeName(*value)));
    }
    const double number = value->GetDouble();
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
    if (!value->IsBool()) {
        fail(key, "must be true or false, not " + std::string(jsonTypeName(*value)));
    }
    return value->GetBool();
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
    if (!value->IsString()) {
        fail(key, "must be one of " + joined(names) + ", not " + std::string(jsonTypeName(*value)));
    }
    const std::string text = asString(*value);
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
    if (!value->IsArray()) {
        fail(key, "must be an array of strings, not " + std::string(jsonTypeName(*value)));
    }
    for (rapidjson::SizeType i = 0; i < value->Size(); ++i) {
        const auto& item = (*value)[i];
        if (!item.IsString()) {
            fail(std::string(key) + "[" + std::to_string(i) + "]",
                 "must be a string, not " + std::string(jsonTypeName(item)));
        }
        list.push_back(asString(item));
    }
    return list;
}

std::map<std::string, std::string> AdapterSettings::stringMap(std::string_view key) {
    std::map<std::string, std::string> map;
    const auto* value = find(key);
    if (value == nullptr) {
        return map;
    }
    if (!value->IsObject()) {
        fail(key, "must be an object of strings, not " + std::string(jsonTypeName(*value)));
    }
    for (auto member = value->MemberBegin(); member != value->MemberEnd(); ++member) {
        const std::string name = asString(member->name);
        if (!member->value.IsString()) {
            fail(std::string(key) + "." + name, "must be a string, not " + std::string(jsonTypeName(member->value)));
        }
        map[name] = asString(member->value);
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
    if (!value->IsObject()) {
        fail(key, "must be an object, not " + std::string(jsonTypeName(*value)));
    }
    state_->opened.insert(prefix_ + std::string(key));
    return AdapterSettings(state_, value, prefix);
}

void AdapterSettings::finish() const {
    if (value_ != nullptr) {
        finishObject(*value_, prefix_);
    }
}

void AdapterSettings::finishObject(const rapidjson::Value& value, const std::string& prefix) const {
    for (auto member = value.MemberBegin(); member != value.MemberEnd(); ++member) {
        const std::string name = asString(member->name);
        const std::string full = prefix + name;
        if (state_->accepted.count(full) == 0) {
            std::vector<std::string_view> known;
            for (const auto& accepted : state_->accepted) {
                const std::string_view candidate(accepted);
                if (candidate.size() > prefix.size() && candidate.substr(0, prefix.size()) == prefix &&
                    candidate.find('.', prefix.size()) == std::string_view::npos) {
                    known.push_back(candidate.substr(prefix.size()));
                }
            }
            throw GatewayError(ErrorCode::InvalidConfig, state_->origin + ": settings." + full + ": unknown key" +
                                                             (known.empty() ? "" : " (known: " + joined(known) + ")"));
        }
        if (member->value.IsObject() && state_->opened.count(full) > 0) {
            finishObject(member->value, full + ".");
        }
    }
}

}  // namespace gateway::adapters
