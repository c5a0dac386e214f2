#include "gateway/app/settings.h"

#include "gateway/common/error.h"
#include "gateway/common/file.h"
#include "gateway/common/utf8.h"

#include <Poco/AutoPtr.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace gateway::app {
namespace {

std::string describeOrigin(const std::string& origin, const std::string& key) {
    return origin + ": key '" + key + "'";
}

/// Checks one value against its key's type; returns the normalised value or throws.
std::string validate(const ConfigKey& key, const std::string& raw, const std::string& origin) {
    const std::string where = describeOrigin(origin, std::string(key.name));
    if (!utf8::isValid(raw)) {
        throw GatewayError(ErrorCode::InvalidConfig, where + ": value is not valid UTF-8");
    }
    if (raw.find('\0') != std::string::npos) {
        throw GatewayError(ErrorCode::InvalidConfig, where + ": value contains a NUL byte");
    }
    const std::string value = Poco::trim(raw);
    switch (key.type) {
        case KeyType::String:
        case KeyType::Path:
        case KeyType::PathList:
            return value;
        case KeyType::Integer: {
            long long number = 0;
            const char* begin = value.data();
            const char* end = value.data() + value.size();
            const auto [ptr, ec] = std::from_chars(begin, end, number);
            if (value.empty() || ec != std::errc() || ptr != end) {
                throw GatewayError(ErrorCode::InvalidConfig,
                                   where + ": " + utf8::quote(value) + " is not a whole number");
            }
            if (number < key.min || number > key.max) {
                throw GatewayError(
                    ErrorCode::InvalidConfig,
                    where + ": " + value + " is outside " + std::to_string(key.min) + ".." + std::to_string(key.max));
            }
            return std::to_string(number);
        }
        case KeyType::TimeOfDay: {
            const bool valid =
                value.size() == 5 && value[2] == ':' &&
                std::all_of(value.begin(), value.end(), [](char c) { return c == ':' || (c >= '0' && c <= '9'); }) &&
                std::stoi(value.substr(0, 2)) < 24 && std::stoi(value.substr(3, 2)) < 60;
            if (!value.empty() && !valid) {
                throw GatewayError(ErrorCode::InvalidConfig,
                                   where + ": " + utf8::quote(value) + " is not a time of day HH:MM (00:00 to 23:59)");
            }
            return value;
        }
        case KeyType::Choice: {
            if (std::find(key.choices.begin(), key.choices.end(), value) == key.choices.end()) {
                std::string allowed;
                for (const auto choice : key.choices) {
                    allowed += allowed.empty() ? "" : ", ";
                    allowed += choice;
                }
                throw GatewayError(ErrorCode::InvalidConfig,
                                   where + ": " + utf8::quote(value) + " is not one of " + allowed);
            }
            return value;
        }
    }
    return value;
}

/// Suggests the declared key nearest to a misspelt one, so "server.prot" points at "server.port".
std::string nearestKey(const std::string& unknown) {
    std::size_t best = std::string::npos;
    std::string best_name;
    for (const auto& key : configKeys()) {
        const std::string name(key.name);
        std::vector<std::size_t> row(name.size() + 1);
        for (std::size_t j = 0; j <= name.size(); ++j) {
            row[j] = j;
        }
        for (std::size_t i = 1; i <= unknown.size(); ++i) {
            std::size_t diagonal = row[0];
            row[0] = i;
            for (std::size_t j = 1; j <= name.size(); ++j) {
                const std::size_t above = row[j];
                row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (unknown[i - 1] == name[j - 1] ? 0 : 1)});
                diagonal = above;
            }
        }
        if (row[name.size()] < best) {
            best = row[name.size()];
            best_name = name;
        }
    }
    return best <= 3 ? best_name : std::string();
}

void collectKeys(const Poco::Util::AbstractConfiguration& config, const std::string& prefix, ConfigValues& out) {
    Poco::Util::AbstractConfiguration::Keys keys;
    config.keys(prefix, keys);
    for (const auto& key : keys) {
        const std::string full = prefix.empty() ? key : prefix + "." + key;
        if (config.hasProperty(full)) {
            out[full] = config.getRawString(full);
        }
        collectKeys(config, full, out);
    }
}

std::string resolvePath(const std::string& value, const std::string& base_dir) {
    if (value.empty() || base_dir.empty()) {
        return value;
    }
    Poco::Path path(value);
    if (path.isAbsolute()) {
        return value;
    }
    return Poco::Path(Poco::Path::forDirectory(base_dir), path).toString();
}

}  // namespace

ConfigValues readConfigFile(const std::string& path) {
    Poco::File file(path);
    if (!file.exists()) {
        throw GatewayError(ErrorCode::InvalidConfig, path + ": configuration file not found");
    }
    if (!file.isFile() || !file.canRead()) {
        throw GatewayError(ErrorCode::InvalidConfig, path + ": configuration file is not a readable file");
    }
    ConfigValues values;
    try {
        Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> config(new Poco::Util::PropertyFileConfiguration(path));
        collectKeys(*config, "", values);
    } catch (const Poco::Exception& e) {
        throw GatewayError(ErrorCode::InvalidConfig, path + ": cannot read configuration: " + e.displayText());
    }
    return values;
}

