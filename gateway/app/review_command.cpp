#include "gateway/app/review_command.h"

#include "gateway/api/review_routes.h"
#include "gateway/app/command_line.h"
#include "gateway/app/logging.h"
#include "gateway/app/runtime.h"
#include "gateway/common/error.h"

#include <Poco/Util/Option.h>
#include <Poco/Util/OptionSet.h>

#include <cstdio>
#include <iostream>

namespace gateway::app {

namespace {

int list(Runtime& runtime, const ParsedOptions& parsed) {
    const std::string status = parsed.get("status", "open");
    if (status != "open" && status != "decided" && status != "obsolete" && status != "any") {
        throw GatewayError(ErrorCode::InvalidArgument, "--status must be open, decided, obsolete or any");
    }
    const std::int64_t after = std::stoll(parsed.get("after", "0"));
    const std::size_t limit = std::stoul(parsed.get("limit", "50"));
    const auto items = runtime.store().reviewQueue(status == "any" ? "" : status, after, limit);
    for (const linkage::ReviewItem& item : items) {
        char weight[32];
        std::snprintf(weight, sizeof weight, "%7.2f", item.weight);
        std::cout << item.seq << "  " << item.pair_id << "  " << item.status << "  " << item.reason << "  " << weight
                  << "  " << item.left_source << "/" << item.left_id << "  " << item.right_source << "/"
                  << item.right_id;
        if (!item.decision.empty()) {
            std::cout << "  " << item.decision << " by " << item.reviewer;
        }
        std::cout << "\n";
    }
    if (items.empty()) {
        std::cerr << "no " << (status == "any" ? "" : status + " ") << "review pairs\n";
    }
    return kExitOk;
}

int show(Runtime& runtime, const std::string& pair) {
    const auto item = runtime.store().reviewItem(pair);
    if (!item) {
        throw GatewayError(ErrorCode::NotFound, "no review pair " + pair);
    }
    jobs::LinkJob job = runtime.makeLinkJob();
    std::cout << item->pair_id << "  " << item->status << "  " << item->reason << "\n";
    std::cout
        << job.explain(item->left_source + "/" + item->left_id, item->right_source + "/" + item->right_id).toText();
    if (!item->decision.empty()) {
        std::cout << "decided " << item->decision << " by " << item->reviewer << " at " << item->decided_at
                  << (item->comment.empty() ? "" : ": " + item->comment) << "\n";
    }
    return kExitOk;
}

int decide(Runtime& runtime, const std::string& pair, const ParsedOptions& parsed) {
    linkage::ReviewDecision decision;
    decision.pair_id = pair;
    decision.decision = parsed.get("decision");
    decision.reviewer = parsed.get("reviewer");
    decision.comment = parsed.get("comment");
    jobs::LinkJob job = runtime.makeLinkJob();
    const linkage::ReviewItem item =
        pair.empty() ? job.decidePair(parsed.get("left"), parsed.get("right"), decision) : job.decide(decision);
    std::cout << api::reviewItemJson(item) << "\n";
    return kExitOk;
}

}  // namespace

int runReview(const std::vector<std::string>& args) {
    Poco::Util::OptionSet options;
    options.addOption(Poco::Util::Option("help", "h", "print this help and exit"));
    addSettingsOptions(options);
    options.addOption(Poco::Util::Option("status", "", "list: open (default), decided, obsolete or any").argument("S"));
    options.addOption(Poco::Util::Option("after", "", "list: after this queue position (cursor)").argument("SEQ"));
    options.addOption(Poco::Util::Option("limit", "", "list: at most this many (default 50)").argument("N"));
    options.addOption(Poco::Util::Option("decision", "", "decide: link or no_link").argument("D"));
    options.addOption(Poco::Util::Option("reviewer", "", "decide: who decides").argument("NAME"));
    options.addOption(Poco::Util::Option("comment", "", "decide: why").argument("TEXT"));
    options.addOption(
        Poco::Util::Option("left", "", "decide: one record of a pair the matcher did not queue").argument("SRC/ID"));
    options.addOption(Poco::Util::Option("right", "", "decide: the other record").argument("SRC/ID"));
    const std::string usage =
        "[list] [--status S] | show PAIR | decide (PAIR | --left SRC/ID --right SRC/ID) --decision link|no_link "
        "--reviewer NAME [--comment TEXT]";
    try {
        const ParsedOptions parsed = parseOptions(options, args);
        if (parsed.has("help")) {
            printHelp(std::cout, "review", usage,
                      "The pairs the matcher left to a person: list them, show one with its comparison levels and "
                      "weights, decide it. A decision is applied at once and no later run overrides it. --left and "
                      "--right decide any two staged records: no_link splits a wrong merge, link merges two persons.",
                      options);
            return kExitOk;
        }
        const std::string action = parsed.positional.empty() ? "list" : parsed.positional[0];
        const bool any_pair =
            action == "decide" && parsed.positional.size() == 1 && parsed.has("left") && parsed.has("right");
        if ((action == "show" || action == "decide") && parsed.positional.size() != 2 && !any_pair) {
            std::cerr << "usage: gateway review " << usage << "\n";
            return kExitUsage;
        }
        if (action != "list" && action != "show" && action != "decide") {
            std::cerr << "gateway review: unknown action '" << action << "'\nusage: gateway review " << usage << "\n";
            return kExitUsage;
        }
        auto settings = settingsFromOptions(parsed);
        configureLogging(settings.logging);
        Runtime runtime(std::move(settings));
        if (action == "show") {
            return show(runtime, parsed.positional[1]);
        }
        if (action == "decide") {
            return decide(runtime, any_pair ? std::string() : parsed.positional[1], parsed);
        }
        return list(runtime, parsed);
    } catch (const GatewayError& e) {
        std::cerr << "gateway review: " << e.message() << "\n";
        return exitCodeFor(e.code());
    } catch (const std::exception& e) {
        std::cerr << "gateway review: bad number: " << e.what() << "\n";
        return kExitUsage;
    }
}

}  // namespace gateway::app
