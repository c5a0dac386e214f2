#include "gateway/app/audit_command.h"

#include "gateway/app/command_line.h"
#include "gateway/app/logging.h"
#include "gateway/app/runtime.h"
#include "gateway/audit/checkpoint.h"
#include "gateway/audit/log_export.h"
#include "gateway/audit/log_json.h"
#include "gateway/audit/log_verify.h"
#include "gateway/audit/proof.h"
#include "gateway/common/error.h"
#include "gateway/common/file.h"
#include "gateway/common/json_writer.h"
#include "gateway/common/private_file.h"
#include "gateway/common/utf8.h"
#include "gateway/jobs/audit_job.h"

#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ext/stdio_filebuf.h>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace gateway::app {

namespace {

const char* const kUsage =
    "verify [--from N] [--to N] [--public-key FILE] [--trusted-checkpoint FILE] [--index] [--json] | checkpoint "
    "[--json] | index [--rebuild] | "
    "status [--json] | export "
    "--format csv|jsonl [--actor X] [--action X] [--person ID] [--from TIME] [--to TIME] [--output FILE] | prove SEQ "
    "[--size N] | check-proof FILE [--public-key FILE] | keygen --output FILE [--algorithm ed25519|sm2]";

/// The options each action accepts besides --help, --config and --set, and how many words follow the action.
struct ActionSpec {
    std::set<std::string> options;
    std::size_t arguments = 0;
    const char* argument_name = "";
};

const std::map<std::string, ActionSpec>& actions() {
    static const std::map<std::string, ActionSpec> specs = {
        {"verify", {{"from", "to", "public-key", "trusted-checkpoint", "index", "json"}, 0, ""}},
        {"checkpoint", {{"json"}, 0, ""}},
        {"index", {{"rebuild"}, 0, ""}},
        {"status", {{"json"}, 0, ""}},
        {"export", {{"format", "actor", "action", "person", "from", "to", "output"}, 0, ""}},
        {"prove", {{"size"}, 1, "SEQ"}},
        {"check-proof", {{"public-key"}, 1, "FILE"}},
        {"keygen", {{"output", "algorithm"}, 0, ""}},
    };
    return specs;
}

std::int64_t wholeNumber(const std::string& what, const std::string& text, std::int64_t min) {
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value < min) {
        throw GatewayError(ErrorCode::InvalidArgument, what + " must be a whole number of at least " +
                                                           std::to_string(min) + ", not " + utf8::quote(text));
    }
    return value;
}

/// A time filter: an ISO-8601 UTC time or any prefix of one ("2026", "2026-11-01T08"), compared as text with the
/// entries' times; a trailing Z is dropped so that "…T08:00:00Z" still takes in "…T08:00:00.000Z".
std::string timeBound(const std::string& option, const std::string& text) {
    const auto bound = audit::logTimeBound(text);
    if (!bound) {
        throw GatewayError(ErrorCode::InvalidArgument, "--" + option + " must be an ISO-8601 UTC time or a prefix " +
                                                           "of one (2026-11-01T08:00:00Z, 2026-11), not " +
                                                           utf8::quote(text));
    }
    return *bound;
}

std::string readWholeFile(const std::string& path, const std::string& what) {
    if (path == "-") {
        std::ostringstream text;
        text << std::cin.rdbuf();
        return text.str();
    }
    try {
        return readFileContent(path, what);
    } catch (const GatewayError& e) {
        throw GatewayError(ErrorCode::InvalidArgument, e.message());  // a command-line argument, not configuration
    }
}

/// The configured checkpoint signing key (audit.signing_key), or nullopt when none is set.
std::optional<audit::CheckpointSigner> configuredSigner(const GatewaySettings& settings) {
    if (settings.audit.signing_key.empty()) {
        return std::nullopt;
    }
    try {
        return audit::CheckpointSigner::load(settings.audit.signing_key);
    } catch (const GatewayError& e) {
        throw GatewayError(ErrorCode::InvalidConfig, "key 'audit.signing_key': " + e.message());
    }
}

