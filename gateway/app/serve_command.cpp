#include "gateway/app/serve_command.h"

#include "gateway/api/access_log.h"
#include "gateway/api/api_server.h"
#include "gateway/api/router.h"
#include "gateway/app/command_line.h"
#include "gateway/app/logging.h"
#include "gateway/app/runtime.h"
#include "gateway/app/serve_jobs.h"
#include "gateway/app/serve_routes.h"
#include "gateway/app/serve_signals.h"
#include "gateway/common/clock.h"
#include "gateway/common/error.h"
#include "gateway/common/file.h"

#include <Poco/Logger.h>
#include <Poco/Path.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

#include <iostream>
#include <memory>

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
        blockServeSignals();
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
        Poco::Logger& log = Poco::Logger::get("gateway");

        std::unique_ptr<Runtime> runtime;
        try {
            runtime = std::make_unique<Runtime>(settings);
        } catch (const GatewayError& e) {
            std::cerr << "gateway serve: " << e.message() << "\n";
            return e.code() == ErrorCode::StoreUnavailable ? kExitUnavailable : kExitConfig;
        }
        store::Store& gateway_store = runtime->store();
        if (const std::string refusal = refusalToServe(settings, runtime->clients() != nullptr); !refusal.empty()) {
            std::cerr << "gateway serve: " << refusal << "\n";
            return kExitConfig;
        }
        const auto loadTokens = [&settings] {
            return security::JwtVerifier(security::parseJwtSettings(
                readFileContent(settings.api.jwt_file, "bearer token settings"), settings.api.jwt_file));
        };
        std::unique_ptr<security::Reloadable<security::JwtVerifier>> tokens;
        std::unique_ptr<audit::CheckpointSigner> checkpoint_signer;
        std::unique_ptr<BackgroundJobs> background;
        try {
            if (!settings.api.jwt_file.empty()) {
                tokens = std::make_unique<security::Reloadable<security::JwtVerifier>>(loadTokens());
            }
            if (!settings.audit.signing_key.empty()) {
                checkpoint_signer = std::make_unique<audit::CheckpointSigner>(
                    audit::CheckpointSigner::load(settings.audit.signing_key));
            }
            background = std::make_unique<BackgroundJobs>(*runtime, checkpoint_signer.get());
        } catch (const GatewayError& e) {
            std::cerr << "gateway serve: " << e.message() << "\n";
            return kExitConfig;
        }

        api::AccessLog access_log(gateway_store);
        security::RateLimiter rate_limiter(
            {static_cast<double>(settings.api.rate_per_second), static_cast<double>(settings.api.rate_burst)});
        api::AccessControl access;
        access.clients = runtime->clients();
        access.tokens = tokens.get();
        access.rate_limiter = &rate_limiter;
        access.access_log = &access_log;
        access.purposes = settings.api.purposes;
        api::Router router;
        router.setAccessControl(access);
        addServeRoutes(router, *runtime, background->linkJob());
        api::ApiServer server(settings.server, router);
        try {
            server.start();
        } catch (const GatewayError& e) {
            std::cerr << "gateway serve: " << e.message() << "\n";
            return kExitUnavailable;
        }

        const std::string where =
            (server.secure() ? "https://" : "http://") + server.host() + ":" + std::to_string(server.port());
        std::cout << "gateway " << GATEWAY_VERSION << " listening on " << where
                  << " (store: " << store::storeKindName(gateway_store.kind()) << ")" << std::endl;
        log.information("listening on " + where);
        background->start();
        if (background->size() > 0) {
            log.information("scheduled " + std::to_string(background->size()) +
                            " jobs (source syncs, linking, push, purge)");
        }
        gateway_store.appendExchangeLog(
            {0, formatIso(runtime->clock().now()), "gateway", "gateway.start", where, "{}"});

        {
            // SIGHUP reloads the certificates, the clients file and the bearer-token settings; the stop signals are
            // waited for here, in this thread.
            const HangupReloader reloader(server, *runtime, tokens.get(), loadTokens);
            waitForTerminationRequest();
        }

        log.information("stopping: finishing requests and syncs in progress");
        server.stop();
        background->stop();
        gateway_store.appendExchangeLog({0, formatIso(runtime->clock().now()), "gateway", "gateway.stop", where, "{}"});
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
