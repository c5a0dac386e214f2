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
