#include "ops/sim/facts_book.h"

#include "ops/sim/facts_json.h"

#include <stdexcept>

namespace deptsim {

FactsBook::FactsBook(SimState& state, const std::string& children_jsonl)
    : state_(state), path_(children_jsonl), children_(children_jsonl, std::ios::binary) {}

ChildFacts& FactsBook::facts(std::uint32_t entity) {
    const auto it = facts_.find(entity);
    if (it != facts_.end()) {
        return it->second;
    }
    const auto where = state_.child(entity);
    if (!where) {
        throw std::runtime_error("no facts for " + entityId(entity));
    }
    std::string error;
    std::string line(static_cast<std::size_t>(where->second), '\0');
    children_.clear();
    children_.seekg(where->first);
    children_.read(line.data(), where->second);
    if (!children_) {
        throw std::runtime_error("cannot read the facts of " + entityId(entity) + " from " + path_);
    }
    auto child = factsFromJson(line, error);
    if (!child) {
        throw std::runtime_error("children.jsonl: " + entityId(entity) + ": " + error);
    }
    return facts_.emplace(entity, std::move(*child)).first->second;
}

std::vector<std::uint32_t> FactsBook::household(std::uint32_t entity) {
    const std::string id = facts(entity).household;
    std::vector<std::uint32_t> members{entity};
    for (std::uint32_t other = entity - 1; other >= 1 && state_.child(other) && facts(other).household == id; --other) {
        members.push_back(other);
    }
    for (std::uint32_t other = entity + 1; state_.child(other) && facts(other).household == id; ++other) {
        members.push_back(other);
    }
    return members;
}

void FactsBook::writeChanged(TruthFiles& truth, const gateway::model::CalendarDate& as_of) {
    for (const std::uint32_t entity : changed_) {
        ChildFacts& child = facts(entity);
        ++child.revision;
        const auto [offset, length] = truth.addChild(factsToJson(child, as_of));
        state_.setChild(entity, offset, length);
    }
    changed_.clear();
}

}  // namespace deptsim
