#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deptsim {

/// One `name[=value]` item of a comma-separated specification such as "http500=0.1,down".
struct SpecItem {
    std::string name;
    std::optional<std::string> value;
};

/// Splits a specification into its items; surrounding spaces are ignored and empty items skipped. Sets `error`
/// and returns nullopt when an item has no name.
std::optional<std::vector<SpecItem>> splitSpec(std::string_view spec, std::string& error);

/// Reads a probability in [0, 1]; nullopt otherwise.
std::optional<double> parseProbability(std::string_view text);

/// Reads a whole number in [minimum, maximum]; nullopt otherwise.
std::optional<long long> parseWholeNumber(std::string_view text, long long minimum, long long maximum);

}  // namespace deptsim
