#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace gateway {

/// Parses a JSON configuration file's text; throws GatewayError(InvalidConfig) "ORIGIN: not JSON: <reason> at offset
/// N" when it is not JSON.
rapidjson::Document parseConfigJson(std::string_view text, std::string_view origin);

/// Throws GatewayError(InvalidConfig) "ORIGIN: at WHERE: WHAT", WHERE a JSON pointer.
[[noreturn]] void configFail(std::string_view origin, const std::string& where, const std::string& what);

/// The string member `key` of `object` (at JSON pointer `where`): "" when absent and not required; configFail()
/// when missing but required, or not a string.
std::string configString(const rapidjson::Value& object, const char* key, std::string_view origin,
                         const std::string& where, bool required);

/// A configuration file's whole content; throws GatewayError(InvalidConfig) "PATH: cannot read the WHAT".
std::string readFileContent(const std::string& path, std::string_view what);

}  // namespace gateway
