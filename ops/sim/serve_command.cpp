#include "ops/sim/city_builder.h"
#include "ops/sim/command_line.h"
#include "ops/sim/commands.h"
#include "ops/sim/json_out.h"
#include "ops/sim/sim_server.h"
#include "ops/sim/truth_files.h"

#include <Poco/Exception.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace deptsim {

namespace {

constexpr const char* kUsage =
    "usage: deptsim serve --dir DIR [--children N] [--seed S] [--host 127.0.0.1] [--port 0] [--district 320411]\n"
    "                     [--as-of 2026-11-01] [--faults SPEC] [--errors SPEC] [--school-db sqlite|postgresql]\n"
    "                     [--school-pg CONNSTR] [--token-ttl 600] [--threads 16] [--fresh]\n"
    "Serves the four department systems from the city in DIR, generating it first unless DIR already holds it.\n"
    "Writes DIR/deptsim.json once listening; stops on SIGTERM or SIGINT. See ops/sim/PROTOCOL.md.\n";

std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    std::string content = text.str();
    while (!content.empty() && content.back() == '\n') {
        content.pop_back();
    }
    return content;
}

std::string deptsimJson(const std::string& url, const Credentials& credentials, const SchoolDbSettings& school,
                        const CityPaths& paths, const CityParams& params) {
    JsonOut out;
    out.beginObject()
        .field("url", url)
        .field("police_api_key", credentials.police_api_key)
        .field("civil_client_id", credentials.civil_client_id)
        .field("civil_client_secret", credentials.civil_client_secret)
        .field("school_db", school.location())
        .field("school_db_kind", school.postgresql ? "postgresql" : "sqlite")
        .field("health_drop", paths.health_drop)
        .field("truth_dir", paths.truth_dir)
        .key("served")
        .raw(readText(paths.served_json))
        .field("seed", std::to_string(params.seed))
        .field("children", static_cast<std::int64_t>(params.children))
        .field("pid", static_cast<std::int64_t>(::getpid()))
        .endObject();
    return out.str() + "\n";
}

}  // namespace

int runServe(const std::vector<std::string>& args) {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << kUsage;
        return kExitOk;
    }
    StopSignals stop_signals;  // before any thread starts, so that none of them takes the signal
    try {
        const Options options(args,
                              {"dir", "children", "seed", "host", "port", "district", "as-of", "faults", "errors",
                               "school-db", "school-pg", "token-ttl", "threads"},
                              {"fresh"});
        const CityPaths paths(options.require("dir"));
        const CityParams params = cityParamsFrom(options);
        const SchoolDbSettings school = schoolSettingsFrom(options, paths.dir);
        const std::string host = options.get("host").value_or("127.0.0.1");
        const int port = static_cast<int>(options.number("port", 0, 0, 65535));
        const auto token_ttl = std::chrono::seconds(options.number("token-ttl", 600, 1, 86400 * 365));
        const int threads = static_cast<int>(options.number("threads", 16, 1, 256));
        FaultSpec faults;
        if (const auto spec = options.get("faults")) {
            std::string error;
            const auto parsed = parseFaultSpec(*spec, error);
            if (!parsed) {
                throw UsageError("option '--faults': " + error);
            }
            faults = *parsed;
        }

        const Geography geography = geographyFor(params);
        const NamePools& names = NamePools::builtin();
        ensureCity(params, paths, school, options.has("fresh"), geography, names,
                   params.children >= 100000 ? &std::cerr : nullptr);
        std::filesystem::remove(paths.deptsim_json);

        ChangeApplier changer(params, paths, school, geography, names);
        DriftApplier drifter(params, paths, school, geography, names);
        GapPlanter planter(params, paths, school, geography, names);
        const Credentials credentials = credentialsFor(params.seed);
        ServeContext context(params, paths, school, credentials, changer, drifter, planter, token_ttl);
        context.faults.set(faults);
        SimServer server(context, host, port, threads);
        const std::string url = "http://" + host + ":" + std::to_string(server.port());
        writeFileAtomically(paths.deptsim_json, deptsimJson(url, credentials, school, paths, params));
        std::cout << "deptsim: serving " << params.children << " children on " << url << std::endl;

        stop_signals.wait();
        server.stop();
        std::cout << "deptsim: stopped" << std::endl;
        return kExitOk;
    } catch (const UsageError& e) {
        std::cerr << "deptsim serve: " << e.what() << "\n" << kUsage;
        return kExitUsage;
    } catch (const FolderHoldsOtherCity& e) {
        std::cerr << "deptsim serve: " << e.what() << std::endl;
        return kExitUsage;
    } catch (const Poco::Exception& e) {
        std::cerr << "deptsim serve: " << e.displayText() << std::endl;
        return kExitUnavailable;
    } catch (const std::exception& e) {
        std::cerr << "deptsim serve: " << e.what() << std::endl;
        return kExitFailure;
    }
}

}  // namespace deptsim
