#pragma once

#include <string>
#include <vector>

namespace gateway::app {

/// `gateway push [status | run | dead-letters SUBSCRIBER | redeliver SUBSCRIBER]`: the push subscribers on the
/// command line.
int runPush(const std::vector<std::string>& args);

/// `gateway clients [list | new-key]`: the API's clients, and new API keys with the hash the clients file holds.
int runClients(const std::vector<std::string>& args);

}  // namespace gateway::app
