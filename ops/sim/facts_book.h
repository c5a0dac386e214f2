#pragma once

#include "ops/sim/child_facts.h"
#include "ops/sim/sim_state.h"
#include "ops/sim/truth_files.h"

#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace deptsim {

/// The children's current facts while one change or drift alters them: each child is read from children.jsonl
/// when first needed, and the altered ones go back as further lines with a higher revision. Lives for one call,
/// on the state connection of that call.
class FactsBook {
public:
    FactsBook(SimState& state, const std::string& children_jsonl);

    /// The child's facts, to read or alter; call markChanged() after altering them.
    ChildFacts& facts(std::uint32_t entity);
    /// The children of the same household (entity numbers are consecutive within a household).
    std::vector<std::uint32_t> household(std::uint32_t entity);
    void markChanged(std::uint32_t entity) { changed_.insert(entity); }

    /// Appends a line for every altered child, in entity order, and points the state at it.
    void writeChanged(TruthFiles& truth, const gateway::model::CalendarDate& as_of);

private:
    SimState& state_;
    std::string path_;
    std::ifstream children_;
    std::map<std::uint32_t, ChildFacts> facts_;
    std::set<std::uint32_t> changed_;
};

}  // namespace deptsim
