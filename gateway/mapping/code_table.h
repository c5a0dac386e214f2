#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gateway::mapping {

/// A code table from mappings/codes/NAME.json: {"description": "…", "values": {"CODE": "VALUE", …}}.
/// Immutable once loaded.
class CodeTable {
public:
    /// Throws GatewayError(InvalidConfig) "FILE:LINE: …" for a file that is missing or malformed, a code that
    /// appears twice, an empty code or a value that is not a non-empty string.
    static std::shared_ptr<const CodeTable> load(const std::string& path, const std::string& name);

    const std::string& name() const { return name_; }
    const std::string& path() const { return path_; }
    std::size_t size() const { return entries_.size(); }

    /// The value for `code`, or nullptr.
    const std::string* find(std::string_view code) const;
    bool containsValue(std::string_view value) const;
    /// The distinct values, sorted.
    std::vector<std::string_view> values() const;

private:
    std::string name_;
    std::string path_;
    std::vector<std::pair<std::string, std::string>> entries_;  // sorted by code
};

/// Tables by name, each file read once per mapping load.
class CodeTableCache {
public:
    explicit CodeTableCache(std::string codes_dir) : codes_dir_(std::move(codes_dir)) {}

    const std::string& directory() const { return codes_dir_; }
    /// Throws GatewayError(InvalidConfig) without a location when the table cannot be loaded; callers add
    /// where it was referenced.
    std::shared_ptr<const CodeTable> get(const std::string& name);

private:
    std::string codes_dir_;
    std::map<std::string, std::shared_ptr<const CodeTable>> tables_;
};

/// True for names of the form [a-z0-9_]+, which keeps table references inside the codes folder.
bool isValidTableName(std::string_view name);

}  // namespace gateway::mapping