/// The key checkpoints are checked with: --public-key, else the public half of audit.signing_key, else none.
/// `origin` says where it came from, for the report.
std::optional<audit::CheckpointVerifier> publicKey(const ParsedOptions& parsed, const GatewaySettings& settings,
                                                   std::string& origin) {
    if (parsed.has("public-key")) {
        origin = parsed.get("public-key");
        try {
            return audit::CheckpointVerifier::load(origin);
        } catch (const GatewayError& e) {
            throw GatewayError(ErrorCode::InvalidArgument, "--public-key: " + e.message());
        }
    }
    if (const auto signer = configuredSigner(settings)) {
        origin = "audit.signing_key " + settings.audit.signing_key;
        return audit::CheckpointVerifier::fromPem(signer->publicKeyPem(), origin);
    }
    origin.clear();
    return std::nullopt;
}

void writeCheckpointJson(json::Writer& writer, const audit::Checkpoint& checkpoint) {
    const std::string json = audit::renderCheckpoint(checkpoint);
    writer.RawValue(json.c_str(), json.size(), rapidjson::kObjectType);
}

/// Progress of a long verification: one line redrawn on a terminal, a plain line every 5 s otherwise.
class VerifyProgress {
public:
    explicit VerifyProgress(std::int64_t total) : total_(total), terminal_(isatty(STDERR_FILENO) != 0) {}

    void operator()(std::int64_t checked) {
        const auto now = std::chrono::steady_clock::now();
        const std::string line = "verified " + std::to_string(checked) + " of " + std::to_string(total_) + " entries";
        if (terminal_) {
            std::cerr << "\r\x1b[K" << line << std::flush;
            drawn_ = true;
        } else if (now - last_ >= std::chrono::seconds(5)) {
            std::cerr << line << "\n";
            last_ = now;
        }
    }

