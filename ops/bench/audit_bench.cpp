// The exchange log at scale: appends N entries of the API's kind (a client reading a child's file) to a fresh store in
// batches, brings the log index up to date after them (timing one child's ledger before and after), signs a
// checkpoint over all of them, runs `audit verify` over the whole log and proves a few entries.
//
//   build/ops/bench/audit_bench [ENTRIES] [--dir DIR] [--batch N] [--compare 100,10000] [--compare-entries N]
//                               [--sm3] [--pg PG_DIR] [--pg-entries N] [--pg-only] [--keep]
//   build/ops/bench/audit_bench --breakdown SQLITE_FILE
//
// ENTRIES defaults to 1,000,000. The SQLite files go to a new folder under DIR (default: the system temp folder),
// removed at the end unless --keep. --compare appends the same entries again with other batch sizes (append only, each
// into its own fresh file). --sm3 repeats append, checkpoint and verify with a log chained with SM3. --pg takes the
// folder of a PostgreSQL server started by ops/pg/fixture.sh (its `connection` file) and repeats the run there in a
// new database (--pg-only: without the SQLite run). Times cover the store calls only; generating the entries is not
// counted. --breakdown times the parts of verify and prove apart on a log kept with --keep.

#include "gateway/audit/chain.h"
#include "gateway/audit/checkpoint.h"
#include "gateway/audit/log_verify.h"
#include "gateway/audit/merkle.h"
#include "gateway/audit/proof.h"
#include "gateway/common/clock.h"
#include "gateway/jobs/audit_job.h"
#include "gateway/store/store.h"
#include "ops/bench/log_entry_generator.h"
#include "ops/bench/measure.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace fs = std::filesystem;
using gateway::audit::ExchangeLogEntry;
using gateway::bench::cpuSeconds;
using gateway::bench::EntryGenerator;
using gateway::bench::ioBytes;
using gateway::bench::secondsSince;
using gateway::bench::thousands;

struct Options {
    std::int64_t entries = 1'000'000;
    std::string dir;
    std::size_t batch = 1000;
    std::vector<std::size_t> compare;
    std::int64_t compare_entries = 0;  // 0: the same as entries
    bool sm3 = false;
    std::string pg_dir;
    std::int64_t pg_entries = 0;  // 0: the same as entries
    bool keep = false;
    bool sqlite = true;     // --pg-only: PostgreSQL alone
    std::string breakdown;  // --breakdown FILE: where verify and prove spend their time, on an existing log
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "audit_bench: %s\nusage: audit_bench [ENTRIES] [--dir DIR] [--batch N] [--compare N,N…] "
                 "[--compare-entries N] [--sm3] [--pg PG_DIR] [--pg-entries N] [--pg-only] [--keep]\n"
                 "       audit_bench --breakdown SQLITE_FILE\n",
                 why);
    std::exit(2);
}

std::int64_t parseCount(const std::string& text) {
    std::string digits;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            digits += c;
        } else if (c != ',' && c != '_') {
            usage(("not a count: " + text).c_str());
        }
    }
    if (digits.empty() || digits.size() > 12 || std::stoll(digits) <= 0) {
        usage(("not a count: " + text).c_str());
    }
    return std::stoll(digits);
}

Options parseOptions(int argc, char** argv) {
    Options options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                usage((arg + " needs a value").c_str());
            }
            return argv[++i];
        };
        if (arg == "--dir") {
            options.dir = value();
        } else if (arg == "--batch") {
            options.batch = static_cast<std::size_t>(parseCount(value()));
        } else if (arg == "--compare") {
            std::stringstream list(value());
            std::string item;
            while (std::getline(list, item, ',')) {
                options.compare.push_back(static_cast<std::size_t>(parseCount(item)));
            }
        } else if (arg == "--compare-entries") {
            options.compare_entries = parseCount(value());
        } else if (arg == "--sm3") {
            options.sm3 = true;
        } else if (arg == "--pg") {
            options.pg_dir = value();
        } else if (arg == "--pg-entries") {
            options.pg_entries = parseCount(value());
        } else if (arg == "--breakdown") {
            options.breakdown = value();
        } else if (arg == "--pg-only") {
            options.sqlite = false;
        } else if (arg == "--keep") {
            options.keep = true;
        } else if (!arg.empty() && arg[0] != '-') {
            options.entries = parseCount(arg);
        } else {
            usage(("unknown option " + arg).c_str());
        }
    }
    return options;
}

