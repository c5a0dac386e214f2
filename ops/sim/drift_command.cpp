#include "ops/sim/city_builder.h"
#include "ops/sim/command_line.h"
#include "ops/sim/commands.h"
#include "ops/sim/control_client.h"
#include "ops/sim/drift_applier.h"
#include "ops/sim/spec_list.h"

#include <Poco/Exception.h>

#include <iostream>
#include <limits>

namespace deptsim {

namespace {

constexpr const char* kUsage =
    "usage: deptsim drift --dir DIR [--delete F] [--silent F] [--seed S]\n"
    "Makes the police, school and civil sources drift from what a gateway staged of them: deletes a fraction F of\n"
    "their rows and edits a fraction F of the rest without a newer watermark (at least one above 0), and lists\n"
    "the rows in DIR/truth/drift.csv. While `deptsim serve` runs on DIR the server does it (POST /control/drift);\n"
    "otherwise it is applied to DIR directly. Prints what drifted.\n";

/// --delete or --silent: a fraction from 0 to 1, 0 when absent. Keeps the text to pass on to the server as given.
double fractionOption(const Options& options, const char* name, std::string& query) {
    const auto text = options.get(name);
    if (!text) {
        return 0;
    }
    const auto value = parseProbability(*text);
    if (!value) {
        throw UsageError(std::string("option '--") + name + "' must be a number from 0 to 1");
    }
    query += std::string(query.empty() ? "" : "&") + name + "=" + *text;
    return *value;
}

}  // namespace

int runDrift(const std::vector<std::string>& args) {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << kUsage;
        return kExitOk;
    }
    try {
        const Options options(args, {"dir", "delete", "silent", "seed"}, {});
        const CityPaths paths(options.require("dir"));
        std::string query;
        const double delete_fraction = fractionOption(options, "delete", query);
        const double silent_fraction = fractionOption(options, "silent", query);
        if (delete_fraction == 0 && silent_fraction == 0) {
            throw UsageError("give '--delete' or '--silent' a fraction above 0");
        }
        std::optional<std::uint64_t> seed;
        if (options.has("seed")) {
            seed = static_cast<std::uint64_t>(options.number("seed", 0, 0, std::numeric_limits<long long>::max()));
            query += "&seed=" + std::to_string(*seed);
        }
        if (const std::string url = serverUrl(paths); !url.empty()) {
            if (const auto reply = postToServer(url, "/control/drift?" + query)) {
                std::cout << reply->second << std::endl;
                return reply->first == 200 ? kExitOk : kExitFailure;
            }
        }
        const auto params = generatedCity(paths);
        const auto school = generatedSchoolDb(paths);
        if (!params || !school) {
            std::cerr << "deptsim drift: " << paths.dir << " holds no generated city" << std::endl;
            return kExitUsage;
        }
        const Geography geography = Geography::forDistrict(params->district);
        DriftApplier drifter(*params, paths, *school, geography, NamePools::builtin());
        DriftLog log(paths.truth_dir);
        std::cout << driftResultJson(drifter.apply(delete_fraction, silent_fraction, seed, log)) << std::endl;
        return kExitOk;
    } catch (const UsageError& e) {
        std::cerr << "deptsim drift: " << e.what() << "\n" << kUsage;
        return kExitUsage;
    } catch (const Poco::Exception& e) {
        std::cerr << "deptsim drift: " << e.displayText() << std::endl;
        return kExitUnavailable;
    } catch (const std::exception& e) {
        std::cerr << "deptsim drift: " << e.what() << std::endl;
        return kExitFailure;
    }
}

}  // namespace deptsim
