#pragma once

#include "ops/sim/city_paths.h"

#include <optional>
#include <string>
#include <utility>

namespace deptsim {

/// The URL of the server running on the folder, from DIR/deptsim.json, or "" when there is none.
std::string serverUrl(const CityPaths& paths);

/// POSTs to a control endpoint of the running server ("/control/change?fraction=0.1"): {status, body}, or
/// nullopt when no server answers, so that the command can do the work on the folder itself.
std::optional<std::pair<int, std::string>> postToServer(const std::string& url, const std::string& path_and_query);

/// The same with another method ("GET" for /control/gaps).
std::optional<std::pair<int, std::string>> askServer(const std::string& url, const std::string& method,
                                                     const std::string& path_and_query);

}  // namespace deptsim