    void finish() {
        if (drawn_) {
            std::cerr << "\r\x1b[K" << std::flush;
        }
    }

private:
    std::int64_t total_;
    bool terminal_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

int verify(Runtime& runtime, const ParsedOptions& parsed) {
    audit::AuditVerifyOptions options;
    options.from = parsed.has("from") ? wholeNumber("--from", parsed.get("from"), 1) : 1;
    options.to = parsed.has("to") ? wholeNumber("--to", parsed.get("to"), 1) : 0;
    if (options.to > 0 && options.to < options.from) {
        throw GatewayError(ErrorCode::InvalidArgument, "--to must not be below --from");
    }
    std::string key_origin;
    const auto key = publicKey(parsed, runtime.settings(), key_origin);
    options.key = key ? &*key : nullptr;
    options.index = parsed.has("index");
    if (parsed.has("trusted-checkpoint")) {
        const std::string path = parsed.get("trusted-checkpoint");
        try {
            options.trusted = audit::parseCheckpoint(readWholeFile(path, "the trusted checkpoint"));
        } catch (const GatewayError& e) {
            throw GatewayError(ErrorCode::InvalidArgument, "--trusted-checkpoint " + path + ": " + e.message());
        }
    }
    const std::int64_t head = runtime.store().exchangeLogHead().seq;
    const std::int64_t last = options.to > 0 ? std::min(options.to, head) : head;
    VerifyProgress progress(std::max<std::int64_t>(0, last - options.from + 1));
    options.progress = [&progress](std::int64_t checked) { progress(checked); };
    const audit::VerifyReport report = audit::verifyExchangeLog(runtime.store(), options);
    progress.finish();

    if (parsed.has("json")) {
        std::cout << audit::renderVerifyReport(report, options.index, key ? std::optional(key->keyId()) : std::nullopt)
                  << "\n";
        return report.ok() ? kExitOk : kExitDataError;
    }

    for (const audit::Finding& finding : report.findings) {
        std::cout << "seq " << finding.seq << ": " << finding.problem << "\n";
    }
    if (report.more_findings > 0) {
        std::cout << "… and " << report.more_findings << " more findings\n";
    }
    std::cout << "entries checked: " << report.entries;
    if (report.entries > 0) {
        std::cout << " (" << report.first_seq << " to " << report.last_seq << ")";
    }
    std::cout << "\ncheckpoints checked: " << report.checkpoints;
    if (key) {
        std::cout << ", signatures checked with key " << key->keyId() << " (" << key_origin << ")\n";
    } else {
        std::cout << ", signatures NOT checked: no --public-key and no audit.signing_key (roots and heads compared "
                     "only)\n";
    }
    if (report.trusted_checkpoint) {
        std::cout << "trusted checkpoint: " << report.trusted_checkpoint->size << " entries signed at "
                  << report.trusted_checkpoint->at << ", compared with the database and the entries\n";
    }
    if (report.newest_checkpoint) {
        std::cout << (report.ok() ? "newest checkpoint verified: " : "newest checkpoint in the database: ")
                  << report.newest_checkpoint->size << " entries signed at " << report.newest_checkpoint->at;
        if (!report.trusted_checkpoint) {
            std::cout << " (checkpoints deleted after it, with the entries after it rewritten, show only against a "
                         "--trusted-checkpoint)";
        }
        std::cout << "\n";
    }
    std::cout << "unsigned entries: " << report.unsigned_entries << "\n";
    if (options.index) {
        std::cout << "log index checked for " << report.index_checked << " entries (it covers entries up to "
                  << runtime.store().exchangeLogIndexed() << ")\n";
    }
    const std::int64_t found = static_cast<std::int64_t>(report.findings.size()) + report.more_findings;
    if (report.ok()) {
        std::cout << "OK: the exchange log holds together\n";
        return kExitOk;
    }
    std::cout << "FAILED: " << found << (found == 1 ? " finding" : " findings") << "\n";
    return kExitDataError;
}

int checkpoint(Runtime& runtime, const ParsedOptions& parsed) {
    const auto signer = configuredSigner(runtime.settings());
    if (!signer) {
        throw GatewayError(ErrorCode::InvalidConfig,
                           "no signing key configured: set audit.signing_key to a PEM private key (gateway audit "
                           "keygen --output FILE makes one)");
    }
    const auto signed_now = jobs::writeCheckpoint(runtime.store(), runtime.store(), *signer, Runtime::nodeName());
    const bool json = parsed.has("json");
    if (!signed_now) {
        const audit::CheckpointStatus status = audit::checkpointStatus(runtime.store());
        if (status.unsigned_entries > 0) {
            throw GatewayError(ErrorCode::Unavailable,
                               "another gateway process is signing a checkpoint right now; try again shortly");
        }
        if (json) {
            std::cout << R"({"signed":false,"head":)" << status.head << "}\n";
        } else {
            std::cout << "nothing to sign: "
                      << (status.head == 0
                              ? std::string("the exchange log is empty")
                              : "the latest checkpoint covers all " + std::to_string(status.head) + " entries")
                      << "\n";
        }
        return kExitOk;
    }
    if (json) {
        rapidjson::StringBuffer buffer;
        json::Writer writer(buffer);
        writer.StartObject();
        writer.Key("signed");
        writer.Bool(true);
        writer.Key("checkpoint");
        writeCheckpointJson(writer, *signed_now);
        writer.EndObject();
        std::cout << buffer.GetString() << "\n";
        return kExitOk;
    }
    std::cout << "signed checkpoint of " << signed_now->size << " entries at " << signed_now->at << "\n"
              << "root " << signed_now->root << " (" << signed_now->algorithm << ")\n"
              << "head " << signed_now->head << "\n"
              << "key " << signed_now->key_id << " (" << audit::signatureSchemeName(signer->scheme()) << ")\n"
              << "signature " << signed_now->signature << "\n";
    return kExitOk;
}

int indexLog(Runtime& runtime, const ParsedOptions& parsed) {
    if (parsed.has("rebuild")) {
        runtime.store().clearExchangeLogIndex();
        std::cout << "cleared the log index; building it again from entry 1\n";
    }
    const auto started = std::chrono::steady_clock::now();
    const std::int64_t indexed = audit::indexExchangeLog(runtime.store());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "indexed " << indexed << (indexed == 1 ? " entry" : " entries") << " in " << std::fixed
              << std::setprecision(1) << seconds << " s; the index covers entries 1 to "
              << runtime.store().exchangeLogIndexed() << "\n";
    return kExitOk;
}

int status(Runtime& runtime, const ParsedOptions& parsed) {
    const audit::CheckpointStatus status = audit::checkpointStatus(runtime.store());
    const auto signer = configuredSigner(runtime.settings());
    if (parsed.has("json")) {
        std::cout << audit::renderStatus(status, signer ? std::optional(signer->keyId()) : std::nullopt) << "\n";
        return kExitOk;
    }
    // An empty log is chained with what the settings say once its first entry is written.
    std::cout << "head: " << status.head << " entries (" << status.algorithm.value_or(runtime.settings().store.log_hash)
              << ")";
    if (!status.head_hash.empty()) {
        std::cout << ", hash " << status.head_hash;
    }
    std::cout << "\nlatest checkpoint: ";
    if (status.latest) {
        std::cout << status.latest->size << " entries at " << status.latest->at << ", key " << status.latest->key_id
                  << "\n";
    } else {
        std::cout << "none\n";
    }
    std::cout << "unsigned entries: " << status.unsigned_entries << "\n";
    if (status.persons_hashed_from > 1) {
        std::cout << "persons hashed from entry " << status.persons_hashed_from
                  << " (entries before it were written by a version that did not hash them)\n";
    }
    std::cout << "unindexed entries: " << status.unindexed_entries << " (gateway serve indexes every "
              << runtime.settings().audit.index_interval_seconds << " s; gateway audit index does it now)\n";
    if (signer) {
        std::cout << "signing key: " << signer->keyId() << " (" << audit::signatureSchemeName(signer->scheme()) << ", "
                  << runtime.settings().audit.signing_key << "), gateway serve signs every "
                  << runtime.settings().audit.checkpoint_interval_seconds << " s\n";
    } else {
        std::cout << "signing key: none (audit.signing_key is not set; gateway serve signs no checkpoints)\n";
    }
    return kExitOk;
}

int exportLog(Runtime& runtime, const ParsedOptions& parsed) {
    const std::string format_name = parsed.get("format");
    audit::ExportFormat format = audit::ExportFormat::Csv;
    if (format_name == "jsonl") {
        format = audit::ExportFormat::JsonLines;
    } else if (format_name != "csv") {
        throw GatewayError(ErrorCode::InvalidArgument,
                           parsed.has("format") ? "--format must be csv or jsonl, not " + utf8::quote(format_name)
                                                : std::string("export needs --format csv or --format jsonl"));
    }
    audit::ExchangeLogQuery query;
    query.actor = parsed.get("actor");
    query.action = parsed.get("action");
    query.person = parsed.get("person");
    if (parsed.has("from")) {
        query.from = timeBound("from", parsed.get("from"));
    }
    if (parsed.has("to")) {
        query.to = timeBound("to", parsed.get("to"));
    }
    const std::string output = parsed.get("output");
    // The log names children and who read their files: an export is as private as the store it came from.
    std::unique_ptr<PrivateFile> file;
    std::unique_ptr<__gnu_cxx::stdio_filebuf<char>> buffer;
    std::unique_ptr<std::ostream> file_stream;
    if (!output.empty()) {
        file = std::make_unique<PrivateFile>(output, PrivateFile::Mode::Replace);
        buffer = std::make_unique<__gnu_cxx::stdio_filebuf<char>>(::dup(file->fd()), std::ios::out | std::ios::binary);
        file_stream = std::make_unique<std::ostream>(buffer.get());
    }
    std::ostream& out = output.empty() ? std::cout : *file_stream;
    const std::int64_t written = audit::exportExchangeLog(runtime.store(), query, format, out);
    out.flush();
    if (!out) {
        throw GatewayError(ErrorCode::Internal,
                           "writing the export failed" + (output.empty() ? std::string() : " (" + output + ")"));
    }
    if (file) {
        buffer->close();
        file->close();
    }
    std::cerr << "exported " << written << (written == 1 ? " entry" : " entries")
              << (output.empty() ? std::string() : " to " + output) << "\n";
    return kExitOk;
}

int prove(Runtime& runtime, const ParsedOptions& parsed) {
    const std::int64_t seq = wholeNumber("SEQ", parsed.positional[1], 1);
    std::optional<std::uint64_t> size;
    if (parsed.has("size")) {
        size = static_cast<std::uint64_t>(wholeNumber("--size", parsed.get("size"), 1));
    }
    std::cout << audit::renderProof(audit::proveEntry(runtime.store(), seq, size)) << "\n";
    return kExitOk;
}

int checkProofFile(const ParsedOptions& parsed) {
    std::string key_origin;
    std::optional<audit::CheckpointVerifier> key;
    if (parsed.has("public-key")) {
        key = publicKey(parsed, GatewaySettings{}, key_origin);
    } else {
        key = publicKey(parsed, settingsFromOptions(parsed), key_origin);
    }
    if (!key) {
        throw GatewayError(ErrorCode::InvalidArgument,
                           "check-proof needs --public-key FILE (the gateway's public key, from gateway audit keygen)");
    }
    const std::string path = parsed.positional[1];
    const std::string text = readWholeFile(path, "the proof");
    audit::InclusionProof proof;
    try {
        proof = audit::parseProof(text);
    } catch (const GatewayError& e) {
        std::cout << "invalid: " << e.message() << "\n";
        return kExitDataError;
    }
    std::string why;
    if (!audit::checkProof(proof, *key, &why)) {
        if (!proof.checkpoint.key_id.empty() && proof.checkpoint.key_id != key->keyId()) {
            why += " (the checkpoint names key " + proof.checkpoint.key_id + ", this key is " + key->keyId() + ")";
        }
        std::cout << "invalid: " << why << "\n";
        return kExitDataError;
    }
    std::cout << "valid: entry " << proof.entry.seq << " (" << proof.entry.at << " " << proof.entry.actor << " "
              << proof.entry.action << " " << proof.entry.subject << ") is in the checkpoint of "
              << proof.checkpoint.size << " entries signed at " << proof.checkpoint.at << " by key " << key->keyId()
              << "\n";
    return kExitOk;
}

int keygen(const ParsedOptions& parsed) {
    if (!parsed.has("output") || parsed.get("output").empty()) {
        throw GatewayError(ErrorCode::InvalidArgument, "keygen needs --output FILE for the private key");
    }
    const std::string algorithm = parsed.get("algorithm", "ed25519");
    audit::SignatureScheme scheme = audit::SignatureScheme::Ed25519;
    if (algorithm == "sm2") {
        scheme = audit::SignatureScheme::Sm2;
    } else if (algorithm != "ed25519") {
        throw GatewayError(ErrorCode::InvalidArgument,
                           "--algorithm must be ed25519 or sm2, not " + utf8::quote(algorithm));
    }
    const std::string pem = audit::generateSigningKeyPem(scheme);
    const audit::CheckpointSigner signer = audit::CheckpointSigner::fromPem(pem, "the new key");

    const std::string path = parsed.get("output");
    writeNewPrivateFile(path, pem);
    std::cout << signer.publicKeyPem();
    std::cerr << "wrote an " << audit::signatureSchemeName(signer.scheme()) << " checkpoint signing key to " << path
              << " (mode 0600), key id " << signer.keyId()
              << "; set audit.signing_key to it, and give auditors the public key above\n";
    return kExitOk;
}

}  // namespace

