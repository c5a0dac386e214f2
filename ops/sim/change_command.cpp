#include "ops/sim/change_applier.h"
#include "ops/sim/city_builder.h"
#include "ops/sim/command_line.h"
#include "ops/sim/commands.h"
#include "ops/sim/control_client.h"
#include "ops/sim/spec_list.h"

#include <Poco/Exception.h>

#include <iostream>
#include <limits>

namespace deptsim {

namespace {

constexpr const char* kUsage =
    "usage: deptsim change --dir DIR [--fraction 0.05] [--seed S]\n"
    "Changes that fraction of every source's rows. While `deptsim serve` runs on DIR the change is made by the\n"
    "server (POST /control/change); otherwise it is applied to DIR directly. Prints what changed.\n";

}  // namespace

int runChange(const std::vector<std::string>& args) {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << kUsage;
        return kExitOk;
    }
    try {
        const Options options(args, {"dir", "fraction", "seed"}, {});
        const CityPaths paths(options.require("dir"));
        const std::string fraction_text = options.get("fraction").value_or("0.05");
        const auto fraction = parseProbability(fraction_text);
        if (!fraction || *fraction <= 0) {
            throw UsageError("option '--fraction' must be above 0 and at most 1");
        }
        std::optional<std::uint64_t> seed;
        if (options.has("seed")) {
            seed = static_cast<std::uint64_t>(options.number("seed", 0, 0, std::numeric_limits<long long>::max()));
        }
        if (const std::string url = serverUrl(paths); !url.empty()) {
            const std::string query = "fraction=" + fraction_text + (seed ? "&seed=" + std::to_string(*seed) : "");
            if (const auto reply = postToServer(url, "/control/change?" + query)) {
                std::cout << reply->second << std::endl;
                return reply->first == 200 ? kExitOk : kExitFailure;
            }
        }
        const auto params = generatedCity(paths);
        const auto school = generatedSchoolDb(paths);
        if (!params || !school) {
            std::cerr << "deptsim change: " << paths.dir << " holds no generated city" << std::endl;
            return kExitUsage;
        }
        const Geography geography = Geography::forDistrict(params->district);
        ChangeApplier changer(*params, paths, *school, geography, NamePools::builtin());
        std::cout << changeResultJson(changer.apply(*fraction, seed, false)) << std::endl;
        return kExitOk;
    } catch (const UsageError& e) {
        std::cerr << "deptsim change: " << e.what() << "\n" << kUsage;
        return kExitUsage;
    } catch (const Poco::Exception& e) {
        std::cerr << "deptsim change: " << e.displayText() << std::endl;
        return kExitUnavailable;
    } catch (const std::exception& e) {
        std::cerr << "deptsim change: " << e.what() << std::endl;
        return kExitFailure;
    }
}

}  // namespace deptsim
