#pragma once

#include "gateway/api/api_server.h"
#include "gateway/app/runtime.h"
#include "gateway/security/jwt.h"
#include "gateway/security/reloadable.h"

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace gateway::app {

/// Blocks SIGINT, SIGTERM and SIGHUP in the calling thread. Called before the server's and the scheduler's threads
/// start, so that they inherit the mask: the stop signals are then taken by waitForTerminationRequest() and SIGHUP by
/// the HangupReloader, never by a worker, which would kill the process with requests and a link run half done.
void blockServeSignals();

/// On SIGHUP, reloads the server's certificates, the clients file and the bearer-token settings, on a thread of its
/// own. Each outcome, taken or refused, is an exchange-log entry: who could call the API, and with which certificate,
/// changes only through here. `tokens` is null without api.jwt. Everything given must outlive it.
class HangupReloader {
public:
    HangupReloader(api::ApiServer& server, Runtime& runtime, security::Reloadable<security::JwtVerifier>* tokens,
                   std::function<security::JwtVerifier()> load_tokens);
    /// Stops the thread.
    ~HangupReloader();
    HangupReloader(const HangupReloader&) = delete;
    HangupReloader& operator=(const HangupReloader&) = delete;

private:
    void run();
    void reload();
    /// `reload` run, and its outcome (what it returns, or `kept` and the error) logged after `reloaded` and recorded
    /// under `subject`.
    void reloadOne(const char* subject, const char* reloaded, const char* kept,
                   const std::function<std::string()>& reload);

    api::ApiServer& server_;
    Runtime& runtime_;
    security::Reloadable<security::JwtVerifier>* tokens_;
    std::function<security::JwtVerifier()> load_tokens_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;  // last: started once everything it reads is set
};

}  // namespace gateway::app