int runAudit(const std::vector<std::string>& args) {
    Poco::Util::OptionSet options;
    options.addOption(Poco::Util::Option("help", "h", "print this help and exit"));
    addSettingsOptions(options);
    options.addOption(Poco::Util::Option("json", "", "verify, checkpoint, status: print JSON"));
    options.addOption(Poco::Util::Option("index", "",
                                         "verify: also check that the log index holds what each entry names (reads "
                                         "the whole index)"));
    options.addOption(
        Poco::Util::Option("rebuild", "", "index: clear the log index and build it again from the entries"));
    options.addOption(
        Poco::Util::Option("from", "", "verify: first entry (SEQ); export: entries at or after (TIME)").argument("X"));
    options.addOption(
        Poco::Util::Option("to", "", "verify: last entry (SEQ); export: entries before (TIME)").argument("X"));
    options.addOption(Poco::Util::Option("public-key", "",
                                         "verify, check-proof: the gateway's public key (PEM); by default the public "
                                         "half of audit.signing_key")
                          .argument("FILE"));
    options.addOption(Poco::Util::Option("trusted-checkpoint", "",
                                         "verify: a checkpoint kept outside the database (JSON, as checkpoint --json "
                                         "or status --json print it); the database must still hold it and the "
                                         "entries must still give its root")
                          .argument("FILE"));
    options.addOption(Poco::Util::Option("format", "", "export: csv or jsonl").argument("F"));
    options.addOption(Poco::Util::Option("actor", "", "export: entries of this actor").argument("X"));
    options.addOption(
        Poco::Util::Option("action", "", "export: this action, or a family ending in '.' (api.)").argument("X"));
    options.addOption(Poco::Util::Option("person", "", "export: entries concerning this person").argument("ID"));
    options.addOption(Poco::Util::Option("output", "",
                                         "export: write here instead of standard output; keygen: the new private "
                                         "key's file (must not exist)")
                          .argument("FILE"));
    options.addOption(
        Poco::Util::Option("size", "", "prove: against the checkpoint of N entries (default: the first covering it)")
            .argument("N"));
    options.addOption(Poco::Util::Option("algorithm", "", "keygen: ed25519 (default) or sm2").argument("A"));
    try {
        const ParsedOptions parsed = parseOptions(options, args);
        if (parsed.has("help")) {
            printHelp(std::cout, "audit", kUsage,
                      "The exchange log's integrity. verify recomputes the hash chain and the Merkle tree and checks "
                      "every signed checkpoint (signatures with --public-key, else with the public half of "
                      "audit.signing_key, else not at all), that each names the one before it and that where "
                      "persons are hashed from is what they signed, with --trusted-checkpoint that the database "
                      "still holds a checkpoint kept elsewhere and the entries still give its root (without one, it "
                      "names the newest checkpoint it verified), and with --index the log index against the "
                      "entries, printing each finding with its entry's seq; checkpoint "
                      "signs the entries appended since the last checkpoint with audit.signing_key; index brings the "
                      "log's index of actors, actions and persons up to date (gateway serve does it every "
                      "audit.index_interval_seconds), or with --rebuild builds it again; status shows the head, the "
                      "latest checkpoint and the unsigned "
                      "and unindexed backlogs; export writes entries as CSV or JSON "
                      "Lines; prove prints an entry's inclusion proof (JSON) against a signed checkpoint; "
                      "check-proof checks one (FILE, or - for standard input) with the gateway's public key, without "
                      "the store; keygen makes a new "
                      "signing key (mode 0600) and prints its public key. Exit code 0 on success, 65 when verify "
                      "finds anything or a proof does not hold, 64 for bad arguments, 69 when the store is "
                      "unavailable, 78 for configuration (no or bad audit.signing_key).",
                      options);
            return kExitOk;
        }
        if (parsed.positional.empty()) {
            std::cerr << "gateway audit: which action?\nusage: gateway audit " << kUsage << "\n";
            return kExitUsage;
        }
        const std::string action = parsed.positional[0];
        const auto spec = actions().find(action);
        if (spec == actions().end()) {
            std::cerr << "gateway audit: unknown action '" << action << "'\nusage: gateway audit " << kUsage << "\n";
            return kExitUsage;
        }
        if (parsed.positional.size() != 1 + spec->second.arguments) {
            std::cerr << "gateway audit " << action << ": "
                      << (spec->second.arguments == 0 ? std::string("takes no arguments")
                                                      : std::string("takes one ") + spec->second.argument_name)
                      << "\nusage: gateway audit " << kUsage << "\n";
            return kExitUsage;
        }
        for (const auto& [name, value] : parsed.values) {
            if (name != "help" && name != "config" && name != "set" && spec->second.options.count(name) == 0) {
                std::cerr << "gateway audit " << action << ": --" << name << " does not apply\nusage: gateway audit "
                          << kUsage << "\n";
                return kExitUsage;
            }
        }
        // Neither needs the store: an auditor checks a proof, or an operator makes a key, anywhere.
        if (action == "keygen") {
            return keygen(parsed);
        }
        if (action == "check-proof") {
            return checkProofFile(parsed);
        }
        auto settings = settingsFromOptions(parsed);
        configureLogging(settings.logging);
        Runtime runtime(std::move(settings));
        if (action == "verify") {
            return verify(runtime, parsed);
        }
        if (action == "checkpoint") {
            return checkpoint(runtime, parsed);
        }
        if (action == "index") {
            return indexLog(runtime, parsed);
        }
        if (action == "status") {
            return status(runtime, parsed);
        }
        if (action == "export") {
            return exportLog(runtime, parsed);
        }
        return prove(runtime, parsed);
    } catch (const GatewayError& e) {
        std::cerr << "gateway audit: " << e.message() << "\n";
        return exitCodeFor(e.code());
    } catch (const Poco::Exception& e) {
        std::cerr << "gateway audit: " << e.displayText() << "\n";
        return kExitFailure;
    } catch (const std::exception& e) {
        std::cerr << "gateway audit: " << e.what() << "\n";
        return kExitFailure;
    }
}

}  // namespace gateway::app
