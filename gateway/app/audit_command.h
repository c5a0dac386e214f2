#pragma once

#include <string>
#include <vector>

namespace gateway::app {

/// `gateway audit verify | checkpoint | status | export | prove | check-proof | keygen`: verify, sign, prove and
/// export the exchange log. `verify` and `check-proof` exit with kExitDataError (65) when the log or the proof does
/// not hold.
int runAudit(const std::vector<std::string>& args);

}  // namespace gateway::app