struct AppendResult {
    double seconds = 0;  // in appendExchangeLog only
    double cpu = 0;
    std::int64_t last_seq = 0;
    std::int64_t detail_bytes = 0;
    std::int64_t read_bytes = 0;  // by this process's system calls, over the whole phase
    std::int64_t written_bytes = 0;
};

AppendResult appendEntries(gateway::store::Store& store, std::int64_t count, std::size_t batch, const char* label) {
    EntryGenerator generator(20261101);
    std::vector<ExchangeLogEntry> entries;
    AppendResult result;
    const auto io_before = ioBytes();
    std::int64_t done = 0;
    std::int64_t next_report = 100'000;
    while (done < count) {
        const auto size =
            static_cast<std::size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(batch), count - done));
        generator.next(size, entries);
        for (const auto& entry : entries) {
            result.detail_bytes += static_cast<std::int64_t>(entry.detail_json.size());
        }
        const double cpu = cpuSeconds();
        const auto start = std::chrono::steady_clock::now();
        result.last_seq = store.appendExchangeLog(entries);
        result.seconds += secondsSince(start);
        result.cpu += cpuSeconds() - cpu;
        done += static_cast<std::int64_t>(size);
        if (done >= next_report) {
            std::fprintf(stderr, "  %s: %s appended, %.0f/s so far\n", label, thousands(done).c_str(),
                         static_cast<double>(done) / result.seconds);
            next_report += 100'000;
        }
    }
    const auto io_after = ioBytes();
    result.read_bytes = io_after.first - io_before.first;
    result.written_bytes = io_after.second - io_before.second;
    if (result.last_seq != count) {
        throw std::runtime_error("the log ends at " + std::to_string(result.last_seq) + ", not " +
                                 std::to_string(count));
    }
    return result;
}

struct Row {
    std::string store;
    std::string hash;
    std::int64_t entries = 0;
    std::size_t batch = 0;
    double append_s = 0;
    double append_cpu = 0;
    std::optional<double> checkpoint_s{};
    std::optional<double> verify_s{};
    std::optional<double> verify_cpu{};
    std::optional<double> verify_index_s{};  // verify --index: the chain and the log index
    std::optional<double> prove_ms{};        // average over the proofs
    std::optional<double> index_s{};
    std::optional<double> index_cpu{};
    std::optional<double> ledger_unindexed_ms{};  // one child's ledger before the log index ran, and after
    std::optional<double> ledger_indexed_ms{};
};

std::vector<Row> rows;

