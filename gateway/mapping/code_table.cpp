#include "gateway/mapping/code_table.h"

#include "gateway/common/config_tree.h"
#include "gateway/common/error.h"
#include "gateway/common/file.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace gateway::mapping {

std::shared_ptr<const CodeTable> CodeTable::load(const std::string& path, const std::string& name) {
    std::string content;
    try {
        content = readFileContent(path, "code table");
    } catch (const GatewayError&) {
        // The name is what the mapping wrote; the file is where it was looked for.
        throw GatewayError(ErrorCode::InvalidConfig,
                           "code table " + singleQuoted(name) + " not found (no file " + path + ")");
    }
    const auto document = ConfigDocument::parse(std::move(content), path);
    const ObjectReader top(ConfigCursor::root(*document), {"description", "values"});
    if (const auto description = top.get("description")) {
        description->asString();
    }
    const ConfigCursor values = top.require("values");
    values.expectObject();

    auto table = std::make_shared<CodeTable>();
    table->name_ = name;
    table->path_ = path;
    for (const ConfigMember& member : values.node().members) {
        const ConfigCursor entry = values.member(member);
        if (member.key.empty()) {
            entry.fail("empty code");
        }
        const std::string& value = entry.asString();
        if (value.empty()) {
            entry.fail("empty value for code " + singleQuoted(member.key));
        }
        // Duplicate keys were already refused by the parser.
        table->entries_.emplace_back(member.key, value);
    }
    if (table->entries_.empty()) {
        values.fail("a code table needs at least one code");
    }
    std::sort(table->entries_.begin(), table->entries_.end());
    return table;
}

const std::string* CodeTable::find(std::string_view code) const {
    const auto it = std::lower_bound(entries_.begin(), entries_.end(), code,
                                     [](const auto& entry, std::string_view key) { return entry.first < key; });
    if (it == entries_.end() || it->first != code) {
        return nullptr;
    }
    return &it->second;
}

bool CodeTable::containsValue(std::string_view value) const {
    return std::any_of(entries_.begin(), entries_.end(), [&](const auto& entry) { return entry.second == value; });
}

std::vector<std::string_view> CodeTable::values() const {
    std::vector<std::string_view> out;
    for (const auto& entry : entries_) {
        out.push_back(entry.second);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::shared_ptr<const CodeTable> CodeTableCache::get(const std::string& name) {
    if (const auto it = tables_.find(name); it != tables_.end()) {
        return it->second;
    }
    if (codes_dir_.empty()) {
        throw GatewayError(ErrorCode::InvalidConfig,
                           "code table " + singleQuoted(name) + " cannot be found: no codes folder is configured");
    }
    auto table = CodeTable::load(codes_dir_ + "/" + name + ".json", name);
    tables_.emplace(name, table);
    return table;
}

bool isValidTableName(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

}  // namespace gateway::mapping
