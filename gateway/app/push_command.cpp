#include "gateway/app/push_command.h"

#include "gateway/app/command_line.h"
#include "gateway/app/logging.h"
#include "gateway/app/runtime.h"
#include "gateway/common/error.h"
#include "gateway/common/hash.h"

#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <chrono>
#include <iostream>
#include <thread>

namespace gateway::app {

namespace {

const publish::Subscriber& subscriberNamed(const Runtime& runtime, const std::string& name) {
    std::string known;
    for (const publish::Subscriber& subscriber : runtime.subscribers()) {
        if (subscriber.name == name) {
            return subscriber;
        }
        known += (known.empty() ? "" : ", ") + subscriber.name;
    }
    throw GatewayError(ErrorCode::NotFound,
                       "no subscriber named '" + name + "' (configured: " + (known.empty() ? "none" : known) + ")");
}

int status(Runtime& runtime) {
    const std::int64_t head = runtime.store().outboxHead();
    std::cout << "outbox head " << head << "\n";
    for (const publish::Subscriber& subscriber : runtime.subscribers()) {
        const publish::PushState state = runtime.store().pushState(subscriber.name);
        std::cout << subscriber.name << "  scope " << (subscriber.scope.empty() ? "*" : subscriber.scope) << "  view "
                  << subscriber.view << "  through " << state.delivered_through << "  delivered " << state.delivered
                  << "  dead " << state.dead_letters;
        if (state.redeliveries > 0) {
            std::cout << "  redeliver " << state.redeliveries;
        }
        if (state.attempts > 0) {
            std::cout << "  failing (" << state.attempts << " in a row, next " << state.next_attempt_at
                      << "): " << state.last_error;
        }
        std::cout << "\n";
    }
    if (runtime.subscribers().empty()) {
        std::cerr << "no subscribers configured (push.subscribers)\n";
    }
    return kExitOk;
}

/// Rounds of delivery until every subscriber is caught up, or `timeout` passes while some still wait or fail; with
/// `once`, one round.
int run(Runtime& runtime, bool once, std::chrono::seconds timeout) {
    const auto deliverer = runtime.makeDeliverer();
    const int threads = runtime.settings().push.threads;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        bool progress = false;
        bool pending = false;
        for (const publish::DeliveryReport& report : deliverer->deliverAll(threads)) {
            progress = progress || report.delivered > 0 || report.dead_lettered > 0;
            pending = pending || !report.caught_up;
            if (report.delivered > 0 || report.dead_lettered > 0) {
                std::cerr << report.subscriber << ": " << report.delivered << " delivered"
                          << (report.redelivered > 0 ? " (" + std::to_string(report.redelivered) + " redelivered)"
                                                     : std::string())
                          << ", " << report.dead_lettered << " dead-lettered\n";
            }
        }
        if (!pending) {
            return kExitOk;
        }
        if (once || std::chrono::steady_clock::now() >= deadline) {
            std::cerr << "gateway push: some subscribers are not caught up (gateway push status)\n";
            return kExitUnavailable;
        }
        if (!progress) {
            // Everyone left is backing off or unreachable: look again shortly rather than spin.
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
}

int deadLetters(Runtime& runtime, const std::string& name, const std::string& wanted) {
    const publish::Subscriber& subscriber = subscriberNamed(runtime, name);
    std::int64_t after = 0;
    for (;;) {
        const auto letters = runtime.store().deadLetters(subscriber.name, wanted, after, 500);
        for (const publish::DeadLetter& letter : letters) {
            std::cout << letter.outbox_seq << "  " << letter.person_id << ":" << letter.version << "  " << letter.status
                      << "  " << letter.attempts << " attempts  " << letter.dead_at << "  " << letter.error << "\n";
        }
        if (letters.size() < 500) {
            return kExitOk;
        }
        after = letters.back().outbox_seq;
    }
}

int redeliver(Runtime& runtime, const std::string& name, const ParsedOptions& parsed) {
    const publish::Subscriber& subscriber = subscriberNamed(runtime, name);
    std::optional<std::int64_t> seq;
    if (parsed.has("seq")) {
        seq = std::stoll(parsed.get("seq"));
    }
    const std::int64_t marked = runtime.store().requestRedelivery(subscriber.name, seq, parsed.get("actor", "cli"));
    std::cout << marked << " dead letters of " << subscriber.name
              << " will be sent again (gateway serve or gateway push run)\n";
    return kExitOk;
}

}  // namespace

int runPush(const std::vector<std::string>& args) {
    Poco::Util::OptionSet options;
    options.addOption(Poco::Util::Option("help", "h", "print this help and exit"));
    addSettingsOptions(options);
    options.addOption(Poco::Util::Option("once", "", "run: one round of delivery, then stop"));
    options.addOption(
        Poco::Util::Option("timeout", "", "run: give up after this many seconds (default 60)").argument("S"));
    options.addOption(
        Poco::Util::Option("status", "", "dead-letters: dead (default), redeliver, redelivered or any").argument("S"));
    options.addOption(Poco::Util::Option("seq", "", "redeliver: only this outbox entry").argument("N"));
    options.addOption(Poco::Util::Option("actor", "", "redeliver: who asks, for the exchange log").argument("NAME"));
    const std::string usage =
        "[status] | run [--once | --timeout S] | dead-letters SUBSCRIBER [--status S] | redeliver "
        "SUBSCRIBER [--seq N]";
    try {
        const ParsedOptions parsed = parseOptions(options, args);
        if (parsed.has("help")) {
            printHelp(std::cout, "push", usage,
                      "Profile changes pushed to the subscribers of push.subscribers: each one's cursor and failures "
                      "(status), delivering until all are caught up (run; gateway serve does this on its own), the "
                      "events a subscriber refused until its attempts ran out (dead-letters), and sending them again "
                      "(redeliver).",
                      options);
            return kExitOk;
        }
        const std::string action = parsed.positional.empty() ? "status" : parsed.positional[0];
        const bool named = action == "dead-letters" || action == "redeliver";
        if ((named && parsed.positional.size() != 2) || (!named && parsed.positional.size() > 1) ||
            (action != "status" && action != "run" && !named)) {
            std::cerr << "usage: gateway push " << usage << "\n";
            return kExitUsage;
        }
        std::string wanted = parsed.get("status", "dead");
        if (wanted != "dead" && wanted != "redeliver" && wanted != "redelivered" && wanted != "any") {
            throw GatewayError(ErrorCode::InvalidArgument, "--status must be dead, redeliver, redelivered or any");
        }
        auto settings = settingsFromOptions(parsed);
        configureLogging(settings.logging);
        Runtime runtime(std::move(settings));
        if (action == "run") {
            return run(runtime, parsed.has("once"), std::chrono::seconds(std::stoll(parsed.get("timeout", "60"))));
        }
        if (action == "dead-letters") {
            return deadLetters(runtime, parsed.positional[1], wanted == "any" ? "" : wanted);
        }
        if (action == "redeliver") {
            return redeliver(runtime, parsed.positional[1], parsed);
        }
        return status(runtime);
    } catch (const GatewayError& e) {
        std::cerr << "gateway push: " << e.message() << "\n";
        return exitCodeFor(e.code());
    } catch (const std::exception& e) {
        std::cerr << "gateway push: bad number: " << e.what() << "\n";
        return kExitUsage;
    }
}

int runClients(const std::vector<std::string>& args) {
    Poco::Util::OptionSet options;
    options.addOption(Poco::Util::Option("help", "h", "print this help and exit"));
    addSettingsOptions(options);
    const std::string usage = "[list] | new-key";
    try {
        const ParsedOptions parsed = parseOptions(options, args);
        if (parsed.has("help")) {
            printHelp(std::cout, "clients", usage,
                      "The API's clients (api.clients). new-key prints a new random API key on the first line and "
                      "its SHA-256 on the second: give the key to the client and put the hash in the clients file "
                      "as api_key_sha256; the gateway never stores the key itself.",
                      options);
            return kExitOk;
        }
        const std::string action = parsed.positional.empty() ? "list" : parsed.positional[0];
        if (action == "new-key" && parsed.positional.size() == 1) {
            const std::string key = security::newApiKey();
            std::cout << key << "\n" << sha256Hex(key) << "\n";
            return kExitOk;
        }
        if (action != "list" || parsed.positional.size() > 1) {
            std::cerr << "usage: gateway clients " << usage << "\n";
            return kExitUsage;
        }
        const GatewaySettings settings = settingsFromOptions(parsed);
        if (settings.api.clients_file.empty()) {
            std::cout << "api.clients is not set: every caller acts as the local administrator (loopback only)\n";
            return kExitOk;
        }
        const security::ClientRegistry registry = security::ClientRegistry::load(settings.api.clients_file);
        for (const security::Client& client : registry.clients()) {
            std::cout << client.id << "  scope " << (client.scope.empty() ? "*" : client.scope) << "  view "
                      << (client.view.empty() ? "-" : client.view) << "  roles";
            for (const security::Role role : client.roles) {
                std::cout << " " << security::roleName(role);
            }
            std::cout << "\n";
        }
        return kExitOk;
    } catch (const GatewayError& e) {
        std::cerr << "gateway clients: " << e.message() << "\n";
        return exitCodeFor(e.code());
    }
}

}  // namespace gateway::app
