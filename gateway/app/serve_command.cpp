#include "gateway/app/serve_command.h"

#include "gateway/api/api_server.h"
#include "gateway/api/router.h"
#include "gateway/api/system_routes.h"
#include "gateway/app/command_line.h"
#include "gateway/app/logging.h"
#include "gateway/common/clock.h"
#include "gateway/common/error.h"

#include <Poco/Logger.h>
#include <Poco/Path.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

#include <iostream>

namespace gateway::app {
namespace {

class ServeApplication : public Poco::Util::ServerApplication {
protected:
    void defineOptions(Poco::Util::OptionSet& options) override {
        // Adds --daemon, --pidfile and --umask.
        Poco::Util::ServerApplication::defineOptions(options);
        // Options are defined before a daemon changes to "/", so relative paths still mean what the operator meant.
        start_dir_ = Poco::Path::current();
        options.addOption(Poco::Util::Option("help", "h", "print this help and exit").required(false));
        addSettingsOptions(options);
        options.addOption(Poco::Util::Option("port", "p", "listen on this port (same as --set server.port=N)")
                              .required(false)
                              .argument("N"));
    }

    void handleOption(const std::string& name, const std::string& value) override {
        Poco::Util::ServerApplication::handleOption(name, value);
        if (name == "help") {
            stopOptionsProcessing();
        }
        parsed_.values.emplace(name, value);
    }

    int main(const std::vector<std::string>& args) override {
        if (parsed_.has("help")) {
            printHelp(std::cout, "serve", "[--config FILE] [--set KEY=VALUE]... [--port N] [--daemon --pidfile FILE]",
                      "Runs the gateway's HTTP API until SIGTERM or SIGINT, then finishes the requests in progress "
                      "and stops.",
                      options());
            return kExitOk;
        }
        if (!args.empty()) {
            std::cerr << "gateway serve: unexpected argument '" << args.front() << "' (see gateway serve --help)\n";
            return kExitUsage;
        }
        if (parsed_.has("port")) {
            parsed_.values.emplace("set", "server.port=" + parsed_.get("port"));
        }

        GatewaySettings settings;
        try {
            settings = settingsFromOptions(parsed_, start_dir_);
        } catch (const GatewayError& e) {
            std::cerr << "gateway serve: " << e.message() << "\n";
            return kExitConfig;
        }
        configureLogging(settings.logging);
        try {
            const auto divisions = loadDivisions(settings.reference);
            Poco::Logger::get("gateway").debug("division codes: " + std::to_string(divisions.size()));
        } catch (const GatewayError& e) {
            std::cerr << "gateway serve: " << e.message() << "\n";
            return kExitConfig;
        }
        Poco::Logger& log = Poco::Logger::get("gateway");

        std::unique_ptr<store::Store> store;
        try {
            store = store::openStore(settings.store);
            store->migrate();
        } catch (const GatewayError& e) {
            std::cerr << "gateway serve: " << e.message() << "\n";
            return kExitUnavailable;
        }

        api::Router router;
        api::addSystemRoutes(router, *store, GATEWAY_VERSION);
        api::ApiServer server(settings.server, router);
        try {
            server.start();
        } catch (const GatewayError& e) {
            std::cerr << "gateway serve: " << e.message() << "\n";
            return kExitUnavailable;
        }

        const std::string where = "http://" + server.host() + ":" + std::to_string(server.port());
        std::cout << "gateway " << GATEWAY_VERSION << " listening on " << where
                  << " (store: " << store::storeKindName(store->kind()) << ")" << std::endl;
        log.information("listening on " + where);
        store->appendExchangeLog({0, formatIso(SystemClock().now()), "gateway", "gateway.start", where, "{}"});

        waitForTerminationRequest();

        log.information("stopping: finishing requests in progress");
        server.stop();
        store->appendExchangeLog({0, formatIso(SystemClock().now()), "gateway", "gateway.stop", where, "{}"});
        log.information("stopped");
        return kExitOk;
    }

private:
    ParsedOptions parsed_;
    std::string start_dir_;
};

}  // namespace

int runServe(const std::vector<std::string>& args) {
    ServeApplication application;
    std::vector<std::string> argv{"gateway serve"};
    argv.insert(argv.end(), args.begin(), args.end());
    return application.run(argv);
}

}  // namespace gateway::app
