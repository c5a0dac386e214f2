#include "ops/sim/city_builder.h"
#include "ops/sim/command_line.h"
#include "ops/sim/commands.h"
#include "ops/sim/truth_files.h"

#include <iostream>

namespace deptsim {

namespace {

constexpr const char* kUsage =
    "usage: deptsim generate --dir DIR [--children N] [--seed S] [--district 320411] [--as-of 2026-11-01]\n"
    "                        [--errors SPEC] [--school-db sqlite|postgresql] [--school-pg CONNSTR]\n"
    "Generates the city into DIR (school table, health drops, state, truth files) without serving it, replacing\n"
    "what DIR held. Prints the served counts (truth/served.json).\n";

}  // namespace

int runGenerate(const std::vector<std::string>& args) {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << kUsage;
        return kExitOk;
    }
    try {
        const Options options(args,
                              {"dir", "children", "seed", "district", "as-of", "errors", "school-db", "school-pg"}, {});
        const CityPaths paths(options.require("dir"));
        const CityParams params = cityParamsFrom(options);
        const SchoolDbSettings school = schoolSettingsFrom(options, paths.dir);
        const Geography geography = geographyFor(params);
        const ServedCounts counts = generateCity(params, paths, school, geography, NamePools::builtin(),
                                                 params.children >= 100000 ? &std::cerr : nullptr);
        std::cout << servedJson(counts) << std::endl;
        return kExitOk;
    } catch (const UsageError& e) {
        std::cerr << "deptsim generate: " << e.what() << "\n" << kUsage;
        return kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "deptsim generate: " << e.what() << std::endl;
        return kExitFailure;
    }
}

}  // namespace deptsim
