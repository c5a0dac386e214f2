#pragma once

#include "gateway/common/config_tree.h"
#include "gateway/linkage/linkage_config.h"

#include <cstddef>
#include <string>
#include <vector>

/// The sections of a linkage configuration that refer to its fields by name: comparisons with their levels,
/// blocking rules and deterministic rules. Used by LinkageConfig::parse once the fields are read.
namespace gateway::linkage::rules_config {

/// The index of the field `name`; fails at `at` when there is none.
std::size_t fieldByName(const LinkageConfig& config, const std::string& name, const ConfigCursor& at);
/// The index of the comparison `name`; fails at `at` when there is none.
std::size_t comparisonByName(const LinkageConfig& config, const std::string& name, const ConfigCursor& at);
/// An array of field names.
std::vector<std::size_t> fieldList(const LinkageConfig& config, const ConfigCursor& list);

ComparisonSpec comparisonSpec(const LinkageConfig& config, const ConfigCursor& cursor);
BlockingRule blockingRule(const LinkageConfig& config, const ConfigCursor& cursor);
DeterministicRule deterministicRule(const LinkageConfig& config, const ConfigCursor& cursor);

}  // namespace gateway::linkage::rules_config
