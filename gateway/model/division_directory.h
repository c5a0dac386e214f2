#pragma once

#include "gateway/model/division_code.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace gateway::model {

struct DivisionDirectoryResult;

/// The names of divisions, from NBS reference files (header `code,name,level,parent_code`, UTF-8).
/// Immutable once loaded; safe to share between threads for reading. Copying copies the whole table, so pass it
/// by reference.
class DivisionDirectory {
public:
    /// One CSV file: a name for messages (the file name) and its content.
    struct CsvFile {
        std::string_view name;
        std::string_view text;
    };

    /// An empty directory: every lookup misses.
    DivisionDirectory() = default;

    /// The reference files compiled into the executable (config/reference/divisions/). Throws GatewayError
    /// (Internal) if they do not load, since that is a build defect, not bad input.
    static DivisionDirectory loadBuiltin();

    /// One user-supplied file, such as a newer edition a county loads.
    static DivisionDirectoryResult fromCsv(std::string_view csv_text, std::string_view file_name = "divisions.csv");

    /// Several files merged. Files may repeat rows; the same code with two different names is an error that
    /// names both. Every row's level and parent_code must agree with its code, and every parent must be present.
    static DivisionDirectoryResult fromCsvFiles(const std::vector<CsvFile>& files);

    std::size_t size() const { return entries_.size(); }
    bool contains(const DivisionCode& code) const { return find(code) != nullptr; }

    std::optional<std::string> name(const DivisionCode& code) const;

    /// Names from the province down to `code`, joined without separators ("江苏省常州市新北区三井街道…");
    /// nullopt when `code` is not in the directory.
    std::optional<std::string> fullName(const DivisionCode& code) const;

    /// The divisions whose parent is `code`, sorted by code; empty for an unknown code.
    std::vector<DivisionCode> children(const DivisionCode& code) const;

    /// Codes whose name is exactly `name` (byte equality, no normalisation of suffixes such as 村委会/村民委员会),
    /// sorted by code.
    std::vector<DivisionCode> findByName(std::string_view name) const;
    std::vector<DivisionCode> findByName(std::string_view name, const DivisionScope& within) const;

private:
    struct Entry {
        DivisionCode code;
        std::string name;
        std::vector<std::uint32_t> children;  // indexes into entries_, in code order
    };

    const Entry* find(const DivisionCode& code) const;

    std::vector<Entry> entries_;                                           // sorted by code
    std::unordered_map<std::string, std::vector<std::uint32_t>> by_name_;  // indexes in code order
};

struct DivisionDirectoryResult {
    std::optional<DivisionDirectory> directory;
    std::string error;  ///< empty on success; otherwise the first problem with file and line, and how many more

    explicit operator bool() const { return directory.has_value(); }
};

}  // namespace gateway::model
