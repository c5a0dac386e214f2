#include "gateway/intake/source_config.h"

#include "gateway/common/config_tree.h"
#include "gateway/common/error.h"
#include "gateway/common/file.h"
#include "gateway/common/utf8.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <algorithm>
#include <map>
#include <regex>

namespace gateway::intake {
namespace {

[[noreturn]] void fail(const std::string& origin, const std::string& what) {
    throw GatewayError(ErrorCode::InvalidConfig, origin + ": " + what);
}

}  // namespace

SourceConfig readSourceConfig(const std::string& path, const std::string& base_dir) {
    const auto document = ConfigDocument::parse(readFileContent(path, "source configuration"), path);
    const ObjectReader top(ConfigCursor::root(*document), {"source", "description", "adapter", "mapping", "enabled",
                                                           "schedule_seconds", "batch_size", "settings"});
    SourceConfig config;
    config.origin = path;
    const ConfigCursor source = top.require("source");
    config.source = source.asString();
    static const std::regex kName("[a-z][a-z0-9_]{0,63}");
    if (!std::regex_match(config.source, kName)) {
        source.fail(utf8::quote(config.source) +
                    " must be 1-64 lower-case letters, digits or '_', starting with a "
                    "letter");
    }
    if (const auto description = top.get("description")) {
        config.description = description->asString();
    }
    config.adapter = top.require("adapter").asString();
    config.mapping = top.require("mapping").asString();
    if (!config.mapping.empty() && !Poco::Path(config.mapping).isAbsolute() && !base_dir.empty()) {
        config.mapping = Poco::Path(Poco::Path::forDirectory(base_dir), Poco::Path(config.mapping)).toString();
    }
    if (const auto enabled = top.get("enabled")) {
        config.enabled = enabled->asBoolean();
    }
    if (const auto schedule = top.get("schedule_seconds")) {
        config.schedule_seconds = static_cast<int>(schedule->asInteger(0, 7 * 24 * 3600));
    }
    if (const auto batch = top.get("batch_size")) {
        config.batch_size = static_cast<int>(batch->asInteger(1, 100000));
    }
    config.settings_json = "{}";
    if (const auto settings = top.get("settings")) {
        settings->expectObject();
        config.settings_json = toJson(settings->node());
    }
    return config;
}

std::vector<SourceConfig> readSourceConfigs(const std::string& dir, const std::string& base_dir) {
    Poco::File folder(dir);
    if (!folder.exists()) {
        return {};
    }
    if (!folder.isDirectory()) {
        fail(dir, "sources.dir is not a folder");
    }
    std::vector<std::string> files;
    for (Poco::DirectoryIterator it(dir), end; it != end; ++it) {
        if (it->isFile() && Poco::Path(it->path()).getExtension() == "json") {
            files.push_back(it->path());
        }
    }
    std::sort(files.begin(), files.end());
    std::vector<SourceConfig> configs;
    std::map<std::string, std::string> seen;
    for (const auto& file : files) {
        SourceConfig config = readSourceConfig(file, base_dir);
        if (const auto it = seen.find(config.source); it != seen.end()) {
            fail(file, "source " + utf8::quote(config.source) + " is already configured in " + it->second);
        }
        seen.emplace(config.source, file);
        configs.push_back(std::move(config));
    }
    return configs;
}

}  // namespace gateway::intake
