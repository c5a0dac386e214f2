#include "gateway/profile/profile_builder.h"

#include "gateway/common/config_tree.h"
#include "gateway/common/error.h"
#include "gateway/profile/config_files.h"

#include <algorithm>
#include <filesystem>

namespace gateway::profile {

const std::vector<std::string>& Survivorship::orderFor(const std::string& pointer) const {
    const std::vector<std::string>* best = &default_order;
    std::size_t best_length = 0;
    for (const auto& [field, order] : fields) {
        const bool prefix = pointer == field || (pointer.starts_with(field) && pointer[field.size()] == '/');
        if (prefix && field.size() > best_length) {
            best = &order;
            best_length = field.size();
        }
    }
    return *best;
}

Survivorship Survivorship::parse(std::string_view json, std::string_view origin) {
    const auto document = ConfigDocument::parse(std::string(json), std::string(origin));
    const ConfigCursor root = ConfigCursor::root(*document);
    const ObjectReader reader(root, {"description", "default", "fields", "conflicts"});
    Survivorship result;
    if (const auto default_order = reader.get("default")) {
        result.default_order = default_order->asStrings();
    }
    if (const auto conflicts = reader.get("conflicts")) {
        result.conflicts = conflicts->asStrings();
    }
    const auto fields = reader.get("fields");
    if (fields) {
        fields->expectObject();
        for (const ConfigMember& field : fields->node().members) {
            if (!field.key.starts_with("/")) {
                fields->member(field).fail("\"" + field.key + "\" is not a profile pointer");
            }
            result.fields[field.key] = fields->member(field).asStrings();
        }
    }
    if (result.default_order.empty()) {
        root.failAt("default", "name the sources in order");
    }
    const auto& known = result.default_order;
    for (std::size_t f = 0; fields && f < fields->node().members.size(); ++f) {
        const ConfigMember& field = fields->node().members[f];
        const auto& order = result.fields[field.key];
        for (std::size_t i = 0; i < order.size(); ++i) {
            if (std::find(known.begin(), known.end(), order[i]) == known.end()) {
                fields->member(field).element(i).fail("\"" + order[i] + "\" is not in the default order");
            }
        }
    }
    return result;
}

namespace {

/// `config`, once its register is known to be one of the ranked sources.
ProfileConfig checkedConfig(ProfileConfig config, const std::string& assembly_origin) {
    const std::string& source = config.assembly.register_source;
    const auto& known = config.survivorship.default_order;
    if (!source.empty() && std::find(known.begin(), known.end(), source) == known.end()) {
        throw GatewayError(ErrorCode::InvalidConfig, assembly_origin + ": at /register/source: \"" + source +
                                                         "\" is not in survivorship's default order");
    }
    return config;
}

}  // namespace

void ProfileConfig::checkSource(const std::string& source, const std::string& origin) const {
    const auto& known = survivorship.default_order;
    if (std::find(known.begin(), known.end(), source) == known.end()) {
        throw GatewayError(ErrorCode::InvalidConfig,
                           origin + ": source \"" + source +
                               "\" is not in the profile's survivorship.json default order, so its values would rank "
                               "below every other source's for every field: name it there (profile.config_dir)");
    }
}

ProfileConfig ProfileConfig::builtin(const model::CalendarDate& as_of) {
    return checkedConfig(
        ProfileConfig{Survivorship::parse(builtinConfigFile("survivorship.json"), "built-in survivorship.json"),
                      RuleSet::parse(builtinConfigFile("classification.json"), "built-in classification.json"),
                      RuleSet::parse(builtinConfigFile("alerts.json"), "built-in alerts.json"), as_of, 30,
                      Assembly::parse(builtinConfigFile("assembly.json"), "built-in assembly.json")},
        "built-in assembly.json");
}

ProfileConfig ProfileConfig::load(const std::string& dir, const model::CalendarDate& as_of) {
    const std::string survivorship = dir + "/survivorship.json";
    const std::string assembly = dir + "/assembly.json";
    // A folder written before assembly.json existed keeps the built-in assembly.
    const bool own = std::filesystem::exists(assembly);
    return checkedConfig(
        ProfileConfig{Survivorship::parse(readConfigFile(survivorship), survivorship),
                      RuleSet::load(dir + "/classification.json"), RuleSet::load(dir + "/alerts.json"), as_of, 30,
                      own ? Assembly::parse(readConfigFile(assembly), assembly)
                          : Assembly::parse(builtinConfigFile("assembly.json"), "built-in assembly.json")},
        own ? assembly : "built-in assembly.json");
}

}  // namespace gateway::profile
