#include "ops/sim/spec_list.h"

#include <charconv>
#include <cmath>

namespace deptsim {

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace

std::optional<std::vector<SpecItem>> splitSpec(std::string_view spec, std::string& error) {
    std::vector<SpecItem> items;
    while (true) {
        const std::size_t comma = spec.find(',');
        const std::string_view part = trim(spec.substr(0, comma));
        if (!part.empty()) {
            const std::size_t equals = part.find('=');
            SpecItem item;
            item.name = std::string(trim(part.substr(0, equals)));
            if (equals != std::string_view::npos) {
                item.value = std::string(trim(part.substr(equals + 1)));
            }
            if (item.name.empty()) {
                error = "an item without a name in '" + std::string(part) + "'";
                return std::nullopt;
            }
            items.push_back(std::move(item));
        }
        if (comma == std::string_view::npos) {
            break;
        }
        spec.remove_prefix(comma + 1);
    }
    return items;
}

std::optional<double> parseProbability(std::string_view text) {
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < 0 || value > 1) {
        return std::nullopt;
    }
    return value;
}

std::optional<long long> parseWholeNumber(std::string_view text, long long minimum, long long maximum) {
    long long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < minimum || value > maximum) {
        return std::nullopt;
    }
    return value;
}

}  // namespace deptsim
