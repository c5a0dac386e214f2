#pragma once

// The checks the SQL store makes of what it is given, with its messages, for the in-memory fakes of the store's ports
// to make alike: a test that passes on a fake must not pass a value the store refuses.

#include <string>
#include <string_view>

namespace gateway::testing {

/// GatewayError(InvalidArgument) unless `value` is well-formed UTF-8: "<field> of <where> is not well-formed UTF-8: …".
void requireText(std::string_view field, std::string_view value, const std::string& where);

/// Like requireText(), and the value may not be empty.
void requireNonEmptyText(std::string_view field, std::string_view value, const std::string& where);

/// GatewayError(InvalidArgument) unless `prefix` is digits only (or empty).
void requireDivisionPrefix(std::string_view prefix);

}  // namespace gateway::testing