/// Appends, signs, verifies and proves on one fresh store; adds its row. `full` = false appends only.
void runOne(const gateway::store::StoreSettings& settings, const std::string& name, std::int64_t count,
            std::size_t batch, bool full) {
    using namespace gateway;
    const std::string label = name + " " + settings.log_hash + " batch " + thousands(static_cast<std::int64_t>(batch));
    auto store = store::openStore(settings);
    store->migrate();

    Row row{name, settings.log_hash, count, batch};
    const AppendResult appended = appendEntries(*store, count, batch, label.c_str());
    row.append_s = appended.seconds;
    row.append_cpu = appended.cpu;
    std::fprintf(stderr, "%s: appended %s entries in %.2f s (%.0f/s; CPU %.2f s), detail_json %.0f bytes on average\n",
                 label.c_str(), thousands(count).c_str(), appended.seconds,
                 static_cast<double>(count) / appended.seconds, appended.cpu,
                 static_cast<double>(appended.detail_bytes) / static_cast<double>(count));
    std::fprintf(stderr, "%s: the appends read %.1f kB and wrote %.1f kB per entry (system calls)\n", label.c_str(),
                 static_cast<double>(appended.read_bytes) / 1024.0 / static_cast<double>(count),
                 static_cast<double>(appended.written_bytes) / 1024.0 / static_cast<double>(count));
    if (!full) {
        rows.push_back(row);
        return;
    }

    // One child's access ledger, as an auditor asks for it, read row by row before the index exists and through
    // it afterwards. The child is one the generator names early, so that both find the same entries.
    EntryGenerator first(20261101);
    std::vector<ExchangeLogEntry> sample;
    first.next(1, sample);
    audit::ExchangeLogQuery ledger;
    ledger.person = sample.front().persons.front();
    ledger.limit = 1000;
    auto start = std::chrono::steady_clock::now();
    const auto unindexed = store->searchExchangeLog(ledger);
    row.ledger_unindexed_ms = secondsSince(start) * 1000;
    const double index_cpu = cpuSeconds();
    start = std::chrono::steady_clock::now();
    const std::int64_t indexed = audit::indexExchangeLog(*store);
    row.index_s = secondsSince(start);
    row.index_cpu = cpuSeconds() - index_cpu;
    if (indexed != count) {
        throw std::runtime_error("the log index took " + std::to_string(indexed) + " entries, not " +
                                 std::to_string(count));
    }
    std::fprintf(stderr, "%s: indexed %s entries in %.2f s (%.0f/s; CPU %.2f s)\n", label.c_str(),
                 thousands(count).c_str(), *row.index_s, static_cast<double>(count) / *row.index_s, *row.index_cpu);
    start = std::chrono::steady_clock::now();
    const auto through_index = store->searchExchangeLog(ledger);
    row.ledger_indexed_ms = secondsSince(start) * 1000;
    if (through_index.size() != unindexed.size() || unindexed.empty()) {
        throw std::runtime_error("the ledger of " + ledger.person + " has " + std::to_string(unindexed.size()) +
                                 " entries read row by row and " + std::to_string(through_index.size()) +
                                 " through the index");
    }
    std::fprintf(stderr, "%s: the ledger of one child (%zu entries) in %.1f ms row by row, %.1f ms indexed\n",
                 label.c_str(), through_index.size(), *row.ledger_unindexed_ms, *row.ledger_indexed_ms);

    const auto signer = audit::CheckpointSigner::fromPem(audit::generateSigningKeyPem(audit::SignatureScheme::Ed25519),
                                                         "a fresh Ed25519 key");
    const auto key = audit::CheckpointVerifier::fromPem(signer.publicKeyPem(), "its public key");
    start = std::chrono::steady_clock::now();
    const auto checkpoint = jobs::writeCheckpoint(*store, *store, signer, "audit_bench");
    row.checkpoint_s = secondsSince(start);
    if (!checkpoint || checkpoint->size != static_cast<std::uint64_t>(count)) {
        throw std::runtime_error("no checkpoint over the whole log");
    }
    std::fprintf(stderr, "%s: checkpoint over %s entries in %.2f s, root %s\n", label.c_str(), thousands(count).c_str(),
                 *row.checkpoint_s, checkpoint->root.substr(0, 16).c_str());

    audit::AuditVerifyOptions verify;
    verify.key = &key;
    const double verify_cpu = cpuSeconds();
    start = std::chrono::steady_clock::now();
    const audit::VerifyReport report = audit::verifyExchangeLog(*store, verify);
    row.verify_s = secondsSince(start);
    row.verify_cpu = cpuSeconds() - verify_cpu;
    if (!report.ok() || report.entries != count || report.checkpoints != 1) {
        throw std::runtime_error("verify found " + std::to_string(report.findings.size()) + " problems over " +
                                 std::to_string(report.entries) + " entries" +
                                 (report.findings.empty() ? "" : ": " + report.findings.front().problem));
    }
    std::fprintf(stderr, "%s: verified %s entries and 1 checkpoint in %.2f s (CPU %.2f s)\n", label.c_str(),
                 thousands(report.entries).c_str(), *row.verify_s, *row.verify_cpu);
    verify.index = true;
    start = std::chrono::steady_clock::now();
    const audit::VerifyReport with_index = audit::verifyExchangeLog(*store, verify);
    row.verify_index_s = secondsSince(start);
    if (!with_index.ok() || with_index.index_checked != count) {
        throw std::runtime_error("verify --index checked the index of " + std::to_string(with_index.index_checked) +
                                 " entries" +
                                 (with_index.findings.empty() ? "" : ": " + with_index.findings.front().problem));
    }
    std::fprintf(stderr, "%s: verified %s entries and the log index in %.2f s\n", label.c_str(),
                 thousands(with_index.entries).c_str(), *row.verify_index_s);

    double prove_total = 0;
    int proofs = 0;
    for (const std::int64_t seq : {std::int64_t{1}, count / 2, count}) {
        start = std::chrono::steady_clock::now();
        const auto proof = audit::proveEntry(*store, seq, std::nullopt);
        const double ms = secondsSince(start) * 1000;
        std::string why;
        if (!audit::checkProof(proof, key, &why)) {
            throw std::runtime_error("the proof of entry " + std::to_string(seq) + " does not check: " + why);
        }
        std::fprintf(stderr, "%s: proof of entry %s (%zu steps) in %.1f ms\n", label.c_str(), thousands(seq).c_str(),
                     proof.path.size(), ms);
        prove_total += ms;
        ++proofs;
    }
    row.prove_ms = prove_total / proofs;
    rows.push_back(row);
}

