#include "gateway/app/keys_command.h"

#include "gateway/app/command_line.h"
#include "gateway/app/logging.h"
#include "gateway/app/runtime.h"
#include "gateway/common/error.h"
#include "gateway/common/file.h"
#include "gateway/common/private_file.h"
#include "gateway/vault/field_cipher.h"
#include "gateway/vault/keyring.h"

#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

namespace gateway::app {

namespace {

constexpr std::size_t kDefaultBatch = 1000;

/// Replaces the keyring file with `text` as one rename, so that a crash leaves the old file or the new one.
void replaceKeyringFile(const std::string& path, std::string text) {
    const std::string next = path + ".next";
    ::unlink(next.c_str());  // a leftover of an interrupted rotation holds nothing the file does not
    writeNewPrivateFile(next, text);
    OPENSSL_cleanse(text.data(), text.size());
    if (::rename(next.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(next.c_str());
        throw GatewayError(ErrorCode::Internal, path + ": cannot be replaced: " + std::strerror(error));
    }
}

void printStatus(store::Store& store, const vault::FieldCipher* cipher, std::ostream& out) {
    out << "sealing: "
        << (cipher != nullptr ? "on, current key " + cipher->currentKeyId() : std::string("off (no keyring)")) << "\n";
    std::int64_t plaintext = 0;
    std::int64_t unbound = 0;
    std::int64_t old_key = 0;
    for (const store::SealedColumnCount& column : store.sealedCounts()) {
        out << "  " << column.column << ": " << column.plaintext << " plaintext";
        if (column.unbound > 0) {
            out << ", " << column.unbound << " not bound to their rows";
        }
        plaintext += column.plaintext;
        unbound += column.unbound;
        for (const auto& [key, count] : column.keys) {
            out << ", " << count << " under " << key;
            if (cipher == nullptr || key != cipher->currentKeyId()) {
                old_key += count;
            }
        }
        out << "\n";
    }
    if (plaintext > 0 || unbound > 0 || (cipher != nullptr && old_key > 0)) {
        out << plaintext << " plaintext";
        if (unbound > 0) {
            out << ", " << unbound << " unbound";
        }
        out << " and " << old_key << " old-key values to re-seal: run `gateway keys rotate`"
            << (cipher == nullptr ? " with a keyring" : "")
            << (cipher != nullptr && plaintext + unbound > 0
                    ? "; until then the gateway refuses to read the plaintext and unbound ones"
                    : "")
            << "\n";
    }
}

}  // namespace

std::shared_ptr<const vault::FieldCipher> loadFieldCipher(const GatewaySettings& settings,
                                                          const std::function<void(const std::string&)>& warn) {
    if (!settings.security.keyring_file.empty()) {
        return std::make_shared<const vault::FieldCipher>(vault::Keyring::load(settings.security.keyring_file, warn));
    }
    const char* variable = std::getenv(kKeyringVariable);
    if (variable != nullptr && *variable != '\0') {
        return std::make_shared<const vault::FieldCipher>(vault::Keyring::fromEnvironment(kKeyringVariable));
    }
    return nullptr;
}

int runKeys(const std::vector<std::string>& args) {
    Poco::Util::OptionSet options;
    options.addOption(Poco::Util::Option("help", "h", "print this help and exit"));
    addSettingsOptions(options);
    options.addOption(
        Poco::Util::Option("output", "o", "generate: the keyring file to create").argument("FILE").repeatable(false));
    options.addOption(
        Poco::Util::Option("new-key", "", "rotate: add a fresh key to security.keyring and make it current"));
    options.addOption(Poco::Util::Option("batch", "", "rotate: values re-sealed per transaction (default 1000)")
                          .argument("N")
                          .repeatable(false));
    const std::string usage = "generate --output FILE | rotate [--new-key] [--batch N] | status";
    try {
        const ParsedOptions parsed = parseOptions(options, args);
        if (parsed.has("help")) {
            printHelp(std::cout, "keys", usage,
                      "The keys that seal citizen and guardian ID numbers, phone numbers and whole raw payloads at "
                      "rest (AES-256-GCM, with a keyed blind index for lookups by ID number). generate: write a new "
                      "keyring (mode 0600; never overwrites) to configure as security.keyring; keep a copy off the "
                      "machine, without it the sealed data is lost. rotate --new-key: add a fresh key to the "
                      "keyring file and make it current, then restart every gateway on the database with it. "
                      "rotate: re-seal, in batches and beside running gateways, every stored value that is "
                      "plaintext, sealed before values were bound to their rows, or sealed under an older key, "
                      "printing progress; safe to interrupt and run again. With a keyring the gateway reads no "
                      "plaintext or unbound value, so run it once after configuring a keyring or upgrading. An "
                      "old key may "
                      "leave the file once status counts no value under it. status: count the stored values per key "
                      "and the plaintext ones.",
                      options);
            return kExitOk;
        }
        const std::string action = parsed.positional.empty() ? "" : parsed.positional[0];
        if (parsed.positional.size() != 1 || (action != "generate" && action != "rotate" && action != "status")) {
            std::cerr << "usage: gateway keys " << usage << "\n";
            return kExitUsage;
        }
        if (action == "generate") {
            const std::string output = parsed.get("output");
            if (output.empty()) {
                std::cerr << "gateway keys: generate needs --output FILE\n";
                return kExitUsage;
            }
            std::string json = vault::Keyring::generate();
            writeNewPrivateFile(output, json);
            OPENSSL_cleanse(json.data(), json.size());
            std::cout << "wrote a new keyring to " << output
                      << " (mode 0600, key k1); set security.keyring to it, and keep a copy somewhere safe: without it "
                         "the sealed data cannot be read\n";
            return kExitOk;
        }

        auto settings = settingsFromOptions(parsed);
        configureLogging(settings.logging);
        std::size_t batch = kDefaultBatch;
        if (parsed.has("batch")) {
            const std::string text = parsed.get("batch");
            char* end = nullptr;
            const unsigned long long value = std::strtoull(text.c_str(), &end, 10);
            if (text.empty() || *end != '\0' || value == 0 || value > 1000000) {
                throw GatewayError(ErrorCode::InvalidArgument, "--batch must be a whole number from 1 to 1000000");
            }
            batch = static_cast<std::size_t>(value);
        }
        if (action == "rotate" && parsed.has("new-key")) {
            const std::string& path = settings.security.keyring_file;
            if (path.empty()) {
                throw GatewayError(ErrorCode::InvalidConfig,
                                   std::string("--new-key adds a key to the keyring file security.keyring, and none is "
                                               "configured") +
                                       (std::getenv(kKeyringVariable) != nullptr
                                            ? std::string(" (the keyring comes from ") + kKeyringVariable +
                                                  ", which this command cannot change: write it to a file, 0600, "
                                                  "and set security.keyring)"
                                            : ""));
            }
            std::string old_json = readFileContent(path, "keyring");
            std::string new_json = vault::Keyring::rotated(old_json, path);
            OPENSSL_cleanse(old_json.data(), old_json.size());
            const std::string added = vault::Keyring::parse(new_json, path).current().id;
            replaceKeyringFile(path, std::move(new_json));
            // Nothing is re-sealed yet: a gateway still running with the old keyring could not open what the new
            // key seals, so every one must have the new keyring first.
            std::cout << "added key " << added << " to " << path
                      << " and made it current; restart every gateway on this database with it (until then they "
                         "cannot read values sealed under "
                      << added << "), then run `gateway keys rotate` to re-seal the stored values under it\n";
            return kExitOk;
        }
        Runtime runtime(std::move(settings));
        store::Store& store = runtime.store();
        const vault::FieldCipher* cipher = runtime.settings().store.cipher.get();
        if (action == "status") {
            printStatus(store, cipher, std::cout);
            return kExitOk;
        }
        if (cipher == nullptr) {
            throw GatewayError(ErrorCode::InvalidConfig,
                               std::string("no keyring: set security.keyring (gateway keys generate --output FILE) "
                                           "or ") +
                                   kKeyringVariable);
        }
        std::cout << "re-sealing under key " << cipher->currentKeyId() << ", " << batch << " values a batch\n";
        std::int64_t total = 0;
        for (;;) {
            const std::int64_t done = store.resealSome(batch, false);
            if (done == 0) {
                break;
            }
            total += done;
            std::cout << "  " << total << " values re-sealed\n" << std::flush;
        }
        std::cout << "done: " << total << " values re-sealed; every stored value is sealed under key "
                  << cipher->currentKeyId() << "\n";
        if (store.kind() == store::StoreKind::Sqlite && total > 0) {
            std::cout << "the SQLite file may still hold the replaced values in free pages until it is vacuumed "
                         "(sqlite3 FILE 'VACUUM', with the gateway stopped)\n";
        }
        return kExitOk;
    } catch (const GatewayError& e) {
        std::cerr << "gateway keys: " << e.message() << "\n";
        return exitCodeFor(e.code());
    }
}

}  // namespace gateway::app
