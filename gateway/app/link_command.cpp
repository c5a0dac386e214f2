#include "gateway/app/link_command.h"

#include "gateway/app/command_line.h"
#include "gateway/app/logging.h"
#include "gateway/app/runtime.h"
#include "gateway/common/error.h"
#include "gateway/linkage/linker.h"

#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace gateway::app {

namespace {

/// One CSV field, quoted when it needs to be (RFC 4180).
std::string csvField(const std::string& value) {
    if (value.find_first_of(",\"\r\n") == std::string::npos) {
        return value;
    }
    std::string quoted = "\"";
    for (char c : value) {
        quoted += c == '"' ? "\"\"" : std::string(1, c);
    }
    return quoted + "\"";
}

/// Splits one CSV line (RFC 4180 quotes, no line breaks inside fields).
std::vector<std::string> csvFields(const std::string& line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else if (c != '\r') {
            fields.back() += c;
        }
    }
    return fields;
}

/// "police_population/P0000123" → the record's index; throws InvalidArgument when unknown.
std::size_t recordByKey(const linkage::RecordTable& table, const std::string& key) {
    const std::size_t slash = key.find('/');
    const std::size_t index =
        slash == std::string::npos ? std::string::npos : table.find(key.substr(0, slash), key.substr(slash + 1));
    if (index == std::string::npos) {
        throw GatewayError(ErrorCode::InvalidArgument, "no record " + key + " in the input (give SOURCE/SOURCE_ID)");
    }
    return index;
}

struct TruthRead {
    std::vector<std::string> entity;  // per record
    std::size_t lines = 0;
    std::size_t unknown = 0;  // truth lines naming no input record
};

TruthRead readTruth(const std::string& path, const linkage::RecordTable& table) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw GatewayError(ErrorCode::InvalidArgument, path + ": cannot read the truth file");
    }
    TruthRead truth;
    truth.entity.resize(table.size());
    std::string line;
    std::size_t number = 0;
    std::size_t source_column = 0;
    std::size_t id_column = 1;
    std::size_t entity_column = 2;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line == "\r") {
            continue;
        }
        const std::vector<std::string> fields = csvFields(line);
        if (number == 1) {
            for (std::size_t i = 0; i < fields.size(); ++i) {
                if (fields[i] == "source")
                    source_column = i;
                if (fields[i] == "source_id")
                    id_column = i;
                if (fields[i] == "entity_id")
                    entity_column = i;
            }
            continue;
        }
        const std::size_t needed = std::max({source_column, id_column, entity_column});
        if (fields.size() <= needed) {
            throw GatewayError(ErrorCode::InvalidArgument,
                               path + ":" + std::to_string(number) + ": expected source,source_id,entity_id");
        }
        ++truth.lines;
        const std::size_t index = table.find(fields[source_column], fields[id_column]);
        if (index == std::string::npos) {
            ++truth.unknown;
            continue;
        }
        truth.entity[index] = fields[entity_column];
    }
    return truth;
}

