#include "gateway/common/json_config.h"

#include "gateway/common/error.h"

#include <rapidjson/error/en.h>

#include <algorithm>
#include <string>

namespace gateway {

rapidjson::Document parseConfigJson(std::string_view text, std::string_view origin) {
    rapidjson::Document document;
    document.Parse(text.data(), text.size());
    if (document.HasParseError()) {
        throw GatewayError(ErrorCode::InvalidConfig, std::string(origin) + ": not JSON: " +
                                                         rapidjson::GetParseError_En(document.GetParseError()) +
                                                         " at offset " + std::to_string(document.GetErrorOffset()));
    }
    return document;
}

void configFail(std::string_view origin, const std::string& where, const std::string& what) {
    throw GatewayError(ErrorCode::InvalidConfig, std::string(origin) + ": at " + where + ": " + what);
}

std::string configString(const rapidjson::Value& object, const char* key, std::string_view origin,
                         const std::string& where, bool required) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd()) {
        if (required) {
            configFail(origin, where + "/" + key, "missing");
        }
        return {};
    }
    if (!it->value.IsString()) {
        configFail(origin, where + "/" + key, "expected a string");
    }
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::vector<std::string> configStrings(const rapidjson::Value& value, std::string_view origin,
                                       const std::string& where) {
    if (!value.IsArray()) {
        configFail(origin, where, "expected a list of strings");
    }
    std::vector<std::string> list;
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
        if (!value[i].IsString() || value[i].GetStringLength() == 0) {
            configFail(origin, where + "/" + std::to_string(i), "expected a non-empty string");
        }
        list.emplace_back(value[i].GetString(), value[i].GetStringLength());
    }
    return list;
}

void configOnlyKeys(const rapidjson::Value& object, std::initializer_list<std::string_view> keys,
                    std::string_view origin, const std::string& where) {
    const std::string at = where.empty() ? "/" : where;
    if (!object.IsObject()) {
        configFail(origin, at, "expected an object");
    }
    for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
        const std::string_view name(it->name.GetString(), it->name.GetStringLength());
        if (std::find(keys.begin(), keys.end(), name) == keys.end()) {
            std::string expected;
            for (const std::string_view key : keys) {
                expected += (expected.empty() ? "" : ", ") + std::string(key);
            }
            configFail(origin, at, "unknown key \"" + std::string(name) + "\" (expected one of: " + expected + ")");
        }
    }
}

}  // namespace gateway
