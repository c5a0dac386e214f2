#include "gateway/app/info_commands.h"

#include "gateway/app/command_line.h"
#include "gateway/app/keys_command.h"
#include "gateway/app/settings.h"
#include "gateway/common/error.h"
#include "gateway/store/store.h"

#include <Poco/Environment.h>
#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <openssl/crypto.h>

#include <iostream>

namespace gateway::app {
namespace {

Poco::Util::Option helpOption() {
    return Poco::Util::Option("help", "h", "print this help and exit").required(false);
}

std::string pocoVersion() {
    const auto v = Poco::Environment::libraryVersion();
    return std::to_string(v >> 24) + "." + std::to_string((v >> 16) & 0xFF) + "." + std::to_string((v >> 8) & 0xFF);
}

int configCheck(const std::vector<std::string>& args) {
    Poco::Util::OptionSet options;
    options.addOption(helpOption());
    addSettingsOptions(options);
    options.addOption(
        Poco::Util::Option("store", "", "also open the configured store and check that it answers").required(false));
    ParsedOptions parsed;
    try {
        parsed = parseOptions(options, args);
    } catch (const GatewayError& e) {
        std::cerr << "gateway config check: " << e.message() << "\n";
        return kExitUsage;
    }
    if (parsed.has("help")) {
        printHelp(std::cout, "config check", "[--config FILE] [--set KEY=VALUE]... [--store]",
                  "Validates a configuration: every key known, every value well-formed. Exit code 0 when valid.",
                  options);
        return kExitOk;
    }
    if (!parsed.positional.empty()) {
        std::cerr << "gateway config check: unexpected argument '" << parsed.positional.front() << "'\n";
        return kExitUsage;
    }
    GatewaySettings settings;
    try {
        settings = settingsFromOptions(parsed);
        loadDivisions(settings.reference);
        // A keyring that does not load would stop every command that opens the store.
        loadFieldCipher(settings,
                        [](const std::string& advice) { std::cerr << "gateway: warning: " << advice << "\n"; });
    } catch (const GatewayError& e) {
        std::cerr << "gateway config check: " << e.message() << "\n";
        return kExitConfig;
    }
    const std::string origin = parsed.has("config") ? parsed.get("config") : std::string("defaults");
    if (parsed.has("store")) {
        try {
            auto store = store::openStore(settings.store);
            store->ping();
            std::cout << "store " << store::storeKindName(store->kind()) << " answers; schema version "
                      << store->schemaVersion() << "\n";
        } catch (const GatewayError& e) {
            std::cerr << "gateway config check: " << e.message() << "\n";
            return kExitUnavailable;
        }
    }
    std::cout << "configuration OK: " << origin << "\n";
    return kExitOk;
}

}  // namespace

int runVersion(const std::vector<std::string>& args) {
    if (!args.empty() && (args.front() == "--help" || args.front() == "-h")) {
        std::cout << "usage: gateway version\nPrints the gateway's version and the libraries it runs on.\n";
        return kExitOk;
    }
    if (!args.empty()) {
        std::cerr << "gateway version: unexpected argument '" << args.front() << "'\n";
        return kExitUsage;
    }
    std::cout << "gateway " << GATEWAY_VERSION << "\n"
              << "Poco " << pocoVersion() << "\n"
              << OpenSSL_version(OPENSSL_VERSION) << "\n";
    return kExitOk;
}

int runConfig(const std::vector<std::string>& args) {
    const std::string usage =
        "usage: gateway config check [--config FILE] [--set KEY=VALUE]... [--store]\n"
        "       gateway config example\n";
    if (args.empty() || args.front() == "--help" || args.front() == "-h") {
        std::cout << usage;
        return args.empty() ? kExitUsage : kExitOk;
    }
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (args.front() == "check") {
        return configCheck(rest);
    }
    if (args.front() == "example") {
        if (!rest.empty()) {
            std::cerr << "gateway config example: takes no arguments\n";
            return kExitUsage;
        }
        std::cout << exampleConfig();
        return kExitOk;
    }
    std::cerr << "gateway config: unknown subcommand '" << args.front() << "'\n" << usage;
    return kExitUsage;
}

}  // namespace gateway::app
