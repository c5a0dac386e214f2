#pragma once

#include <string>
#include <vector>

namespace gateway::app {

/// `gateway review [list|show PAIR|decide PAIR]`: the match review queue on the command line.
int runReview(const std::vector<std::string>& args);

}  // namespace gateway::app
