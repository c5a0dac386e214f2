#include "gateway/common/json_config.h"

#include "gateway/common/error.h"

#include <rapidjson/error/en.h>

#include <fstream>
#include <sstream>
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

std::string readFileContent(const std::string& path, std::string_view what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw GatewayError(ErrorCode::InvalidConfig, path + ": cannot read the " + std::string(what));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace gateway
