#pragma once

#include "gateway/api/http.h"

#include <rapidjson/document.h>

#include <cstdint>
#include <string>

namespace gateway::api {

/// The query parameter's value, or `fallback` when it is absent.
std::string queryValue(const Request& request, const std::string& name, const std::string& fallback = "");

/// The query parameter as a whole number in [min, max], `fallback` when absent; 400 naming it otherwise.
std::int64_t integerParameter(const Request& request, const std::string& name, std::int64_t fallback, std::int64_t min,
                              std::int64_t max);

/// A division code of 4 to 12 digits as a prefix: trailing zero groups of a 12-digit code name its level
/// (320411000000 is the district 320411). 400 naming `parameter` for anything else.
std::string divisionPrefix(const std::string& code, const std::string& parameter = "division");

/// The request body as a JSON object; 400 for anything else, and for nesting deeper than 32 levels (a deep body
/// would exhaust the stack of a recursive parser, or of the document's destructor).
rapidjson::Document objectBody(const Request& request);

}  // namespace gateway::api
