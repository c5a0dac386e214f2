#pragma once

#include "ops/sim/child_facts.h"

#include <optional>
#include <string>
#include <string_view>

namespace deptsim {

/// One line of children.jsonl (no newline): the child's true facts and, derived from them, its policy
/// categories on `as_of`.
std::string factsToJson(const ChildFacts& child, const gateway::model::CalendarDate& as_of);

/// Reads a line factsToJson wrote; nullopt (with `error`) when it is not one.
std::optional<ChildFacts> factsFromJson(std::string_view line, std::string& error);

}  // namespace deptsim