GatewaySettings loadSettings(const ConfigValues& file_values, const std::string& origin, const ConfigValues& overrides,
                             const std::string& base_dir) {
    const auto find = [](std::string_view name) -> const ConfigKey* {
        for (const auto& key : configKeys()) {
            if (key.name == name) {
                return &key;
            }
        }
        return nullptr;
    };
    const auto check_known = [&](const ConfigValues& values, const std::string& where) {
        for (const auto& [name, value] : values) {
            if (find(name) == nullptr) {
                const std::string hint = nearestKey(name);
                throw GatewayError(ErrorCode::InvalidConfig,
                                   where + ": unknown key " + utf8::quote(name) +
                                       (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
            }
        }
    };
    check_known(file_values, origin);
    check_known(overrides, "--set");

    GatewaySettings settings;
    settings.start_dir = base_dir;
    for (const auto& key : configKeys()) {
        const std::string name(key.name);
        std::string value(key.default_value);
        std::string where = "defaults";
        if (const auto it = file_values.find(name); it != file_values.end()) {
            value = it->second, where = origin;
        }
        if (const auto it = overrides.find(name); it != overrides.end()) {
            value = it->second, where = "--set";
        }
        std::string checked = validate(key, value, where);
        if (key.type == KeyType::Path) {
            checked = resolvePath(checked, base_dir);
        } else if (key.type == KeyType::PathList) {
            std::string resolved;
            std::size_t pos = 0;
            while (pos < checked.size()) {
                const std::size_t end = std::min(checked.find(',', pos), checked.size());
                const std::string item = Poco::trim(checked.substr(pos, end - pos));
                if (!item.empty()) {
                    resolved += (resolved.empty() ? "" : ",") + resolvePath(item, base_dir);
                }
                pos = end + 1;
            }
            checked = resolved;
        }
        key.assign(settings, checked);
    }

    const auto source_of = [&](const std::string& name) {
        return overrides.count(name) ? std::string("--set") : origin;
    };
    if (settings.store.kind == store::StoreKind::Postgresql && settings.store.postgresql_connection.empty()) {
        throw GatewayError(ErrorCode::InvalidConfig,
                           describeOrigin(source_of("store.postgresql.connection"), "store.postgresql.connection") +
                               ": required when store.kind = postgresql");
    }
    if (settings.store.kind == store::StoreKind::Sqlite && settings.store.sqlite_path.empty()) {
        throw GatewayError(ErrorCode::InvalidConfig,
                           describeOrigin(source_of("store.sqlite.path"), "store.sqlite.path") +
                               ": required when store.kind = sqlite");
    }
    return settings;
}

model::DivisionDirectory loadDivisions(const ReferenceSettings& settings) {
    if (settings.divisions_file.empty()) {
        return model::DivisionDirectory::loadBuiltin();
    }
    const std::string where = "reference.divisions_file: " + settings.divisions_file;
    auto result = model::DivisionDirectory::fromCsv(
        readFileContent(settings.divisions_file, "division codes (reference.divisions_file)"), settings.divisions_file);
    if (!result) {
        throw GatewayError(ErrorCode::InvalidConfig, where + ": " + result.error);
    }
    return std::move(*result.directory);
}

std::string exampleConfig() {
    std::ostringstream out;
    out << "# Child-profile exchange gateway: configuration for the embedded default (SQLite, loopback).\n"
           "#\n"
           "# Java-properties syntax: `key = value`, `#` starts a comment. Every key is optional and shows its\n"
           "# default here; an unknown key or a bad value stops start-up with a message naming the key and the\n"
           "# file. Any key can also be set on the command line: gateway serve --set key=value.\n"
           "# This file is generated by `gateway config example`; edit the key table in gateway/app/settings.cpp.\n";
    std::string section;
    for (const auto& key : configKeys()) {
        const std::string name(key.name);
        const std::string this_section = name.substr(0, name.find('.'));
        if (this_section != section) {
            section = this_section;
            out << "\n# --- " << section << " ---\n";
        }
        out << "\n";
        // Wrap the description at about 110 columns so the file reads well in a terminal.
        std::istringstream words{std::string(key.description)};
        std::string word;
        std::string line = "#";
        while (words >> word) {
            if (line.size() + 1 + word.size() > 110) {
                out << line << "\n";
                line = "#";
            }
            line += " " + word;
        }
        out << line << "\n";
        if (key.type == KeyType::Integer) {
            out << "# Range: " << key.min << ".." << key.max << ".\n";
        }
        out << name << " = " << key.default_value << "\n";
    }
    return out.str();
}

}  // namespace gateway::app
