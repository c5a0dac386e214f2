#include "ops/sim/command_line.h"
#include "ops/sim/commands.h"
#include "ops/sim/json_out.h"
#include "ops/sim/sink_server.h"
#include "ops/sim/truth_files.h"

#include <Poco/Exception.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

namespace deptsim {

namespace {

constexpr const char* kUsage =
    "usage: deptsim sink --dir DIR (--secret-file FILE | --secret S) [--host 127.0.0.1] [--port 0] [--fail SPEC]\n"
    "                    [--seed 1] [--threads 16]\n"
    "Receives signed webhook deliveries on POST /hooks/NAME and records each in DIR/received.jsonl.\n"
    "Writes DIR/sink.json once listening; stops on SIGTERM or SIGINT. See ops/sim/PROTOCOL.md, \"sink\".\n";

std::string secretFrom(const Options& options) {
    const auto file = options.get("secret-file");
    const auto text = options.get("secret");
    if (file && text) {
        throw UsageError("give '--secret-file' or '--secret', not both");
    }
    if (!file && !text) {
        throw UsageError("the HMAC secret is required: '--secret-file FILE' or '--secret S'");
    }
    std::string secret;
    if (file) {
        std::ifstream in(*file, std::ios::binary);
        if (!in) {
            throw UsageError("option '--secret-file': cannot read " + *file);
        }
        std::ostringstream content;
        content << in.rdbuf();
        secret = content.str();
        // A file written by `echo` ends with a line break that is not part of the secret.
        while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
            secret.pop_back();
        }
    } else {
        secret = *text;
    }
    if (secret.empty()) {
        throw UsageError("the HMAC secret is empty");
    }
    return secret;
}

std::string sinkJson(const std::string& url, const std::string& received) {
    JsonOut out;
    out.beginObject()
        .field("url", url)
        .field("received", received)
        .field("pid", static_cast<std::int64_t>(::getpid()))
        .endObject();
    return out.str() + "\n";
}

}  // namespace

int runSink(const std::vector<std::string>& args) {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << kUsage;
        return kExitOk;
    }
    StopSignals stop_signals;  // before any thread starts, so that none of them takes the signal
    try {
        const Options options(args, {"dir", "host", "port", "secret-file", "secret", "fail", "seed", "threads"}, {});
        const std::string dir = options.require("dir");
        const std::string host = options.get("host").value_or("127.0.0.1");
        const int port = static_cast<int>(options.number("port", 0, 0, 65535));
        const int threads = static_cast<int>(options.number("threads", 16, 1, 256));
        const auto seed =
            static_cast<std::uint64_t>(options.number("seed", 1, 0, std::numeric_limits<long long>::max()));
        const std::string secret = secretFrom(options);
        SinkFailSpec fail;
        if (const auto spec = options.get("fail")) {
            std::string error;
            const auto parsed = parseSinkFailSpec(*spec, error);
            if (!parsed) {
                throw UsageError("option '--fail': " + error);
            }
            fail = *parsed;
        }

        std::filesystem::create_directories(dir);
        const std::string sink_json = dir + "/sink.json";
        const std::string received = dir + "/received.jsonl";
        std::filesystem::remove(sink_json);
        SinkLedger ledger(received);
        SinkFailState failures(seed);
        failures.set(fail);
        SinkContext context(secret, ledger, failures);
        SinkServer server(context, host, port, threads);
        const std::string url = "http://" + host + ":" + std::to_string(server.port());
        writeFileAtomically(sink_json, sinkJson(url, received));
        std::cout << "deptsim: sink listening on " << url << std::endl;

        stop_signals.wait();
        server.stop();
        std::cout << "deptsim: stopped" << std::endl;
        return kExitOk;
    } catch (const UsageError& e) {
        std::cerr << "deptsim sink: " << e.what() << "\n" << kUsage;
        return kExitUsage;
    } catch (const Poco::Exception& e) {
        std::cerr << "deptsim sink: " << e.displayText() << std::endl;
        return kExitUnavailable;
    } catch (const std::exception& e) {
        std::cerr << "deptsim sink: " << e.what() << std::endl;
        return kExitFailure;
    }
}

}  // namespace deptsim
