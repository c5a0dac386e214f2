#include "gateway/app/profile_command.h"

#include "gateway/app/command_line.h"
#include "gateway/app/logging.h"
#include "gateway/app/runtime.h"
#include "gateway/common/error.h"

#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <iostream>

namespace gateway::app {

int runProfiles(const std::vector<std::string>& args) {
    Poco::Util::OptionSet options;
    options.addOption(Poco::Util::Option("help", "h", "print this help and exit"));
    addSettingsOptions(options);
    options.addOption(Poco::Util::Option("full", "", "rebuild: every person, not only those whose records changed"));
    const std::string usage = "rebuild [--full] | show PERSON_ID | find ID_NUMBER";
    try {
        const ParsedOptions parsed = parseOptions(options, args);
        if (parsed.has("help")) {
            printHelp(
                std::cout, "profiles", usage,
                "rebuild: build the profiles of the children whose linked records changed since the last build "
                "(everyone's on the first build, with --full, and when the as-of date has moved) from the records "
                "linked into them (survivor values with provenance, conflicts, classifications and alerts), and "
                "keep the changed ones as new versions. show: print a child's current profile. find: print the "
                "current profile of the child with this citizen ID number (through its blind index when the store "
                "seals personal data).",
                options);
            return kExitOk;
        }
        const std::string action = parsed.positional.empty() ? "" : parsed.positional[0];
        if (!((action == "rebuild" && parsed.positional.size() == 1) ||
              ((action == "show" || action == "find") && parsed.positional.size() == 2))) {
            std::cerr << "usage: gateway profiles " << usage << "\n";
            return kExitUsage;
        }
        auto settings = settingsFromOptions(parsed);
        configureLogging(settings.logging);
        Runtime runtime(std::move(settings));
        if (action == "show") {
            const auto profile = runtime.store().profile(parsed.positional[1]);
            if (!profile) {
                throw GatewayError(ErrorCode::NotFound, "no profile " + parsed.positional[1]);
            }
            std::cout << profile->profile_json << "\n";
            return kExitOk;
        }
        if (action == "find") {
            store::ProfileQuery query;
            query.id_number = parsed.positional[1];
            query.limit = 10;
            const auto found = runtime.store().queryProfiles(query);
            if (found.empty()) {
                throw GatewayError(ErrorCode::NotFound, "no profile with that ID number");
            }
            for (const auto& profile : found) {
                std::cout << profile.profile_json << "\n";
            }
            return kExitOk;
        }
        jobs::ProfileJob job = runtime.makeProfileJob();
        jobs::ProfileRunOptions run;
        run.full = parsed.has("full");
        run.actor = "cli:" + Runtime::nodeName();
        run.progress = [](const std::string& line) { std::cerr << line << "\n"; };
        const auto report = job.run(run);
        std::cout << "profiles" << (report.incremental ? " (changed persons)" : "") << " on " << report.as_of << ": "
                  << report.persons << " built, " << report.written << " new versions, " << report.removed
                  << " removed\n";
        return kExitOk;
    } catch (const GatewayError& e) {
        std::cerr << "gateway profiles: " << e.message() << "\n";
        return exitCodeFor(e.code());
    }
}

}  // namespace gateway::app
