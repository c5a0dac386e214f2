#include "ops/sim/city_builder.h"

#include "ops/sim/city_generator.h"
#include "ops/sim/facts_json.h"
#include "ops/sim/health_drop.h"
#include "ops/sim/quarterly_drops.h"
#include "ops/sim/renderers.h"
#include "ops/sim/row_planner.h"
#include "ops/sim/time_format.h"
#include "ops/sim/truth_files.h"

#include <chrono>
#include <filesystem>

namespace deptsim {

namespace {

namespace fs = std::filesystem;
using gateway::model::CalendarDate;

void removeIfExists(const std::string& path) {
    std::error_code ignored;
    fs::remove_all(path, ignored);
}

}  // namespace

ServedCounts generateCity(const CityParams& params, const CityPaths& paths, const SchoolDbSettings& school_settings,
                          const Geography& geography, const NamePools& names, std::ostream* progress) {
    const auto started = std::chrono::steady_clock::now();
    fs::create_directories(paths.dir);
    for (const std::string& path : {paths.state_dir, paths.health_drop, paths.truth_dir, paths.deptsim_json}) {
        removeIfExists(path);
    }
    if (!school_settings.postgresql) {
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            removeIfExists(paths.school_db + suffix);
        }
    }
    fs::create_directories(paths.state_dir);
    fs::create_directories(paths.health_drop);

    SimState state(paths.state_db);
    state.createSchema();
    SchoolTable school(school_settings);
    school.recreate();
    TruthFiles truth(paths.truth_dir, true);
    QuarterlyDrops drops(paths.health_drop, cityNow(params));
    CityGenerator generator(params, geography, names);
    const RenderContext context{params, names, geography};
    RowPlanner planner(params, context, state, school, truth, drops, generator);

    state.begin();
    std::uint32_t reported = 0;
    while (true) {
        const std::vector<ChildFacts> household = generator.nextHousehold();
        if (household.empty()) {
            break;
        }
        for (const ChildFacts& child : household) {
            const auto [offset, length] = truth.addChild(factsToJson(child, params.as_of));
            state.setChild(child.entity, offset, length);
            planner.plan(child);
        }
        if (progress != nullptr && generator.children() >= reported + 100000) {
            reported = generator.children() / 100000 * 100000;
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            *progress << "deptsim: generated " << generator.children() << " of " << params.children << " children ("
                      << static_cast<long>(generator.children() / std::max(seconds, 0.001)) << "/s)" << std::endl;
        }
    }
    planner.finish();
    drops.finish();
    truth.flush();

    ServedCounts counts = planner.counts();
    counts.children = generator.children();
    counts.households = generator.households();
    state.setCounts(counts);
    state.setMeta("params", describe(params));
    state.setMeta("seed", std::to_string(params.seed));
    state.setMeta("children", std::to_string(params.children));
    state.setMeta("district", params.district);
    state.setMeta("as_of", params.as_of.toIso());
    state.setMeta("errors", formatErrorRates(params.errors));
    state.setMeta("school_db", school_settings.postgresql ? "postgresql" : "sqlite");
    // The SQLite file is always DIR/school.db; only a PostgreSQL connection needs remembering.
    state.setMeta("school_location", school_settings.postgresql ? school_settings.pg_connection : "");
    state.commit();
    state.finishBulkLoad();
    writeFileAtomically(paths.served_json, servedJson(counts) + "\n");
    // Written last: a folder without it holds no finished city.
    state.setMeta("complete", "1");
    return counts;
}

std::optional<CityParams> generatedCity(const CityPaths& paths) {
    if (!fs::exists(paths.state_db)) {
        return std::nullopt;
    }
    SimState state(paths.state_db);
    if (state.meta("complete") != "1") {
        return std::nullopt;
    }
    CityParams params;
    std::string error;
    const auto errors = parseErrorRates(state.meta("errors").value_or(""), error);
    const auto as_of = parseIsoDate(state.meta("as_of").value_or(""));
    if (!errors || !as_of) {
        return std::nullopt;
    }
    params.seed = std::stoull(state.meta("seed").value_or("0"));
    params.children = static_cast<std::uint32_t>(std::stoul(state.meta("children").value_or("0")));
    params.district = state.meta("district").value_or("");
    params.as_of = *as_of;
    params.errors = *errors;
    return params;
}

std::optional<SchoolDbSettings> generatedSchoolDb(const CityPaths& paths) {
    if (!generatedCity(paths)) {
        return std::nullopt;
    }
    SimState state(paths.state_db);
    SchoolDbSettings settings;
    settings.sqlite_path = paths.school_db;
    settings.postgresql = state.meta("school_db") == "postgresql";
    if (settings.postgresql) {
        settings.pg_connection = state.meta("school_location").value_or("");
    }
    return settings;
}

bool ensureCity(const CityParams& params, const CityPaths& paths, const SchoolDbSettings& school, bool replace,
                const Geography& geography, const NamePools& names, std::ostream* progress) {
    const auto existing = generatedCity(paths);
    if (existing && !replace) {
        const auto existing_school = generatedSchoolDb(paths);
        const bool same_school = existing_school && existing_school->postgresql == school.postgresql &&
                                 existing_school->pg_connection == school.pg_connection &&
                                 (school.postgresql || fs::exists(paths.school_db));
        if (*existing == params && same_school) {
            return false;
        }
        throw FolderHoldsOtherCity(paths.dir + " holds a city generated with other parameters (" + describe(*existing) +
                                   "); pass --fresh to replace it, or use another --dir");
    }
    generateCity(params, paths, school, geography, names, progress);
    return true;
}

}  // namespace deptsim
