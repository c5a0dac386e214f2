#include "ops/sim/city_builder.h"
#include "ops/sim/command_line.h"
#include "ops/sim/commands.h"
#include "ops/sim/control_client.h"
#include "ops/sim/gap_planter.h"
#include "ops/sim/gap_rules.h"

#include <Poco/Exception.h>

#include <iostream>
#include <limits>

namespace deptsim {

namespace {

constexpr const char* kUsage =
    "usage: deptsim gaps --dir DIR [--as-of YYYY-MM-DD] [--plant N [--seed S]]\n"
    "Writes DIR/truth/gaps.csv, the children each cross-department rule finds on the as-of date (default: the\n"
    "city's) in the city as it is now, and prints the count per rule. --plant N first plants up to N children for\n"
    "each rule the city has few natural cases of (PROTOCOL.md, \"Gaps\"). While `deptsim serve` runs on DIR the\n"
    "server does it (POST and GET /control/gaps); otherwise it is done on DIR directly.\n";

}  // namespace

int runGaps(const std::vector<std::string>& args) {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << kUsage;
        return kExitOk;
    }
    try {
        const Options options(args, {"dir", "as-of", "plant", "seed"}, {});
        const CityPaths paths(options.require("dir"));
        std::optional<gateway::model::CalendarDate> as_of;
        if (const auto text = options.get("as-of")) {
            as_of = parseIsoDate(*text);
            if (!as_of) {
                throw UsageError("option '--as-of' must be a date such as 2026-11-01");
            }
        }
        const long long plant = options.number("plant", 0, 1, 100000);  // 0: plant nothing
        std::optional<std::uint64_t> seed;
        if (options.has("seed")) {
            if (plant == 0) {
                throw UsageError("option '--seed' goes with '--plant'");
            }
            seed = static_cast<std::uint64_t>(options.number("seed", 0, 0, std::numeric_limits<long long>::max()));
        }
        if (const std::string url = serverUrl(paths); !url.empty()) {
            if (plant > 0) {
                const auto planted = postToServer(url, "/control/gaps?count=" + std::to_string(plant) +
                                                           (seed ? "&seed=" + std::to_string(*seed) : ""));
                if (planted && planted->first != 200) {
                    std::cerr << "deptsim gaps: " << planted->second << std::endl;
                    return kExitFailure;
                }
            }
            const auto reply = askServer(url, "GET", "/control/gaps" + (as_of ? "?as_of=" + as_of->toIso() : ""));
            if (reply) {
                std::cout << reply->second << std::endl;
                return reply->first == 200 ? kExitOk : kExitFailure;
            }
        }
        const auto params = generatedCity(paths);
        const auto school = generatedSchoolDb(paths);
        if (!params || !school) {
            std::cerr << "deptsim gaps: " << paths.dir << " holds no generated city" << std::endl;
            return kExitUsage;
        }
        if (plant > 0) {
            const Geography geography = Geography::forDistrict(params->district);
            GapPlanter planter(*params, paths, *school, geography, NamePools::builtin());
            DriftLog log(paths.truth_dir);
            planter.apply(static_cast<int>(plant), seed, log);
        }
        std::cout << gapsJson(writeGaps(paths, *school, as_of.value_or(params->as_of))) << std::endl;
        return kExitOk;
    } catch (const UsageError& e) {
        std::cerr << "deptsim gaps: " << e.what() << "\n" << kUsage;
        return kExitUsage;
    } catch (const Poco::Exception& e) {
        std::cerr << "deptsim gaps: " << e.displayText() << std::endl;
        return kExitUnavailable;
    } catch (const std::exception& e) {
        std::cerr << "deptsim gaps: " << e.what() << std::endl;
        return kExitFailure;
    }
}

}  // namespace deptsim