/// The parts of `audit verify` and `audit prove` timed apart on an existing SQLite log (one kept with --keep): reading
/// the entries as verify does (with the persons each names), recomputing their chain and Merkle leaves, reading the
/// stored hashes alone as checkpoint and prove do, and the inclusion path over all leaves in memory.
int breakdown(const std::string& path) {
    using namespace gateway;
    store::StoreSettings settings;
    settings.sqlite_path = path;
    auto store = store::openStore(settings);
    const auto algorithm = audit::parseHashAlgorithm(store->exchangeLogAlgorithm().value_or("sha256"));
    const audit::ChainFormat format{*algorithm, store->exchangeLogPersonsFrom()};
    audit::Digest digest(*algorithm);
    audit::MerkleFrontier tree;
    audit::Hash previous = audit::kGenesis;
    double read_s = 0, read_cpu = 0, hash_s = 0, hash_cpu = 0;
    std::int64_t entries = 0, persons = 0, after = 0;
    for (;;) {
        double cpu = cpuSeconds();
        auto start = std::chrono::steady_clock::now();
        const auto page = store->exchangeLog(after, 20000);
        read_s += secondsSince(start);
        read_cpu += cpuSeconds() - cpu;
        if (page.empty()) {
            break;
        }
        cpu = cpuSeconds();
        start = std::chrono::steady_clock::now();
        for (const auto& entry : page) {
            const audit::Hash hash = audit::entryHash(digest, previous, entry, format.coversPersons(entry.seq));
            const auto stored = audit::hashFromHex(entry.hash);
            if (!stored || *stored != hash) {
                throw std::runtime_error("entry " + std::to_string(entry.seq) + " does not match its hash");
            }
            tree.append(digest, audit::merkleLeaf(digest, hash));
            previous = *stored;
            persons += static_cast<std::int64_t>(entry.persons.size());
        }
        hash_s += secondsSince(start);
        hash_cpu += cpuSeconds() - cpu;
        entries += static_cast<std::int64_t>(page.size());
        after = page.back().seq;
    }
    std::printf("%s entries (%s persons named)\n", thousands(entries).c_str(), thousands(persons).c_str());
    std::printf("verify, reading the entries (exchangeLog pages of 20,000): %.2f s (CPU %.2f s)\n", read_s, read_cpu);
    std::printf("verify, chain hash + leaf + tree per entry:                %.2f s (CPU %.2f s)\n", hash_s, hash_cpu);

    double cpu = cpuSeconds();
    auto start = std::chrono::steady_clock::now();
    std::vector<audit::Hash> leaves;
    leaves.reserve(static_cast<std::size_t>(entries));
    std::vector<std::string> hexes;
    after = 0;
    for (;;) {
        hexes = store->exchangeLogHashes(after, 20000);
        if (hexes.empty()) {
            break;
        }
        for (const std::string& hex : hexes) {
            leaves.push_back(*audit::hashFromHex(hex));
        }
        after += static_cast<std::int64_t>(hexes.size());
    }
    std::printf("prove, reading the stored hashes (pages of 20,000):        %.2f s (CPU %.2f s)\n", secondsSince(start),
                cpuSeconds() - cpu);
    cpu = cpuSeconds();
    start = std::chrono::steady_clock::now();
    for (audit::Hash& leaf : leaves) {
        leaf = audit::merkleLeaf(digest, leaf);
    }
    std::printf("prove, leaf hashes:                                        %.2f s (CPU %.2f s)\n", secondsSince(start),
                cpuSeconds() - cpu);
    cpu = cpuSeconds();
    start = std::chrono::steady_clock::now();
    const auto path_steps = audit::inclusionPath(digest, leaves, leaves.size() / 2);
    std::printf("prove, inclusion path over all leaves (%zu steps):         %.2f s (CPU %.2f s)\n", path_steps.size(),
                secondsSince(start), cpuSeconds() - cpu);
    return 0;
}

std::string readConnection(const std::string& pg_dir) {
    std::ifstream file(pg_dir + "/connection");
    std::string line;
    if (!file || !std::getline(file, line) || line.empty()) {
        throw std::runtime_error("no connection file in " + pg_dir + " (start one with ops/pg/fixture.sh start DIR)");
    }
    return line;
}

/// Runs `sql` on the server's maintenance database (CREATE / DROP DATABASE cannot run in a transaction).
void runOnServer(const std::string& connection, const std::string& sql) {
    PGconn* conn = PQconnectdb(connection.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
        const std::string why = PQerrorMessage(conn);
        PQfinish(conn);
        throw std::runtime_error("cannot reach PostgreSQL: " + why);
    }
    PGresult* result = PQexec(conn, sql.c_str());
    const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
    const std::string why = PQerrorMessage(conn);
    PQclear(result);
    PQfinish(conn);
    if (!ok) {
        throw std::runtime_error(sql + ": " + why);
    }
}

