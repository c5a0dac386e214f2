#pragma once

#include <string>
#include <vector>

namespace gateway::app {

/// `gateway reconcile [--source NAME... | --all] [--as-of DATE] [--repair]`: each source read whole and compared with
/// what the gateway staged from it; findings recorded, and repaired when asked.
int runReconcile(const std::vector<std::string>& args);

}  // namespace gateway::app
