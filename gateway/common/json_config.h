#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

namespace gateway {

/// Parses a JSON configuration file's text; throws GatewayError(InvalidConfig) "ORIGIN: not JSON: <reason> at offset
/// N" when it is not JSON.
rapidjson::Document parseConfigJson(std::string_view text, std::string_view origin);

/// A configuration file's whole content; throws GatewayError(InvalidConfig) "PATH: cannot read the WHAT".
std::string readFileContent(const std::string& path, std::string_view what);

}  // namespace gateway
