#include "gateway/intake/source_config.h"

#include "gateway/common/error.h"
#include "gateway/common/file.h"
#include "gateway/common/utf8.h"

#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/Path.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace gateway::intake {
namespace {

[[noreturn]] void fail(const std::string& origin, const std::string& what) {
    throw GatewayError(ErrorCode::InvalidConfig, origin + ": " + what);
}

std::size_t lineOf(const std::string& text, std::size_t offset) {
    return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + std::min(offset, text.size()), '\n'));
}

std::string stringField(const rapidjson::Value& object, const char* key, const std::string& origin, bool required) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd()) {
        if (required) {
            fail(origin, std::string("key '") + key + "' is required");
        }
        return "";
    }
    if (!it->value.IsString()) {
        fail(origin, std::string("key '") + key + "' must be a string");
    }
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

int intField(const rapidjson::Value& object, const char* key, int fallback, int min, int max,
             const std::string& origin) {
    const auto it = object.FindMember(key);
    if (it == object.MemberEnd()) {
        return fallback;
    }
    if (!it->value.IsInt() || it->value.GetInt() < min || it->value.GetInt() > max) {
        fail(origin, std::string("key '") + key + "' must be a whole number in " + std::to_string(min) + ".." +
                         std::to_string(max));
    }
    return it->value.GetInt();
}

}  // namespace

SourceConfig readSourceConfig(const std::string& path, const std::string& base_dir) {
    const std::string text = readFileContent(path, "source configuration");

    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(text.c_str(), text.size());
    if (doc.HasParseError()) {
        fail(path + ":" + std::to_string(lineOf(text, doc.GetErrorOffset())),
             std::string("invalid JSON: ") + rapidjson::GetParseError_En(doc.GetParseError()));
    }
    if (!doc.IsObject()) {
        fail(path, "must hold one JSON object");
    }
    static const std::set<std::string> kKnown = {"source",  "description",      "adapter",    "mapping",
                                                 "enabled", "schedule_seconds", "batch_size", "settings"};
    for (const auto& member : doc.GetObject()) {
        const std::string key(member.name.GetString(), member.name.GetStringLength());
        if (kKnown.count(key) == 0) {
            fail(path, "unknown key " + utf8::quote(key) +
                           " (known: adapter, batch_size, description, enabled, mapping, schedule_seconds, settings, "
                           "source)");
        }
    }

    SourceConfig config;
    config.origin = path;
    config.source = stringField(doc, "source", path, true);
    static const std::regex kName("[a-z][a-z0-9_]{0,63}");
    if (!std::regex_match(config.source, kName)) {
        fail(path, "key 'source': " + utf8::quote(config.source) +
                       " must be 1-64 lower-case letters, digits or '_', starting with a letter");
    }
    config.description = stringField(doc, "description", path, false);
    config.adapter = stringField(doc, "adapter", path, true);
    config.mapping = stringField(doc, "mapping", path, true);
    if (!config.mapping.empty() && !Poco::Path(config.mapping).isAbsolute() && !base_dir.empty()) {
        config.mapping = Poco::Path(Poco::Path::forDirectory(base_dir), Poco::Path(config.mapping)).toString();
    }
    if (const auto it = doc.FindMember("enabled"); it != doc.MemberEnd()) {
        if (!it->value.IsBool()) {
            fail(path, "key 'enabled' must be true or false");
        }
        config.enabled = it->value.GetBool();
    }
    config.schedule_seconds = intField(doc, "schedule_seconds", 0, 0, 7 * 24 * 3600, path);
    config.batch_size = intField(doc, "batch_size", 1000, 1, 100000, path);
    if (const auto it = doc.FindMember("settings"); it != doc.MemberEnd()) {
        if (!it->value.IsObject()) {
            fail(path, "key 'settings' must be an object");
        }
        rapidjson::StringBuffer out;
        rapidjson::Writer<rapidjson::StringBuffer> writer(out);
        it->value.Accept(writer);
        config.settings_json = out.GetString();
    } else {
        config.settings_json = "{}";
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
