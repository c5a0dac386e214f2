#pragma once

#include <string>
#include <vector>

namespace gateway::app {

/// `gateway link`: with --input, links a JSONL file of records on its own (no server, no store) and writes
/// source,source_id,person_id; without it, links the store's staged records into persons.
int runLink(const std::vector<std::string>& args);

}  // namespace gateway::app
