#pragma once

#include "ops/sim/city_params.h"
#include "ops/sim/geography.h"
#include "ops/sim/school_table.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace deptsim {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;        // bad command line
inline constexpr int kExitUnavailable = 69;  // a port, a database or a server could not be reached
inline constexpr int kExitFailure = 70;      // anything else that went wrong

/// Thrown for a bad command line; the message names the option.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// `--name value` options and `--flag` switches of one subcommand.
class Options {
public:
    /// Throws UsageError for an option not in `valued` or `flags`, or a valued option without a value.
    Options(const std::vector<std::string>& args, const std::vector<std::string>& valued,
            const std::vector<std::string>& flags);

    std::optional<std::string> get(const std::string& name) const;
    std::string require(const std::string& name) const;
    bool has(const std::string& name) const;
    /// A whole number in [minimum, maximum], or `fallback` when the option is absent.
    long long number(const std::string& name, long long fallback, long long minimum, long long maximum) const;

private:
    std::map<std::string, std::string> values_;
};

/// --children, --seed, --district, --as-of and --errors on top of the defaults.
CityParams cityParamsFrom(const Options& options);

/// The district's geography; an unknown --district is a usage error.
Geography geographyFor(const CityParams& params);

/// --school-db sqlite|postgresql and --school-pg; the SQLite file is DIR/school.db.
SchoolDbSettings schoolSettingsFrom(const Options& options, const std::string& dir);

}  // namespace deptsim
