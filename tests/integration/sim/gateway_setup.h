#pragma once

// A gateway configured against a running deptsim: a properties file and one JSON file per source in a temporary
// folder, the real executable run on it. Shared by the intake and linkage tests.

#include "gateway/store/store.h"

#include <Poco/File.h>

#include "tests/integration/sim/deptsim_harness.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace gateway::testing {

inline const std::vector<std::string> kSources = {"police_population", "school_register", "health_births",
                                                  "civil_rescue"};

/// A gateway configuration (properties file and one JSON file per source) pointing at a running deptsim.
class GatewaySetup {
public:
    GatewaySetup(const sim::DeptsimServer& sim, int batch_size = 500) {
        const std::string source_dir = GATEWAY_SOURCE_DIR;
        Poco::File(dir_.file("sources")).createDirectories();
        const std::string retry = R"("retry":{"max_attempts":8,"base_delay_ms":5,"max_delay_ms":40},)"
                                  R"("breaker":{"failure_threshold":50,"cool_down_ms":100},)"
                                  R"("timeouts":{"connect_ms":2000,"total_ms":1000})";
        writeSource("police_population", "rest", batch_size,
                    R"({"url":")" + sim.url() + R"(","path":"/police/v1/persons","page_size":200,)" +
                        R"("auth":{"type":"api_key","header":"X-API-Key","key":")" + sim.info("police_api_key") +
                        R"("},)" + retry + "}");
        writeSource("civil_rescue", "rest", batch_size,
                    R"({"url":")" + sim.url() +
                        R"(","path":"/civil/v1/cases","items":"/records","next_cursor":"/next","cursor_param":"since",)"
                        R"("limit_param":"page_size","updated_since_param":"","page_size":200,)"
                        R"("auth":{"type":"oauth2_client_credentials","token_url":"/oauth/token","client_id":")" +
                        sim.info("civil_client_id") + R"(","client_secret":")" + sim.info("civil_client_secret") +
                        R"("},)" + retry + "}");
        writeSource("school_register", "sql", batch_size,
                    R"({"connector":"sqlite","connection":")" + sim.info("school_db") +
                        R"(","table":"student_register","watermark_column":"updated_seq","key_column":"id"})");
        writeSource("health_births", "file", batch_size,
                    R"({"dir":")" + sim.info("health_drop") +
                        R"(","pattern":"births_*.csv","marker_suffix":".ok","encoding":"auto"})");
        writeFile(dir_.file("gateway.properties"),
                  "store.sqlite.path = " + dir_.file("gateway.db") + "\nsources.dir = " + dir_.file("sources") +
                      "\nsources.state_dir = " + dir_.file("state") + "\nmappings.codes_dir = " + source_dir +
                      "/mappings/codes" + "\nlogging.level = warning\n");
    }

    /// Runs `gateway ARGS --config <this configuration>`, with `env` added to its environment.
    RunResult run(std::vector<std::string> args, const Poco::Process::Env& env = {}) const {
        args.push_back("--config");
        args.push_back(config());
        return runGateway(args, ".", env);
    }

    RunResult sync(const std::vector<std::string>& extra = {"--all"}, const Poco::Process::Env& env = {}) const {
        std::vector<std::string> args{"sync", "--config", config()};
        args.insert(args.end(), extra.begin(), extra.end());
        return runGateway(args, ".", env);
    }

    std::string config() const { return dir_.file("gateway.properties"); }

    /// `gateway serve` on this configuration, on a free port, without schedules, with `extra` arguments; `url` is
    /// set to where it listens, or left empty if it did not start (its banner is in `banner`).
    std::unique_ptr<GatewayProcess> serve(const std::vector<std::string>& extra, std::string& url, std::string& banner,
                                          const Poco::Process::Env& env = {}) const {
        std::vector<std::string> args{"serve",
                                      "--config",
                                      config(),
                                      "--set",
                                      "server.port=0",
                                      "--set",
                                      "linkage.schedule_seconds=0",
                                      "--set",
                                      "sources.schedule=off"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto process = std::make_unique<GatewayProcess>(args, ".", env);
        banner = process->readLine();
        std::smatch match;
        url = std::regex_search(banner, match, std::regex("listening on (http://127\\.0\\.0\\.1:\\d+)"))
                  ? std::string(match[1])
                  : std::string();
        return process;
    }

    /// Adds sources/NAME.json with a mapping of its own, as an operator adds a department system.
    void addSource(const std::string& name, const std::string& adapter, const std::string& mapping,
                   const std::string& settings, int batch_size = 500) {
        writeFile(dir_.file("sources/" + name + ".json"),
                  R"({"source":")" + name + R"(","adapter":")" + adapter + R"(","mapping":")" + mapping +
                      R"(","batch_size":)" + std::to_string(batch_size) + R"(,"settings":)" + settings + "}");
    }

    /// A path in this configuration's folder.
    std::string file(const std::string& name) const { return dir_.file(name); }

    std::unique_ptr<store::Store> openStore() const {
        store::StoreSettings settings;
        settings.sqlite_path = dir_.file("gateway.db");
        return store::openStore(settings);
    }

private:
    void writeSource(const std::string& name, const std::string& adapter, int batch_size, const std::string& settings) {
        addSource(name, adapter, std::string(GATEWAY_SOURCE_DIR) + "/mappings/" + name + ".json", settings, batch_size);
    }

    TempDir dir_;
};

}  // namespace gateway::testing
