#include "gateway/app/sync_commands.h"

#include "gateway/app/command_line.h"
#include "gateway/app/progress_printer.h"
#include "gateway/app/runtime.h"
#include "gateway/common/error.h"
#include "gateway/common/format.h"

#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

namespace gateway::app {
namespace {

Poco::Util::Option helpOption() {
    return Poco::Util::Option("help", "h", "print this help and exit").required(false);
}

/// One line: "police_population  12,000 rows  4,100/s  ETA 2m10s  quarantined 12  batches 12".
std::string progressLine(const intake::SyncProgress& p) {
    return p.source + "  " + rateLine(p.pulled, p.remaining, p.seconds) + "  quarantined " +
           withThousands(p.quarantined) + "  batches " + std::to_string(p.batches);
}

/// "police_population 12,000 (4,100/s)": a source's part of the line several sources share.
std::string briefLine(const intake::SyncProgress& p) {
    const double rate = p.seconds > 0 ? static_cast<double>(p.pulled) / p.seconds : 0.0;
    return p.source + " " + withThousands(p.pulled) + " (" + withThousands(static_cast<std::int64_t>(rate)) + "/s)";
}

std::string runSummary(const intake::SyncRun& run) {
    std::ostringstream out;
    out << run.source << ": " << run.status << ": " << withThousands(run.pulled) << " pulled, "
        << withThousands(run.inserted) << " new, " << withThousands(run.updated) << " changed, "
        << withThousands(run.unchanged) << " unchanged, " << withThousands(run.quarantined) << " quarantined in "
        << run.batches << " batches";
    if (!run.error.empty()) {
        out << "; " << run.error;
    }
    return out.str();
}

}  // namespace

int runSync(const std::vector<std::string>& args) {
    Poco::Util::OptionSet options;
    options.addOption(helpOption());
    addSettingsOptions(options);
    options.addOption(
        Poco::Util::Option("source", "", "sync this source (repeatable)").repeatable(true).argument("NAME"));
    options.addOption(Poco::Util::Option("all", "a", "sync every enabled source"));
    options.addOption(Poco::Util::Option("full", "f",
                                         "pull everything again, not only what changed since the "
                                         "stored watermark"));
    ParsedOptions parsed;
    try {
        parsed = parseOptions(options, args);
    } catch (const GatewayError& e) {
        std::cerr << "gateway sync: " << e.message() << "\n";
        return kExitUsage;
    }
    if (parsed.has("help")) {
        printHelp(std::cout, "sync", "[--config FILE] (--source NAME... | --all) [--full]",
                  "Pulls from the department systems now: each batch is mapped, staged or quarantined, and committed "
                  "with its watermark. Exit code 0 only when every source synced.",
                  options);
        return kExitOk;
    }
    if (!parsed.positional.empty() || (parsed.has("all") == parsed.has("source"))) {
        std::cerr << "gateway sync: give either --source NAME or --all (see gateway sync --help)\n";
        return kExitUsage;
    }

    int exit_code = kExitOk;
    const auto runtime = openRuntime(parsed, "sync", exit_code);
    if (!runtime) {
        return exit_code;
    }

    std::vector<const intake::SourceConfig*> chosen;
    try {
        if (parsed.has("all")) {
            for (const auto& source : runtime->sources()) {
                if (source.enabled) {
                    chosen.push_back(&source);
                }
            }
        } else {
            for (const auto& name : parsed.all("source")) {
                chosen.push_back(&runtime->source(name));
            }
        }
    } catch (const GatewayError& e) {
        std::cerr << "gateway sync: " << e.message() << "\n";
        return kExitUsage;
    }

    // Each source on its own thread, as the scheduler runs them: the sources wait on different systems.
    ProgressPrinter printer;
    std::vector<std::string> reports(chosen.size());
    std::vector<char> ok(chosen.size(), 0);  // not vector<bool>: each thread writes its own element
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        threads.emplace_back([&, i] {
            intake::SyncOptions sync_options;
            sync_options.full = parsed.has("full");
            sync_options.trigger = "cli";
            sync_options.node = Runtime::nodeName();
            sync_options.on_progress = [&printer](const intake::SyncProgress& progress) {
                printer.update(progress.source, progressLine(progress), briefLine(progress));
            };
            try {
                const auto outcome = runtime->makeSyncJob(*chosen[i]).runOnce(sync_options);
                ok[i] = outcome.result == intake::SyncResult::Succeeded ? 1 : 0;
                reports[i] = outcome.result == intake::SyncResult::Skipped ? outcome.message : runSummary(outcome.run);
            } catch (const GatewayError& e) {
                reports[i] = e.message();
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    printer.finish();
    int failures = 0;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
        if (ok[i]) {
            std::cout << reports[i] << "\n";
        } else {
            std::cerr << "gateway sync: " << reports[i] << "\n";
            ++failures;
        }
    }
    return failures == 0 ? kExitOk : kExitFailure;
}

int runSources(const std::vector<std::string>& args) {
    Poco::Util::OptionSet options;
    options.addOption(helpOption());
    addSettingsOptions(options);
    ParsedOptions parsed;
    try {
        parsed = parseOptions(options, args);
    } catch (const GatewayError& e) {
        std::cerr << "gateway sources: " << e.message() << "\n";
        return kExitUsage;
    }
    if (parsed.has("help")) {
        printHelp(std::cout, "sources", "[--config FILE]",
                  "Shows each configured source: adapter, schedule, records staged and quarantined, the last run "
                  "and the last error.",
                  options);
        return kExitOk;
    }
    int exit_code = kExitOk;
    const auto runtime = openRuntime(parsed, "sources", exit_code);
    if (!runtime) {
        return exit_code;
    }
    if (runtime->sources().empty()) {
        std::cout << "no sources configured in " << runtime->settings().intake.sources_dir << "\n";
        return kExitOk;
    }
    try {
        for (const auto& source : runtime->sources()) {
            const auto summary = runtime->store().sourceSummary(source.source);
            std::cout << source.source << "  (" << source.adapter << ", "
                      << (source.enabled
                              ? (source.schedule_seconds > 0 ? "every " + formatDuration(source.schedule_seconds)
                                                             : std::string("on demand"))
                              : std::string("disabled"))
                      << ")\n";
            std::cout << "  records " << withThousands(summary.records) << ", quarantined "
                      << withThousands(summary.quarantined) << ", batches " << withThousands(summary.raw_batches)
                      << "\n";
            std::cout << "  watermark "
                      << (summary.watermark ? "set " + summary.watermark_updated_at
                                            : std::string("none (never synced)"))
                      << "\n";
            if (summary.last_run) {
                const auto& run = *summary.last_run;
                std::cout << "  last run " << run.started_at << " " << run.status << " (" << run.trigger << " on "
                          << run.node << "): " << withThousands(run.pulled) << " pulled, "
                          << withThousands(run.inserted) << " new, " << withThousands(run.updated) << " changed, "
                          << withThousands(run.quarantined) << " quarantined\n";
            } else {
                std::cout << "  last run never\n";
            }
            if (summary.last_failure) {
                std::cout << "  last error " << summary.last_failure->finished_at << ": " << summary.last_failure->error
                          << "\n";
            }
        }
    } catch (const GatewayError& e) {
        std::cerr << "gateway sources: " << e.message() << "\n";
        return kExitUnavailable;
    }
    return kExitOk;
}

}  // namespace gateway::app
