#include "gateway/app/reconcile_command.h"

#include "gateway/app/progress_printer.h"
#include "gateway/app/runtime.h"
#include "gateway/common/error.h"
#include "gateway/common/format.h"
#include "gateway/model/calendar_date.h"
#include "gateway/reconcile/reconcile_job.h"

#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <charconv>
#include <iostream>
#include <optional>
#include <sstream>

namespace gateway::app {
namespace {

std::string sourceLine(const reconcile::SourceReconcile& result) {
    std::ostringstream out;
    out << result.source << ": " << result.status;
    if (result.status == "compared") {
        const reconcile::DiffCounts& c = result.counts;
        out << ": " << withThousands(c.source_rows) << " at the source, " << withThousands(c.gateway_rows)
            << " staged; " << withThousands(c.missing_in_gateway) << " missing in the gateway, "
            << withThousands(c.deleted_at_source) << " deleted at the source, " << withThousands(c.changed)
            << " changed; " << withThousands(result.quarantined) << " quarantined";
        if (result.restaged > 0 || result.retired > 0) {
            out << "; repaired: " << withThousands(result.restaged) << " restaged, " << withThousands(result.retired)
                << " retired";
        }
        out << " (" << formatDuration(result.seconds) << ")";
    }
    if (!result.message.empty()) {
        out << ": " << result.message;
    }
    return out.str();
}

std::string gapLine(const reconcile::GapReconcile& gaps) {
    std::ostringstream out;
    out << "across departments: " << gaps.status;
    if (gaps.status == "checked") {
        out << ": " << withThousands(gaps.persons) << " persons;";
        for (const auto& [rule, count] : gaps.findings) {
            out << " " << rule << " " << withThousands(count);
        }
        out << " (" << formatDuration(gaps.seconds) << ")";
    } else {
        out << ": " << gaps.message;
    }
    return out.str();
}

}  // namespace

int runReconcile(const std::vector<std::string>& args) {
    Poco::Util::OptionSet options;
    options.addOption(Poco::Util::Option("help", "h", "print this help and exit"));
    addSettingsOptions(options);
    options.addOption(
        Poco::Util::Option("source", "", "reconcile this source (repeatable)").repeatable(true).argument("NAME"));
    options.addOption(Poco::Util::Option("all", "a", "reconcile every enabled source"));
    options.addOption(Poco::Util::Option("as-of", "", "the date the run judges against (default: today, UTC)")
                          .argument("YYYY-MM-DD"));
    options.addOption(Poco::Util::Option("repair", "",
                                         "restage what the gateway misses or holds changed, and retire what the "
                                         "source deleted"));
    options.addOption(Poco::Util::Option("max-retire-share", "",
                                         "with --repair, fail a source rather than retire more than this share of "
                                         "its staged records (default: reconcile.max_retire_percent)")
                          .argument("F"));
    ParsedOptions parsed;
    try {
        parsed = parseOptions(options, args);
    } catch (const GatewayError& e) {
        std::cerr << "gateway reconcile: " << e.message() << "\n";
        return kExitUsage;
    }
    if (parsed.has("help")) {
        printHelp(std::cout, "reconcile", "[--config FILE] (--source NAME... | --all) [--as-of DATE] [--repair]",
                  "Syncs each source, reads it whole and compares it with what the gateway staged from it: rows "
                  "missing in the gateway, deleted at the source, or changed without a newer watermark. Findings are "
                  "recorded with the run; --repair restages and retires through the normal path. A source whose "
                  "adapter cannot list it whole is skipped. With --all, every child is then judged across "
                  "departments on the as-of date (config/reconcile/README.md). Exit code 0 only when no source or "
                  "phase failed.",
                  options);
        return kExitOk;
    }
    if (!parsed.positional.empty() || (parsed.has("all") == parsed.has("source"))) {
        std::cerr << "gateway reconcile: give either --source NAME or --all (see gateway reconcile --help)\n";
        return kExitUsage;
    }
    reconcile::ReconcileOptions run_options;
    run_options.repair = parsed.has("repair");
    if (parsed.has("as-of")) {
        const std::string text = parsed.get("as-of");
        const model::DateResult date = model::parseDate(text);
        if (!date) {
            std::cerr << "gateway reconcile: --as-of " << text << " is not a date: " << date.error() << "\n";
            return kExitUsage;
        }
        run_options.as_of = date.value().toIso();
    }
    std::optional<double> max_retire_share;
    if (parsed.has("max-retire-share")) {
        const std::string text = parsed.get("max-retire-share");
        double share = -1;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), share);
        if (error != std::errc() || end != text.data() + text.size() || !(share >= 0 && share <= 1)) {
            std::cerr << "gateway reconcile: --max-retire-share " << text << " is not a share from 0 to 1\n";
            return kExitUsage;
        }
        max_retire_share = share;
    }

    int exit_code = kExitOk;
    const auto runtime = openRuntime(parsed, "reconcile", exit_code);
    if (!runtime) {
        return exit_code;
    }
    run_options.max_retire_share = max_retire_share.value_or(runtime->settings().reconcile.max_retire_percent / 100.0);
    std::vector<intake::SyncJob> jobs;
    try {
        if (parsed.has("all")) {
            for (const auto& source : runtime->sources()) {
                if (source.enabled) {
                    jobs.push_back(runtime->makeSyncJob(source));
                }
            }
        } else {
            for (const auto& name : parsed.all("source")) {
                jobs.push_back(runtime->makeSyncJob(runtime->source(name)));
            }
        }
    } catch (const GatewayError& e) {
        std::cerr << "gateway reconcile: " << e.message() << "\n";
        return e.code() == ErrorCode::InvalidConfig ? kExitConfig : kExitUsage;
    }
    std::vector<intake::SyncJob*> sources;
    for (intake::SyncJob& job : jobs) {
        sources.push_back(&job);
    }

    ProgressPrinter printer;
    run_options.node = Runtime::nodeName();
    run_options.trigger = "cli";
    if (run_options.as_of.empty()) {
        run_options.as_of = runtime->todayUtc().toIso();
    }
    run_options.on_progress = [&printer](const reconcile::ReconcileProgress& p) {
        printer.update(p.source, p.source + "  " + p.phase + "  " + rateLine(p.rows, p.remaining, p.seconds),
                       p.source + " " + p.phase + " " + withThousands(p.rows));
    };
    try {
        reconcile::ReconcileJob job(runtime->store(), runtime->store(), runtime->store(), runtime->registry(),
                                    runtime->settings().intake.state_dir + "/reconcile", runtime->clock());
        // Across departments only with --all: a run of some sources judges those sources, not every child.
        const reconcile::GapCheck gaps{runtime->store(), runtime->profileConfig(), runtime->gapRules()};
        const reconcile::ReconcileReport report = job.run(sources, run_options, parsed.has("all") ? &gaps : nullptr);
        printer.finish();
        for (const reconcile::SourceReconcile& result : report.sources) {
            (result.status == "failed" ? std::cerr : std::cout) << sourceLine(result) << "\n";
        }
        if (!report.gaps.status.empty()) {
            (report.gaps.status == "failed" ? std::cerr : std::cout) << gapLine(report.gaps) << "\n";
        }
        std::cout << "reconcile run " << report.run.id << ": " << report.run.status << "\n";
        return report.run.status == "succeeded" ? kExitOk : kExitFailure;
    } catch (const GatewayError& e) {
        printer.finish();
        std::cerr << "gateway reconcile: " << e.message() << "\n";
        return exitCodeFor(e.code());
    }
}

}  // namespace gateway::app
