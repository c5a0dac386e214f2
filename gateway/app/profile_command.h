#pragma once

#include <string>
#include <vector>

namespace gateway::app {

/// `gateway profiles rebuild | show PERSON`: build every child's profile from its linked records, or print one.
int runProfiles(const std::vector<std::string>& args);

}  // namespace gateway::app
