#pragma once

#include "gateway/app/settings.h"
#include "gateway/common/error.h"

#include <Poco/Util/OptionSet.h>

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace gateway::app {

/// Exit codes follow sysexits.h, as Poco::Util::Application does.
enum ExitCode : int {
    kExitOk = 0,
    kExitFailure = 1,
    kExitUsage = 64,
    kExitDataError = 65,
    kExitUnavailable = 69,
    kExitSoftware = 70,
    kExitConfig = 78,
};

/// The exit code for a command that failed with `code`: 78 for configuration, 69 when the store or the service is
/// unavailable, 64 for a bad argument or an unknown name, 1 otherwise.
int exitCodeFor(ErrorCode code);

/// Options as parsed: repeated options keep every value in order.
struct ParsedOptions {
    std::multimap<std::string, std::string> values;
    std::vector<std::string> positional;

    bool has(const std::string& name) const { return values.count(name) > 0; }
    /// The last value given, or `fallback`.
    std::string get(const std::string& name, const std::string& fallback = "") const;
    std::vector<std::string> all(const std::string& name) const;
};

/// Parses `args` (without the program and command names). Throws GatewayError(InvalidArgument) with the
/// offending option named.
ParsedOptions parseOptions(const Poco::Util::OptionSet& options, const std::vector<std::string>& args);

/// Prints "usage: gateway <command> <usage>", the description, and the options.
void printHelp(std::ostream& out, const std::string& command, const std::string& usage, const std::string& description,
               const Poco::Util::OptionSet& options);

/// Adds --config FILE and --set KEY=VALUE (repeatable), shared by every command that reads the configuration.
void addSettingsOptions(Poco::Util::OptionSet& options);

/// Loads the settings the way the options say: the file (if any), then --set overrides, then the defaults.
/// Relative paths (the file's and those inside it) resolve against `start_dir`, by default the current
/// directory. Throws GatewayError(InvalidConfig).
GatewaySettings settingsFromOptions(const ParsedOptions& options, const std::string& start_dir = "");

/// Splits "key=value"; throws GatewayError(InvalidArgument) if there is no '='.
std::pair<std::string, std::string> splitAssignment(const std::string& text);

}  // namespace gateway::app
