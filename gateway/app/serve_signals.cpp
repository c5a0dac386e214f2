#include "gateway/app/serve_signals.h"

#include "gateway/common/clock.h"
#include "gateway/common/error.h"
#include "gateway/common/json_writer.h"

#include <Poco/Logger.h>
#include <pthread.h>

#include <csignal>

namespace gateway::app {

namespace {

Poco::Logger& logger() {
    return Poco::Logger::get("gateway");
}

}  // namespace

void blockServeSignals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

HangupReloader::HangupReloader(api::ApiServer& server, Runtime& runtime,
                               security::Reloadable<security::JwtVerifier>* tokens,
                               std::function<security::JwtVerifier()> load_tokens)
    : server_(server), runtime_(runtime), tokens_(tokens), load_tokens_(std::move(load_tokens)), thread_([this] {
          run();
      }) {}

HangupReloader::~HangupReloader() {
    stopping_ = true;
    pthread_kill(thread_.native_handle(), SIGHUP);
    thread_.join();
}

void HangupReloader::run() {
    sigset_t hangup;
    sigemptyset(&hangup);
    sigaddset(&hangup, SIGHUP);
    int signal = 0;
    while (sigwait(&hangup, &signal) == 0 && !stopping_) {
        reload();
    }
}

void HangupReloader::reload() {
    if (server_.secure()) {
        reloadOne("server.tls", "TLS files reloaded; serving ", "the certificate", [this] {
            server_.reloadCertificates();
            const auto served = server_.servedCertificate();
            return "certificate " + served.subject + " serial " + served.serial;
        });
    }
    if (runtime_.clients() != nullptr) {
        reloadOne("api.clients", "clients file reloaded; ", "the clients",
                  [this] { return std::to_string(runtime_.reloadClients()) + " clients"; });
    }
    if (tokens_ != nullptr) {
        reloadOne("api.jwt", "bearer token settings reloaded; ", "the token settings", [this] {
            security::JwtVerifier verifier = load_tokens_();
            std::string outcome = "issuer " + verifier.issuer() + " " + verifier.algorithm();
            tokens_->replace(std::move(verifier));
            return outcome;
        });
    }
    if (!server_.secure() && runtime_.clients() == nullptr && tokens_ == nullptr) {
        logger().information("SIGHUP: nothing to reload (plain HTTP, no clients file, no api.jwt)");
    }
}

void HangupReloader::reloadOne(const char* subject, const char* reloaded, const char* kept,
                               const std::function<std::string()>& reload) {
    std::string outcome;
    try {
        outcome = reload();
        logger().information(std::string("SIGHUP: ") + reloaded + outcome);
    } catch (const GatewayError& e) {
        outcome = std::string("kept ") + kept + " in use: " + e.message();
        logger().error("SIGHUP: " + outcome);
    }
    try {
        json::Text detail;
        detail.writer().StartObject();
        json::field(detail.writer(), "outcome", outcome);
        detail.writer().EndObject();
        runtime_.store().appendExchangeLog(
            {0, formatIso(runtime_.clock().now()), "gateway", "config.reload", subject, detail.str()});
    } catch (const GatewayError& e) {
        logger().error("cannot log the reload: " + e.message());
    }
}

}  // namespace gateway::app