std::string cell(const std::optional<double>& value, const char* format) {
    if (!value) {
        return "—";
    }
    char text[32];
    std::snprintf(text, sizeof text, format, *value);
    return text;
}

std::string rate(std::int64_t count, const std::optional<double>& seconds) {
    if (!seconds || *seconds <= 0) {
        return "—";
    }
    return thousands(static_cast<std::int64_t>(static_cast<double>(count) / *seconds + 0.5));
}

void printTable() {
    std::printf(
        "\n| store | log hash | entries | batch | append s | append CPU s | append entries/s | index s | index "
        "entries/s | ledger ms (unindexed, indexed) | checkpoint s | verify s | verify CPU s | verify entries/s | "
        "verify --index s | proof ms |\n");
    std::printf(
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | "
        "---: | ---: |\n");
    for (const Row& row : rows) {
        const std::string ledger =
            row.ledger_indexed_ms ? cell(row.ledger_unindexed_ms, "%.1f") + ", " + cell(row.ledger_indexed_ms, "%.1f")
                                  : std::string();
        std::printf("| %s | %s | %s | %s | %.2f | %.2f | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                    row.store.c_str(), row.hash.c_str(), thousands(row.entries).c_str(),
                    thousands(static_cast<std::int64_t>(row.batch)).c_str(), row.append_s, row.append_cpu,
                    rate(row.entries, row.append_s).c_str(), cell(row.index_s, "%.2f").c_str(),
                    rate(row.entries, row.index_s).c_str(), ledger.c_str(), cell(row.checkpoint_s, "%.2f").c_str(),
                    cell(row.verify_s, "%.2f").c_str(), cell(row.verify_cpu, "%.2f").c_str(),
                    rate(row.entries, row.verify_s).c_str(), cell(row.verify_index_s, "%.2f").c_str(),
                    cell(row.prove_ms, "%.1f").c_str());
    }
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    using namespace gateway;
    const Options options = parseOptions(argc, argv);
    if (!options.breakdown.empty()) {
        try {
            return breakdown(options.breakdown);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "audit_bench: %s\n", e.what());
            return 1;
        }
    }
    fs::path base = options.dir.empty() ? fs::temp_directory_path() : fs::path(options.dir);
    std::string pattern = (base / "audit_bench.XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        std::perror(("audit_bench: cannot create a folder under " + base.string()).c_str());
        return 1;
    }
    const fs::path work = pattern;
    int status = 0;
    try {
        store::StoreSettings settings;
        settings.sqlite_path = (work / "log.sqlite").string();
        if (options.sqlite) {
            runOne(settings, "SQLite", options.entries, options.batch, true);
        }
        for (const std::size_t batch : options.compare) {
            store::StoreSettings other;
            other.sqlite_path = (work / ("log-batch-" + std::to_string(batch) + ".sqlite")).string();
            runOne(other, "SQLite", options.compare_entries > 0 ? options.compare_entries : options.entries, batch,
                   false);
        }
        if (options.sm3) {
            store::StoreSettings sm3;
            sm3.sqlite_path = (work / "log-sm3.sqlite").string();
            sm3.log_hash = "sm3";
            runOne(sm3, "SQLite", options.entries, options.batch, true);
        }
        if (!options.pg_dir.empty()) {
            const std::string server = readConnection(options.pg_dir);
            const std::string database = "audit_bench_" + work.filename().string().substr(12);
            std::string lowered;
            for (char c : database) {
                lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            runOnServer(server, "CREATE DATABASE " + lowered);
            store::StoreSettings pg;
            pg.kind = store::StoreKind::Postgresql;
            pg.postgresql_connection = server + " dbname=" + lowered;
            try {
                runOne(pg, "PostgreSQL", options.pg_entries > 0 ? options.pg_entries : options.entries, options.batch,
                       true);
            } catch (...) {
                runOnServer(server, "DROP DATABASE IF EXISTS " + lowered + " WITH (FORCE)");
                throw;
            }
            runOnServer(server, "DROP DATABASE IF EXISTS " + lowered + " WITH (FORCE)");
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "audit_bench: %s\n", e.what());
        status = 1;
    }
    printTable();
    if (options.keep) {
        std::fprintf(stderr, "kept %s\n", work.c_str());
    } else {
        std::error_code ignored;
        fs::remove_all(work, ignored);
    }
    return status;
}
