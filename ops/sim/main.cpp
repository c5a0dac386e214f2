#include "ops/sim/command_line.h"
#include "ops/sim/commands.h"

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Command {
    std::string_view name;
    int (*run)(const std::vector<std::string>& args);
    std::string_view summary;
};

constexpr Command kCommands[] = {
    {"serve", &deptsim::runServe, "serve the four department systems from a seeded city"},
    {"generate", &deptsim::runGenerate, "generate the city's files without serving them"},
    {"change", &deptsim::runChange, "change a fraction of every source's records"},
    {"drift", &deptsim::runDrift, "delete or silently edit rows, as only a reconciliation notices"},
    {"gaps", &deptsim::runGaps, "write the ground truth of the cross-department rules, or plant cases"},
    {"sink", &deptsim::runSink, "receive signed webhook deliveries and record them"},
};

void printUsage(std::ostream& out) {
    out << "usage: deptsim <command> [options]   (deptsim <command> --help for its options)\n";
    for (const Command& command : kCommands) {
        out << "  " << command.name << std::string(10 - command.name.size(), ' ') << command.summary << "\n";
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        printUsage(std::cerr);
        return deptsim::kExitUsage;
    }
    const std::string_view name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        printUsage(std::cout);
        return deptsim::kExitOk;
    }
    const std::vector<std::string> args(argv + 2, argv + argc);
    for (const Command& command : kCommands) {
        if (command.name == name) {
            return command.run(args);
        }
    }
    std::cerr << "deptsim: unknown command '" << name << "'\n";
    printUsage(std::cerr);
    return deptsim::kExitUsage;
}
