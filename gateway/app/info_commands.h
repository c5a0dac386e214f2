#pragma once

#include <string>
#include <vector>

namespace gateway::app {

/// `gateway version`: the gateway's version and the versions of the libraries it runs on.
int runVersion(const std::vector<std::string>& args);

/// `gateway config check|example`: validate a configuration (and optionally reach its store), or print the
/// documented example configuration generated from the key table.
int runConfig(const std::vector<std::string>& args);

}  // namespace gateway::app