int linkFile(const ParsedOptions& parsed) {
    const std::string input = parsed.get("input");
    const std::string out_path = parsed.get("out");
    if (out_path.empty()) {
        std::cerr << "gateway link: --out CLUSTERS.csv is required with --input\n";
        return kExitUsage;
    }
    const auto started = std::chrono::steady_clock::now();
    if (parsed.has("set") || parsed.has("full")) {
        std::cerr << "gateway link: --set and --full apply to linking the store, not --input\n";
        return kExitUsage;
    }
    const linkage::LinkageConfig config = parsed.has("config") ? linkage::LinkageConfig::load(parsed.get("config"))
                                                               : linkage::LinkageConfig::builtinChild();
    std::ifstream in(input, std::ios::binary);
    if (!in) {
        std::cerr << "gateway link: " << input << ": cannot read\n";
        return kExitUsage;
    }
    linkage::RecordTable table(config);
    const unsigned threads = parsed.has("threads") ? static_cast<unsigned>(std::stoul(parsed.get("threads")))
                                                   : std::max(1u, std::thread::hardware_concurrency());
    std::size_t rejected = 0;
    table.addJsonLines(in, threads, [&](std::size_t number, const std::string& error) {
        ++rejected;
        if (rejected <= 20) {
            std::cerr << input << ":" << number << ": " << error << " (line skipped)\n";
        }
    });
    if (rejected > 20) {
        std::cerr << input << ": " << rejected << " lines skipped in all\n";
    }
    const double load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cerr << "link: " << table.size() << " records read in " << load_seconds << " s\n";

    linkage::LinkOptions options;
    options.threads = threads;
    options.progress = [](const std::string& text) { std::cerr << "link: " << text << "\n"; };
    const linkage::LinkResult result = linkage::link(table, options);
    for (const std::string& warning : result.warnings) {
        std::cerr << "link: warning: " << warning << "\n";
    }

    std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
    if (!out) {
        std::cerr << "gateway link: " << out_path << ": cannot write\n";
        return kExitFailure;
    }
    out << "source,source_id,person_id\n";
    for (std::size_t r = 0; r < table.size(); ++r) {
        out << csvField(table.sourceName(table.source(r))) << ',' << csvField(table.sourceId(r)) << ','
            << result.person[r] << '\n';
    }
    out.close();
    if (!out) {
        std::cerr << "gateway link: " << out_path << ": write failed\n";
        return kExitFailure;
    }

    if (parsed.has("model-out")) {
        std::ofstream model(parsed.get("model-out"), std::ios::binary | std::ios::trunc);
        model << linkage::modelToJson(config, result.model, linkage::TermFrequencies()) << "\n";
    }
    if (parsed.has("review-out")) {
        std::ofstream review(parsed.get("review-out"), std::ios::binary | std::ios::trunc);
        review << "left,right,weight,reason\n";
        for (const linkage::ReviewCandidate& item : result.review) {
            review << csvField(table.key(item.a)) << ',' << csvField(table.key(item.b)) << ',' << item.weight << ','
                   << item.reason << '\n';
        }
    }

    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const linkage::LinkStats& stats = result.stats;
    std::cerr << "link: " << stats.records << " records, " << stats.pairs_compared << " pairs compared, "
              << stats.deterministic_links << " deterministic and " << stats.probabilistic_links << " scored links, "
              << stats.rejected_links << " held back, " << stats.persons << " persons, " << stats.review
              << " for review, " << seconds << " s (reading " << load_seconds << " s, blocking "
              << stats.seconds_blocking << " s, estimation " << stats.seconds_estimate << " s, scoring "
              << stats.seconds_scoring << " s, clustering " << stats.seconds_clustering << " s)\n";

    for (const auto& [rule, pairs] : stats.pairs_per_rule) {
        std::cerr << "link:   " << rule << ": " << pairs << " pairs\n";
    }
    for (const std::string& pair : parsed.all("explain")) {
        const std::size_t comma = pair.find(',');
        if (comma == std::string::npos) {
            throw GatewayError(ErrorCode::InvalidArgument, "--explain expects SOURCE/ID,SOURCE/ID");
        }
        const linkage::ScoringModel model(table, result.model);
        std::cout << model
                         .explain(recordByKey(table, pair.substr(0, comma)), recordByKey(table, pair.substr(comma + 1)))
                         .toText();
    }
    if (parsed.has("truth")) {
        const TruthRead truth = readTruth(parsed.get("truth"), table);
        const linkage::PairwiseScore score = linkage::pairwiseScore(result.person, truth.entity);
        std::cerr << "link: truth: " << truth.lines << " lines, " << truth.unknown << " naming no input record, "
                  << score.records_without_truth << " records without truth; pairs: " << score.true_pairs << " true, "
                  << score.predicted_pairs << " predicted, " << score.correct_pairs << " correct\n";
        std::cout << score.line() << std::endl;
    }
    return kExitOk;
}

