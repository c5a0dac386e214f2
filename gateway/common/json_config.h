#pragma once

#include "gateway/common/file.h"

#include <rapidjson/document.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

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

/// A list of non-empty strings at `where`: configFail() for anything else.
std::vector<std::string> configStrings(const rapidjson::Value& value, std::string_view origin,
                                       const std::string& where);

/// configFail() "unknown key \"K\" (expected one of: …)" for a member of `object` (at `where`, "" for the top) that is
/// not one of `keys`, and "expected an object" when it is not an object.
void configOnlyKeys(const rapidjson::Value& object, std::initializer_list<std::string_view> keys,
                    std::string_view origin, const std::string& where);

}  // namespace gateway
