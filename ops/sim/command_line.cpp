#include "ops/sim/command_line.h"

#include "ops/sim/city_paths.h"
#include "ops/sim/spec_list.h"
#include "ops/sim/time_format.h"

#include <algorithm>
#include <limits>

namespace deptsim {

Options::Options(const std::vector<std::string>& args, const std::vector<std::string>& valued,
                 const std::vector<std::string>& flags) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string arg = args[i];
        if (arg.rfind("--", 0) != 0) {
            throw UsageError("unexpected argument '" + arg + "'");
        }
        std::string name = arg.substr(2);
        std::optional<std::string> inline_value;
        if (const std::size_t equals = name.find('='); equals != std::string::npos) {
            inline_value = name.substr(equals + 1);
            name.resize(equals);
        }
        if (std::find(flags.begin(), flags.end(), name) != flags.end() && !inline_value) {
            values_[name] = "";
            continue;
        }
        if (std::find(valued.begin(), valued.end(), name) == valued.end()) {
            throw UsageError("unknown option '--" + name + "'");
        }
        if (inline_value) {
            values_[name] = *inline_value;
        } else if (i + 1 < args.size()) {
            values_[name] = args[++i];
        } else {
            throw UsageError("option '--" + name + "' needs a value");
        }
    }
}

std::optional<std::string> Options::get(const std::string& name) const {
    const auto it = values_.find(name);
    if (it == values_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::string Options::require(const std::string& name) const {
    const auto value = get(name);
    if (!value || value->empty()) {
        throw UsageError("option '--" + name + "' is required");
    }
    return *value;
}

bool Options::has(const std::string& name) const {
    return values_.contains(name);
}

long long Options::number(const std::string& name, long long fallback, long long minimum, long long maximum) const {
    const auto text = get(name);
    if (!text) {
        return fallback;
    }
    const auto value = parseWholeNumber(*text, minimum, maximum);
    if (!value) {
        throw UsageError("option '--" + name + "' must be a whole number from " + std::to_string(minimum) + " to " +
                         std::to_string(maximum));
    }
    return *value;
}

CityParams cityParamsFrom(const Options& options) {
    CityParams params;
    params.children = static_cast<std::uint32_t>(options.number("children", params.children, 1, 9999999));
    params.seed = static_cast<std::uint64_t>(
        options.number("seed", static_cast<long long>(params.seed), 0, std::numeric_limits<long long>::max()));
    if (const auto district = options.get("district")) {
        if (district->size() != 6 || !parseWholeNumber(*district, 0, 999999)) {
            throw UsageError("option '--district' must be a 6-digit county code such as 320411");
        }
        params.district = *district;
    }
    if (const auto as_of = options.get("as-of")) {
        const auto date = parseIsoDate(*as_of);
        if (!date || date->year() < 2010 || date->year() > 2100) {
            throw UsageError("option '--as-of' must be a date such as 2026-11-01");
        }
        params.as_of = *date;
    }
    if (const auto errors = options.get("errors")) {
        std::string error;
        const auto rates = parseErrorRates(*errors, error);
        if (!rates) {
            throw UsageError("option '--errors': " + error);
        }
        params.errors = *rates;
    }
    return params;
}

Geography geographyFor(const CityParams& params) {
    try {
        return Geography::forDistrict(params.district);
    } catch (const std::runtime_error& e) {
        throw UsageError(std::string("option '--district': ") + e.what());
    }
}

SchoolDbSettings schoolSettingsFrom(const Options& options, const std::string& dir) {
    SchoolDbSettings settings;
    settings.sqlite_path = CityPaths(dir).school_db;
    const std::string kind = options.get("school-db").value_or("sqlite");
    if (kind == "postgresql") {
        settings.postgresql = true;
        settings.pg_connection = options.require("school-pg");
    } else if (kind != "sqlite") {
        throw UsageError("option '--school-db' must be sqlite or postgresql");
    }
    return settings;
}

}  // namespace deptsim