/// Links the store's staged records (incrementally unless --full), or explains pairs with the stored model.
int linkStore(const ParsedOptions& parsed) {
    for (const char* option : {"out", "truth", "review-out", "model-out"}) {
        if (parsed.has(option)) {
            std::cerr << "gateway link: --" << option << " applies to --input only\n";
            return kExitUsage;
        }
    }
    int exit_code = kExitOk;
    const std::unique_ptr<Runtime> runtime = openRuntime(parsed, "link", exit_code);
    if (!runtime) {
        return exit_code;
    }
    jobs::LinkJob job = runtime->makeLinkJob();
    if (parsed.has("explain")) {
        for (const std::string& pair : parsed.all("explain")) {
            const std::size_t comma = pair.find(',');
            if (comma == std::string::npos) {
                throw GatewayError(ErrorCode::InvalidArgument, "--explain expects SOURCE/ID,SOURCE/ID");
            }
            std::cout << job.explain(pair.substr(0, comma), pair.substr(comma + 1)).toText();
        }
        return kExitOk;
    }
    jobs::LinkRunOptions options;
    options.full = parsed.has("full");
    options.threads = parsed.has("threads") ? static_cast<unsigned>(std::stoul(parsed.get("threads")))
                                            : static_cast<unsigned>(runtime->settings().linkage.threads);
    options.actor = "cli:" + Runtime::nodeName();
    options.progress = [](const std::string& text) { std::cerr << "link: " << text << "\n"; };
    const auto started = std::chrono::steady_clock::now();
    const jobs::LinkRunReport report = job.run(options);
    for (const std::string& warning : report.warnings) {
        std::cerr << "link: warning: " << warning << "\n";
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << (report.incremental ? "incremental" : "full") << " link: " << report.records << " records, "
              << report.dirty << " linked, " << report.changed_assignments << " assignments changed, "
              << report.stats.persons << " persons, " << report.stats.review << " pairs for review, " << seconds
              << " s\n";
    return kExitOk;
}

}  // namespace

int runLink(const std::vector<std::string>& args) {
    Poco::Util::OptionSet options;
    options.addOption(Poco::Util::Option("help", "h", "print this help and exit"));
    options.addOption(Poco::Util::Option("input", "i", "link this JSONL file of records on its own (no store)")
                          .argument("RECORDS.jsonl"));
    addSettingsOptions(options);  // --config: with --input the linkage configuration, else the gateway's
    options.addOption(Poco::Util::Option("full", "", "re-link every staged record and re-estimate the model"));
    options.addOption(
        Poco::Util::Option("out", "o", "with --input: write source,source_id,person_id here").argument("CLUSTERS.csv"));
    options.addOption(Poco::Util::Option("truth", "t",
                                         "with --input: source,source_id,entity_id; print pairwise precision, recall "
                                         "and F1 as the last line")
                          .argument("TRUTH.csv"));
    options.addOption(
        Poco::Util::Option("review-out", "", "with --input: write the pairs left for review here").argument("FILE"));
    options.addOption(
        Poco::Util::Option("model-out", "", "with --input: write the estimated m and u probabilities here")
            .argument("FILE"));
    options.addOption(
        Poco::Util::Option("explain", "", "print the comparison levels and weights of this pair (repeatable)")
            .argument("SOURCE/ID,SOURCE/ID")
            .repeatable(true));
    options.addOption(
        Poco::Util::Option("threads", "", "threads for blocking and scoring (default: all cores)").argument("N"));
    const std::string usage =
        "--input RECORDS.jsonl [--config LINKAGE.json] --out CLUSTERS.csv [--truth TRUTH.csv]\n"
        "       gateway link [--config gateway.properties] [--full] [--explain SOURCE/ID,SOURCE/ID]";
    try {
        const ParsedOptions parsed = parseOptions(options, args);
        if (parsed.has("help")) {
            printHelp(std::cout, "link", usage,
                      "Recognises the same person across sources: deterministic rules on strong identifiers, then "
                      "Fellegi-Sunter scoring of blocked candidate pairs, clustering with constraints and stable "
                      "person IDs. With --input it links a JSONL file on its own, with --config naming the linkage "
                      "configuration. Without it, it links the store's staged records (those staged since the last "
                      "run, or all with --full), with --config naming the gateway configuration.",
                      options);
            return kExitOk;
        }
        return parsed.has("input") ? linkFile(parsed) : linkStore(parsed);
    } catch (const GatewayError& e) {
        std::cerr << "gateway link: " << e.message() << "\n";
        return exitCodeFor(e.code());
    }
}

}  // namespace gateway::app
