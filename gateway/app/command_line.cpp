#include "gateway/app/command_line.h"

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"

#include <Poco/Path.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>

#include <ostream>

namespace gateway::app {

std::string ParsedOptions::get(const std::string& name, const std::string& fallback) const {
    const auto range = values.equal_range(name);
    if (range.first == range.second) {
        return fallback;
    }
    return std::prev(range.second)->second;
}

std::vector<std::string> ParsedOptions::all(const std::string& name) const {
    std::vector<std::string> result;
    const auto range = values.equal_range(name);
    for (auto it = range.first; it != range.second; ++it) {
        result.push_back(it->second);
    }
    return result;
}

ParsedOptions parseOptions(const Poco::Util::OptionSet& options, const std::vector<std::string>& args) {
    ParsedOptions parsed;
    Poco::Util::OptionProcessor processor(options);
    processor.setUnixStyle(true);
    try {
        for (const auto& arg : args) {
            std::string name;
            std::string value;
            if (processor.process(arg, name, value)) {
                if (!name.empty()) {
                    parsed.values.emplace(name, value);
                }
            } else {
                parsed.positional.push_back(arg);
            }
        }
        processor.checkRequired();
    } catch (const Poco::Util::OptionException& e) {
        throw GatewayError(ErrorCode::InvalidArgument, utf8::toValidUtf8(e.displayText()));
    }
    return parsed;
}

void printHelp(std::ostream& out, const std::string& command, const std::string& usage, const std::string& description,
               const Poco::Util::OptionSet& options) {
    Poco::Util::HelpFormatter formatter(options);
    formatter.setUnixStyle(true);
    formatter.setCommand("gateway " + command);
    formatter.setUsage(usage);
    formatter.setHeader(description);
    formatter.setWidth(100);
    formatter.format(out);
}

void addSettingsOptions(Poco::Util::OptionSet& options) {
    options.addOption(Poco::Util::Option("config", "c", "configuration file (Java-properties syntax)")
                          .required(false)
                          .repeatable(false)
                          .argument("FILE"));
    options.addOption(Poco::Util::Option("set", "s", "set one configuration key, overriding the file")
                          .required(false)
                          .repeatable(true)
                          .argument("KEY=VALUE"));
}

std::pair<std::string, std::string> splitAssignment(const std::string& text) {
    const auto pos = text.find('=');
    if (pos == std::string::npos || pos == 0) {
        throw GatewayError(ErrorCode::InvalidArgument, "--set expects KEY=VALUE, got " + utf8::quote(text));
    }
    return {text.substr(0, pos), text.substr(pos + 1)};
}

GatewaySettings settingsFromOptions(const ParsedOptions& options, const std::string& start_dir) {
    const std::string base_dir = start_dir.empty() ? Poco::Path::current() : start_dir;
    ConfigValues file_values;
    std::string origin = "defaults";
    if (options.has("config")) {
        origin = options.get("config");
        const Poco::Path path(origin);
        file_values = readConfigFile(
            path.isAbsolute() ? origin : Poco::Path(Poco::Path::forDirectory(base_dir), path).toString());
    }
    ConfigValues overrides;
    for (const auto& assignment : options.all("set")) {
        auto [key, value] = splitAssignment(assignment);
        overrides[key] = value;
    }
    return loadSettings(file_values, origin, overrides, base_dir);
}

int exitCodeFor(ErrorCode code) {
    switch (code) {
        case ErrorCode::InvalidConfig:
            return kExitConfig;
        case ErrorCode::StoreUnavailable:
        case ErrorCode::Unavailable:
            return kExitUnavailable;
        case ErrorCode::InvalidArgument:
        case ErrorCode::NotFound:
        case ErrorCode::Conflict:
            return kExitUsage;
        default:
            return kExitFailure;
    }
}

}  // namespace gateway::app
