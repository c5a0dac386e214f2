#pragma once

#include <string>
#include <vector>

namespace gateway::app {

/// `gateway serve`: runs the HTTP API (and, as later stages land, the scheduled jobs) until SIGTERM/SIGINT.
/// `args` excludes the program and command names.
int runServe(const std::vector<std::string>& args);

}  // namespace gateway::app
