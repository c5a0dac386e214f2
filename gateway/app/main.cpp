#include "gateway/app/audit_command.h"
#include "gateway/app/command_line.h"
#include "gateway/app/info_commands.h"
#include "gateway/app/keys_command.h"
#include "gateway/app/link_command.h"
#include "gateway/app/profile_command.h"
#include "gateway/app/push_command.h"
#include "gateway/app/reconcile_command.h"
#include "gateway/app/review_command.h"
#include "gateway/app/serve_command.h"
#include "gateway/app/sync_commands.h"

#include <malloc.h>

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

struct Command {
    const char* name;
    const char* summary;
    int (*run)(const std::vector<std::string>& args);
};

const Command kCommands[] = {
    {"serve", "run the HTTP API until stopped", gateway::app::runServe},
    {"sync", "pull from the department systems now", gateway::app::runSync},
    {"reconcile", "compare each source whole with what the gateway staged; repair what differs",
     gateway::app::runReconcile},
    {"link", "recognise the same child across sources (or link a JSONL file)", gateway::app::runLink},
    {"profiles", "build every child's profile from its linked records, or show one", gateway::app::runProfiles},
    {"push", "deliver profile changes to the subscribers; their state and dead letters", gateway::app::runPush},
    {"review", "list, show and decide the pairs the matcher left to a person", gateway::app::runReview},
    {"audit", "verify, sign, prove and export the exchange log", gateway::app::runAudit},
    {"keys", "make the keyring, rotate its key and re-seal the personal data, count what is sealed",
     gateway::app::runKeys},
    {"clients", "list the API's clients, or make a new API key", gateway::app::runClients},
    {"sources", "show each source's state, last run and last error", gateway::app::runSources},
    {"config", "check a configuration, or print the documented example", gateway::app::runConfig},
    {"version", "print the version and the libraries in use", gateway::app::runVersion},
};

void printUsage(std::ostream& out) {
    out << "usage: gateway <command> [options]\n\ncommands:\n";
    for (const auto& command : kCommands) {
        out << "  " << command.name << std::string(10 - std::strlen(command.name), ' ') << command.summary << "\n";
    }
    out << "\n'gateway <command> --help' describes a command.\n";
}

}  // namespace

int main(int argc, char** argv) {
    // Batch work (sync, link, audit verify) reads pages of thousands of rows, each allocating and freeing megabytes.
    // With glibc's adaptive defaults, each page went back to the kernel and was faulted in again for the next: that
    // doubled the time of `audit verify` and cost a sync of 100,000 children 8 %. Freed memory up to these sizes is
    // kept for reuse instead (the peak resident size of that verify stayed at 119 MB).
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    if (argc < 2) {
        printUsage(std::cerr);
        return gateway::app::kExitUsage;
    }
    const std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        printUsage(std::cout);
        return gateway::app::kExitOk;
    }
    for (const auto& command : kCommands) {
        if (name == command.name) {
            return command.run(std::vector<std::string>(argv + 2, argv + argc));
        }
    }
    std::cerr << "gateway: unknown command '" << name << "'\n\n";
    printUsage(std::cerr);
    return gateway::app::kExitUsage;
}
