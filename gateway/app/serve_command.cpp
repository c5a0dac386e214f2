#include "gateway/app/serve_command.h"

#include "gateway/api/access_log.h"
#include "gateway/api/api_server.h"
#include "gateway/api/audit_routes.h"
#include "gateway/api/profile_routes.h"
#include "gateway/api/publish_routes.h"
#include "gateway/api/review_routes.h"
#include "gateway/api/router.h"
#include "gateway/api/system_routes.h"
#include "gateway/app/command_line.h"
#include "gateway/app/logging.h"
#include "gateway/app/runtime.h"
#include "gateway/audit/log_verify.h"
#include "gateway/common/clock.h"
#include "gateway/common/error.h"
#include "gateway/common/json_config.h"
#include "gateway/common/net.h"
#include "gateway/jobs/audit_job.h"
#include "gateway/jobs/scheduler.h"

#include <Poco/Logger.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Path.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <Poco/Util/ServerApplication.h>

#include <pthread.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>

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
        // waitForTerminationRequest() takes SIGINT and SIGTERM with sigwait in this thread. Blocked here, before the
        // server's and the scheduler's threads start, they inherit the mask; otherwise a signal delivered to one of
        // them would kill the process with requests and a link run half done.
        sigset_t stop_signals;
        sigemptyset(&stop_signals);
        sigaddset(&stop_signals, SIGINT);
        sigaddset(&stop_signals, SIGTERM);
        sigaddset(&stop_signals, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
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
        if (runtime->clients() == nullptr && settings.api.jwt_file.empty() && !isLoopbackHost(settings.server.host)) {
            std::cerr << "gateway serve: api.clients is not set, so every caller would act as administrator; that is "
                         "allowed on a loopback server.host only, not on "
                      << settings.server.host << "\n";
            return kExitConfig;
        }
        if (settings.server.tls.cert_file.empty() && !isLoopbackHost(settings.server.host)) {
            std::cerr << "gateway serve: server.tls.cert_file is not set, so minors' data would cross the network "
                         "unencrypted; plain HTTP is allowed on a loopback server.host only, not on "
                      << settings.server.host << "\n";
            return kExitConfig;
        }
        const auto loadTokens = [&settings] {
            return security::JwtVerifier(security::parseJwtSettings(
                readFileContent(settings.api.jwt_file, "bearer token settings"), settings.api.jwt_file));
        };
        std::unique_ptr<security::Reloadable<security::JwtVerifier>> tokens;
        std::unique_ptr<audit::CheckpointSigner> checkpoint_signer;
        try {
            if (!settings.api.jwt_file.empty()) {
                tokens = std::make_unique<security::Reloadable<security::JwtVerifier>>(loadTokens());
            }
            if (!settings.audit.signing_key.empty()) {
                checkpoint_signer = std::make_unique<audit::CheckpointSigner>(
                    audit::CheckpointSigner::load(settings.audit.signing_key));
            }
        } catch (const GatewayError& e) {
            std::cerr << "gateway serve: " << e.message() << "\n";
            return kExitConfig;
        }

        // Each scheduled source gets its job built now, so that a broken mapping stops start-up rather than a
        // run hours later.
        jobs::Scheduler scheduler;
        std::vector<std::unique_ptr<intake::SyncJob>> sync_jobs;
        try {
            for (const auto& source : runtime->sources()) {
                if (!settings.intake.schedule || !source.enabled || source.schedule_seconds <= 0) {
                    continue;
                }
                sync_jobs.push_back(std::make_unique<intake::SyncJob>(runtime->makeSyncJob(source)));
                intake::SyncJob* job = sync_jobs.back().get();
                scheduler.add({"sync:" + source.source, std::chrono::seconds(source.schedule_seconds), [job, &log] {
                                   intake::SyncOptions options;
                                   options.trigger = "schedule";
                                   options.node = Runtime::nodeName();
                                   const auto outcome = job->runOnce(options);
                                   if (outcome.result == intake::SyncResult::Succeeded) {
                                       log.information(job->config().source + ": synced " +
                                                       std::to_string(outcome.run.pulled) + " rows, " +
                                                       std::to_string(outcome.run.quarantined) + " quarantined");
                                   } else if (outcome.result == intake::SyncResult::Skipped) {
                                       log.debug(outcome.message);
                                   }
                               }});
            }
        } catch (const GatewayError& e) {
            std::cerr << "gateway serve: " << e.message() << "\n";
            return kExitConfig;
        }

        jobs::LinkJob link_job = runtime->makeLinkJob();
        jobs::ProfileJob profile_job = runtime->makeProfileJob();
        if (settings.linkage.schedule_seconds > 0) {
            scheduler.add({"link", std::chrono::seconds(settings.linkage.schedule_seconds),
                           [&link_job, &profile_job, &log, &settings] {
                               jobs::LinkRunOptions options;
                               options.threads = static_cast<unsigned>(settings.linkage.threads);
                               options.actor = Runtime::nodeName();
                               try {
                                   const jobs::LinkRunReport report = link_job.run(options);
                                   if (report.dirty > 0) {
                                       log.information("linked " + std::to_string(report.dirty) +
                                                       " records: " + std::to_string(report.changed_assignments) +
                                                       " assignments changed, " + std::to_string(report.stats.review) +
                                                       " pairs for review");
                                   }
                                   // Profiles follow the persons, every round: what a link run or a reviewer's
                                   // decision changed (cheap when nothing did), and everyone when the date moves.
                                   jobs::ProfileRunOptions run;
                                   run.actor = Runtime::nodeName();
                                   const jobs::ProfileRunReport profiles = profile_job.run(run);
                                   if (profiles.written > 0 || profiles.removed > 0) {
                                       log.information("profiles: " + std::to_string(profiles.written) +
                                                       " new versions, " + std::to_string(profiles.removed) +
                                                       " removed");
                                   }
                               } catch (const GatewayError& e) {
                                   log.error("linking or profiles failed: " + e.message());
                               }
                           }});
        }

        jobs::PurgeJob purge_job = runtime->makePurgeJob();
        // Hourly, not daily, so that a node that restarts often still purges; a round with nothing due is two index
        // lookups.
        scheduler.add({"profile.purge", std::chrono::hours(1), [&purge_job, &log, &settings] {
                           jobs::PurgeOptions options;
                           options.after_days = settings.profile.purge_after_days;
                           options.actor = Runtime::nodeName();
                           try {
                               const jobs::PurgeReport report = purge_job.run(options);
                               if (report.persons > 0) {
                                   log.information("purged the personal data of " + std::to_string(report.persons) +
                                                   " persons removed as adult on or before " + report.cutoff);
                               }
                           } catch (const GatewayError& e) {
                               log.error("purge failed: " + e.message());
                           }
                       }});

        std::unique_ptr<publish::Deliverer> deliverer;
        try {
            deliverer = runtime->makeDeliverer();
        } catch (const GatewayError& e) {
            std::cerr << "gateway serve: " << e.message() << "\n";
            return kExitConfig;
        }
        if (!deliverer->subscribers().empty()) {
            scheduler.add({"push", std::chrono::milliseconds(settings.push.interval_ms), [&deliverer, &log, &settings] {
                               try {
                                   for (const auto& report : deliverer->deliverAll(settings.push.threads)) {
                                       if (report.delivered > 0 || report.dead_lettered > 0) {
                                           log.information("push " + report.subscriber + ": " +
                                                           std::to_string(report.delivered) + " delivered, " +
                                                           std::to_string(report.dead_lettered) + " dead-lettered");
                                       }
                                       if (!report.error.empty() && !report.waiting) {
                                           log.warning("push " + report.subscriber + ": " + report.error);
                                       }
                                   }
                               } catch (const GatewayError& e) {
                                   log.error("push failed: " + e.message());
                               }
                           }});
        }

        // Like signing, indexing runs after the appends: an append writes only its own row.
        scheduler.add(
            {"audit.index", std::chrono::seconds(settings.audit.index_interval_seconds), [&gateway_store, &log] {
                 try {
                     if (const auto indexed = audit::indexExchangeLog(gateway_store)) {
                         log.debug("exchange log index: " + std::to_string(indexed) + " entries added");
                     }
                 } catch (const GatewayError& e) {
                     log.warning(
                         "exchange log index not brought up to date (searches read the entries "
                         "since row by row): " +
                         e.message());
                 }
             }});

        if (checkpoint_signer) {
            // Signing never holds up the exchange: entries are chained as they come, and a checkpoint that fails or
            // lags leaves a backlog (GET /metrics) that the next one catches up.
            scheduler.add({"audit.checkpoint", std::chrono::seconds(settings.audit.checkpoint_interval_seconds),
                           [&gateway_store, &checkpoint_signer, &log] {
                               try {
                                   const auto checkpoint = jobs::writeCheckpoint(
                                       gateway_store, gateway_store, *checkpoint_signer, Runtime::nodeName());
                                   if (checkpoint) {
                                       log.debug("exchange log checkpoint signed at " +
                                                 std::to_string(checkpoint->size) + " entries");
                                   }
                               } catch (const GatewayError& e) {
                                   log.warning("exchange log checkpoint not signed (entries go on being chained): " +
                                               e.message());
                               }
                           }});
        } else {
            log.warning("audit.signing_key is not set: the exchange log is chained but no checkpoint is signed");
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
        api::addAuditRoutes(router, gateway_store);
        api::addReviewRoutes(router, {gateway_store, gateway_store, gateway_store}, link_job, runtime->views());
        api::addProfileRoutes(router, gateway_store, runtime->profileConfig(), runtime->views());
        api::addChangesRoute(router, gateway_store, runtime->views(), std::max(1, settings.server.threads / 2));
        api::addPushRoutes(router, gateway_store, runtime->subscribers());
        api::addSystemRoutes(router, gateway_store, GATEWAY_VERSION);
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
        scheduler.start();
        if (scheduler.size() > 0) {
            log.information("scheduled " + std::to_string(scheduler.size()) +
                            " jobs (source syncs, linking, push, purge)");
        }
        gateway_store.appendExchangeLog(
            {0, formatIso(runtime->clock().now()), "gateway", "gateway.start", where, "{}"});

        // SIGHUP reloads the certificates, the clients file and the bearer-token settings; the stop signals are waited
        // for below, in this thread.
        std::atomic<bool> stopping{false};
        std::thread reloader([&server, &runtime, &tokens, &loadTokens, &gateway_store, &log, &stopping] {
            // Each outcome, taken or refused, is an exchange-log entry: who could call the API, and with which
            // certificate, changes only through here.
            const auto record = [&gateway_store, &log, &runtime](const char* subject, const std::string& outcome) {
                try {
                    audit::ExchangeLogEntry entry;
                    entry.at = formatIso(runtime->clock().now());
                    entry.actor = "gateway";
                    entry.action = "config.reload";
                    entry.subject = subject;
                    rapidjson::StringBuffer detail;
                    rapidjson::Writer<rapidjson::StringBuffer> writer(detail);
                    writer.StartObject();
                    writer.Key("outcome");
                    writer.String(outcome.c_str(), static_cast<rapidjson::SizeType>(outcome.size()));
                    writer.EndObject();
                    entry.detail_json = detail.GetString();
                    gateway_store.appendExchangeLog(entry);
                } catch (const GatewayError& e) {
                    log.error("cannot log the reload: " + e.message());
                }
            };
            sigset_t hangup;
            sigemptyset(&hangup);
            sigaddset(&hangup, SIGHUP);
            int signal = 0;
            while (sigwait(&hangup, &signal) == 0 && !stopping) {
                if (server.secure()) {
                    std::string outcome;
                    try {
                        server.reloadCertificates();
                        const auto served = server.servedCertificate();
                        outcome = "certificate " + served.subject + " serial " + served.serial;
                        log.information("SIGHUP: TLS files reloaded; serving " + outcome);
                    } catch (const GatewayError& e) {
                        outcome = "kept the certificate in use: " + e.message();
                        log.error("SIGHUP: " + outcome);
                    }
                    record("server.tls", outcome);
                }
                if (runtime->clients() != nullptr) {
                    std::string outcome;
                    try {
                        outcome = std::to_string(runtime->reloadClients()) + " clients";
                        log.information("SIGHUP: clients file reloaded; " + outcome);
                    } catch (const GatewayError& e) {
                        outcome = "kept the clients in use: " + e.message();
                        log.error("SIGHUP: " + outcome);
                    }
                    record("api.clients", outcome);
                }
                if (tokens) {
                    std::string outcome;
                    try {
                        security::JwtVerifier verifier = loadTokens();
                        outcome = "issuer " + verifier.issuer() + " " + verifier.algorithm();
                        tokens->replace(std::move(verifier));
                        log.information("SIGHUP: bearer token settings reloaded; " + outcome);
                    } catch (const GatewayError& e) {
                        outcome = "kept the token settings in use: " + e.message();
                        log.error("SIGHUP: " + outcome);
                    }
                    record("api.jwt", outcome);
                }
                if (!server.secure() && runtime->clients() == nullptr && !tokens) {
                    log.information("SIGHUP: nothing to reload (plain HTTP, no clients file, no api.jwt)");
                }
            }
        });

        waitForTerminationRequest();
        stopping = true;
        pthread_kill(reloader.native_handle(), SIGHUP);
        reloader.join();

        log.information("stopping: finishing requests and syncs in progress");
        server.stop();
        scheduler.stop();
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
