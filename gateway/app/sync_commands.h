#pragma once

#include <string>
#include <vector>

namespace gateway::app {

/// `gateway sync [--source NAME | --all] [--full]`: pulls sources now, showing progress.
int runSync(const std::vector<std::string>& args);

/// `gateway sources`: each configured source's state, last run, counts and last error.
int runSources(const std::vector<std::string>& args);

}  // namespace gateway::app
