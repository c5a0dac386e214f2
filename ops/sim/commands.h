#pragma once

#include <string>
#include <vector>

namespace deptsim {

/// The subcommands. Each takes the arguments after its name and returns the exit code.
int runServe(const std::vector<std::string>& args);
int runGenerate(const std::vector<std::string>& args);
int runChange(const std::vector<std::string>& args);
int runDrift(const std::vector<std::string>& args);
int runGaps(const std::vector<std::string>& args);
int runSink(const std::vector<std::string>& args);

}  // namespace deptsim
