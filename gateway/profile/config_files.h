#pragma once

#include <string>
#include <string_view>

namespace gateway::profile {

/// The whole file; GatewayError(InvalidConfig) naming it when it cannot be read.
std::string readConfigFile(const std::string& path);

/// config/profile/`name` as compiled into the executable; GatewayError(Internal) if it is not there.
std::string_view builtinConfigFile(std::string_view name);

}  // namespace gateway::profile
