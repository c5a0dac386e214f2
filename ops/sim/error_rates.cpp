#include "ops/sim/error_rates.h"

#include "ops/sim/spec_list.h"

#include <array>
#include <locale>
#include <sstream>
#include <utility>

namespace deptsim {

namespace {

using RateField = double ErrorRates::*;

constexpr std::array<std::pair<std::string_view, RateField>, 14> kRateFields{{
    {"typo", &ErrorRates::typo},
    {"homophone", &ErrorRates::homophone},
    {"missing_id", &ErrorRates::missing_id},
    {"bad_check", &ErrorRates::bad_check},
    {"id15", &ErrorRates::id15},
    {"swap_dm", &ErrorRates::swap_day_month},
    {"fullwidth", &ErrorRates::full_width},
    {"trailing_space", &ErrorRates::trailing_space},
    {"stale_address", &ErrorRates::stale_address},
    {"moved", &ErrorRates::moved},
    {"duplicate", &ErrorRates::duplicate},
    {"late", &ErrorRates::late},
    {"unmappable", &ErrorRates::unmappable},
    {"rare_name", &ErrorRates::rare_name},
}};

}  // namespace

std::optional<ErrorRates> parseErrorRates(std::string_view spec, std::string& error) {
    const auto items = splitSpec(spec, error);
    if (!items) {
        return std::nullopt;
    }
    ErrorRates rates;
    for (const auto& item : *items) {
        RateField field = nullptr;
        for (const auto& [name, candidate] : kRateFields) {
            if (name == item.name) {
                field = candidate;
            }
        }
        if (field == nullptr) {
            std::string known;
            for (const auto& [name, candidate] : kRateFields) {
                known += (known.empty() ? "" : ", ") + std::string(name);
            }
            error = "unknown error rate '" + item.name + "' (known: " + known + ")";
            return std::nullopt;
        }
        const auto value = item.value ? parseProbability(*item.value) : std::nullopt;
        if (!value) {
            error = "error rate '" + item.name + "' needs a probability between 0 and 1";
            return std::nullopt;
        }
        rates.*field = *value;
    }
    return rates;
}

std::string formatErrorRates(const ErrorRates& rates) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    bool first = true;
    for (const auto& [name, field] : kRateFields) {
        out << (first ? "" : ",") << name << '=' << rates.*field;
        first = false;
    }
    return out.str();
}

}  // namespace deptsim
