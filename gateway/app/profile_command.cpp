#include "gateway/app/profile_command.h"

#include "gateway/app/command_line.h"
#include "gateway/app/logging.h"
#include "gateway/app/runtime.h"
#include "gateway/common/error.h"

#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <iostream>

namespace gateway::app {

namespace {

int purge(Runtime& runtime, bool dry_run) {
    jobs::PurgeJob job = runtime.makePurgeJob();
    jobs::PurgeOptions options;
    options.after_days = runtime.settings().profile.purge_after_days;
    options.dry_run = dry_run;
    options.actor = "cli:" + Runtime::nodeName();
    const jobs::PurgeReport report = job.run(options);
    if (dry_run) {
        for (const std::string& person : report.due) {
            std::cout << person << "\n";
        }
        std::cerr << report.due.size() << (report.due.size() == options.batch ? " or more" : "")
                  << " persons removed as adult on or before " << report.cutoff << " would be purged\n";
        return kExitOk;
    }
    std::cout << "purged " << report.persons << " persons removed as adult on or before " << report.cutoff << ": "
              << report.versions << " versions, " << report.records << " staged records, " << report.review_pairs
              << " review pairs\n";
    return kExitOk;
}

}  // namespace

int runProfiles(const std::vector<std::string>& args) {
    Poco::Util::OptionSet options;
    options.addOption(Poco::Util::Option("help", "h", "print this help and exit"));
    addSettingsOptions(options);
    options.addOption(Poco::Util::Option("full", "", "rebuild: every person, not only those whose records changed"));
    options.addOption(
        Poco::Util::Option("dry-run", "", "purge: list the persons whose data would be erased, erase nothing"));
    const std::string usage = "rebuild [--full] | show PERSON_ID | find ID_NUMBER | purge [--dry-run]";
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
                "seals personal data). purge: erase what the store holds about the children whose profiles left "
                "the views at 18 at least profile.purge_after_days ago (earlier versions' content, staged records, "
                "review explanations), one profile.purge exchange-log entry each.",
                options);
            return kExitOk;
        }
        const std::string action = parsed.positional.empty() ? "" : parsed.positional[0];
        if (!(((action == "rebuild" || action == "purge") && parsed.positional.size() == 1) ||
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
            profile::ProfileQuery query;
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
        if (action == "purge") {
            return purge(runtime, parsed.has("dry-run"));
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
