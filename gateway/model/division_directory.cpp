#include "gateway/model/division_directory.h"

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"

#include <algorithm>

namespace gateway::resources {
std::vector<std::pair<std::string_view, std::string_view>> divisionsEntries();
}  // namespace gateway::resources

namespace gateway::model {
namespace {

constexpr std::string_view kHeader = "code,name,level,parent_code";
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

struct Row {
    DivisionCode code;
    std::string name;
    std::string_view file;
    std::size_t line;
};

/// Keeps the first problem in full and counts the rest, so that a broken file yields one readable line.
class Problems {
public:
    void add(std::string message) {
        if (count_ == 0) {
            first_ = std::move(message);
        }
        ++count_;
    }
    bool empty() const { return count_ == 0; }
    std::string summary() const {
        if (count_ <= 1) {
            return first_;
        }
        return first_ + " (and " + std::to_string(count_ - 1) + " more problem" + (count_ == 2 ? "" : "s") + ")";
    }

private:
    std::string first_;
    std::size_t count_ = 0;
};

std::string where(std::string_view file, std::size_t line) {
    return std::string(file) + " line " + std::to_string(line) + ": ";
}

// The level column uses NBS's word "county" where DivisionLevel says District.
std::string_view fileLevelName(DivisionLevel level) {
    return level == DivisionLevel::District ? "county" : divisionLevelName(level);
}

std::optional<DivisionLevel> levelFromFile(std::string_view word) {
    for (const DivisionLevel level : {DivisionLevel::Province, DivisionLevel::City, DivisionLevel::District,
                                      DivisionLevel::Township, DivisionLevel::Village}) {
        if (word == fileLevelName(level)) {
            return level;
        }
    }
    return std::nullopt;
}

// RFC 4180 fields within one line: the reference files never quote, but a spreadsheet that re-saves a newer
// edition may quote every field. A quoted field cannot span lines.
bool splitCsvLine(std::string_view line, std::vector<std::string>& fields, std::string& error) {
    fields.clear();
    std::size_t pos = 0;
    while (true) {
        std::string field;
        if (pos < line.size() && line[pos] == '"') {
            ++pos;
            bool closed = false;
            while (pos < line.size()) {
                if (line[pos] == '"') {
                    if (pos + 1 < line.size() && line[pos + 1] == '"') {
                        field.push_back('"');
                        pos += 2;
                        continue;
                    }
                    ++pos;
                    closed = true;
                    break;
                }
                field.push_back(line[pos++]);
            }
            if (!closed) {
                error = "field " + std::to_string(fields.size() + 1) + " has an unterminated quote";
                return false;
            }
            if (pos < line.size() && line[pos] != ',') {
                error = "field " + std::to_string(fields.size() + 1) + " has text after its closing quote";
                return false;
            }
        } else {
            const std::size_t comma = std::min(line.find(',', pos), line.size());
            field.assign(line.substr(pos, comma - pos));
            pos = comma;
        }
        fields.push_back(std::move(field));
        if (pos >= line.size()) {
            return true;
        }
        ++pos;  // the comma
    }
}

bool hasControlCharacter(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7F;
    });
}

std::optional<Row> parseRow(const std::vector<std::string>& fields, std::string_view file, std::size_t line,
                            Problems& problems) {
    // Built only on failure: this runs for every row of the reference data at start-up.
    const auto at = [&] { return where(file, line); };
    if (fields.size() != 4) {
        problems.add(at() + "expected 4 fields (code,name,level,parent_code), got " + std::to_string(fields.size()));
        return std::nullopt;
    }
    const std::string& code_text = fields[0];
    const std::string& name = fields[1];
    const std::string& level_text = fields[2];
    const std::string& parent_text = fields[3];

    if (code_text.size() != 12 || code_text.find_first_not_of("0123456789") != std::string::npos) {
        problems.add(at() + "code " + utf8::quote(code_text) + " must be 12 digits");
        return std::nullopt;
    }
    DivisionCodeResult code = DivisionCode::parse(code_text);
    if (!code) {
        problems.add(at() + code.error);
        return std::nullopt;
    }
    if (name.empty()) {
        problems.add(at() + "the name of " + std::string(code.code->text()) + " is empty");
        return std::nullopt;
    }
    if (!utf8::isValid(name)) {
        problems.add(at() + "the name of " + std::string(code.code->text()) + ", " + utf8::quote(name) +
                     ", is not valid UTF-8");
        return std::nullopt;
    }
    if (hasControlCharacter(name)) {
        problems.add(at() + "the name of " + std::string(code.code->text()) + ", " + utf8::quote(name) +
                     ", contains a control character");
        return std::nullopt;
    }
    const std::optional<DivisionLevel> level = levelFromFile(level_text);
    if (!level) {
        problems.add(at() + "level " + utf8::quote(level_text) +
                     " is not one of province, city, county, township, village");
        return std::nullopt;
    }
    if (*level != code.code->level()) {
        problems.add(at() + "code " + std::string(code.code->text()) + " is a " +
                     std::string(fileLevelName(code.code->level())) + " code but its level is " +
                     utf8::quote(level_text));
        return std::nullopt;
    }
    const std::optional<DivisionCode> parent = code.code->parent();
    if (!parent) {
        if (!parent_text.empty()) {
            problems.add(at() + "parent_code " + utf8::quote(parent_text) + " of province " +
                         std::string(code.code->text()) + " should be empty");
            return std::nullopt;
        }
    } else if (parent_text != parent->text()) {
        problems.add(at() + "parent_code " + utf8::quote(parent_text) + " of " + std::string(code.code->text()) +
                     " should be " + std::string(parent->text()));
        return std::nullopt;
    }
    return Row{*code.code, name, file, line};
}

void parseFile(const DivisionDirectory::CsvFile& file, std::vector<Row>& rows, Problems& problems) {
    std::string_view text = file.text;
    if (text.starts_with(kByteOrderMark)) {
        text.remove_prefix(kByteOrderMark.size());
    }
    if (text.empty()) {
        problems.add(std::string(file.name) + " is empty");
        return;
    }
    std::vector<std::string> fields;
    std::string split_error;
    std::size_t line_number = 0;
    std::size_t data_rows = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t newline = std::min(text.find('\n', pos), text.size());
        std::string_view line = text.substr(pos, newline - pos);
        pos = newline + 1;
        ++line_number;
        if (line.ends_with('\r')) {
            line.remove_suffix(1);
        }
        if (line_number == 1) {
            if (line != kHeader) {
                problems.add(where(file.name, 1) + "expected the header \"" + std::string(kHeader) + "\", got " +
                             utf8::quote(line, 60));
                return;
            }
            continue;
        }
        if (line.empty()) {
            continue;
        }
        ++data_rows;
        if (!splitCsvLine(line, fields, split_error)) {
            problems.add(where(file.name, line_number) + split_error);
            continue;
        }
        if (std::optional<Row> row = parseRow(fields, file.name, line_number, problems)) {
            rows.push_back(std::move(*row));
        }
    }
    if (data_rows == 0) {
        problems.add(std::string(file.name) + " has a header but no rows");
    }
}

}  // namespace

DivisionDirectory DivisionDirectory::loadBuiltin() {
    std::vector<CsvFile> files;
    for (const auto& [name, text] : resources::divisionsEntries()) {
        files.push_back({name, text});
    }
    DivisionDirectoryResult result = fromCsvFiles(files);
    if (!result) {
        throw GatewayError(ErrorCode::Internal, "the built-in division reference data does not load: " + result.error);
    }
    return std::move(*result.directory);
}

DivisionDirectoryResult DivisionDirectory::fromCsv(std::string_view csv_text, std::string_view file_name) {
    return fromCsvFiles({CsvFile{file_name, csv_text}});
}

DivisionDirectoryResult DivisionDirectory::fromCsvFiles(const std::vector<CsvFile>& files) {
    DivisionDirectoryResult result;
    if (files.empty()) {
        result.error = "no division files were given";
        return result;
    }
    Problems problems;
    std::vector<Row> rows;
    for (const CsvFile& file : files) {
        parseFile(file, rows, problems);
    }
    // Stable, so that the first file to mention a code is the one a conflict message names first.
    std::stable_sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.code < b.code; });

    DivisionDirectory directory;
    std::vector<const Row*> origin;  // parallel to entries_: where each code was first seen
    for (const Row& row : rows) {
        if (!directory.entries_.empty() && directory.entries_.back().code == row.code) {
            const Row& first = *origin.back();
            if (first.name != row.name) {
                problems.add("code " + std::string(row.code.text()) + " is named " + utf8::quote(first.name) + " in " +
                             std::string(first.file) + " line " + std::to_string(first.line) + " but " +
                             utf8::quote(row.name) + " in " + std::string(row.file) + " line " +
                             std::to_string(row.line));
            }
            continue;
        }
        directory.entries_.push_back(Entry{row.code, row.name, {}});
        origin.push_back(&row);
    }
    for (std::size_t i = 0; i < directory.entries_.size(); ++i) {
        const Entry& entry = directory.entries_[i];
        const std::optional<DivisionCode> parent = entry.code.parent();
        if (!parent) {
            continue;
        }
        const Entry* parent_entry = directory.find(*parent);
        if (parent_entry == nullptr) {
            problems.add(where(origin[i]->file, origin[i]->line) + "the parent " + std::string(parent->text()) +
                         " of " + std::string(entry.code.text()) + " is not in the data");
            continue;
        }
        const auto parent_index = static_cast<std::uint32_t>(parent_entry - directory.entries_.data());
        directory.entries_[parent_index].children.push_back(static_cast<std::uint32_t>(i));
    }
    if (!problems.empty()) {
        result.error = problems.summary();
        return result;
    }
    for (std::size_t i = 0; i < directory.entries_.size(); ++i) {
        directory.by_name_[directory.entries_[i].name].push_back(static_cast<std::uint32_t>(i));
    }
    result.directory = std::move(directory);
    return result;
}

const DivisionDirectory::Entry* DivisionDirectory::find(const DivisionCode& code) const {
    const auto it = std::lower_bound(entries_.begin(), entries_.end(), code,
                                     [](const Entry& entry, const DivisionCode& key) { return entry.code < key; });
    if (it == entries_.end() || it->code != code) {
        return nullptr;
    }
    return &*it;
}

std::optional<std::string> DivisionDirectory::name(const DivisionCode& code) const {
    const Entry* entry = find(code);
    if (entry == nullptr) {
        return std::nullopt;
    }
    return entry->name;
}

std::optional<std::string> DivisionDirectory::fullName(const DivisionCode& code) const {
    const Entry* entry = find(code);
    if (entry == nullptr) {
        return std::nullopt;
    }
    std::string result;
    // Loading guarantees that every ancestor of a known code is known.
    for (const DivisionCode& ancestor : code.ancestors()) {
        if (const Entry* above = find(ancestor)) {
            result += above->name;
        }
    }
    result += entry->name;
    return result;
}

std::vector<DivisionCode> DivisionDirectory::children(const DivisionCode& code) const {
    std::vector<DivisionCode> result;
    if (const Entry* entry = find(code)) {
        result.reserve(entry->children.size());
        for (const std::uint32_t index : entry->children) {
            result.push_back(entries_[index].code);
        }
    }
    return result;
}

std::vector<DivisionCode> DivisionDirectory::findByName(std::string_view name) const {
    std::vector<DivisionCode> result;
    const auto it = by_name_.find(std::string(name));
    if (it != by_name_.end()) {
        for (const std::uint32_t index : it->second) {
            result.push_back(entries_[index].code);
        }
    }
    return result;
}

std::vector<DivisionCode> DivisionDirectory::findByName(std::string_view name, const DivisionScope& within) const {
    std::vector<DivisionCode> result;
    const auto it = by_name_.find(std::string(name));
    if (it != by_name_.end()) {
        for (const std::uint32_t index : it->second) {
            if (within.contains(entries_[index].code)) {
                result.push_back(entries_[index].code);
            }
        }
    }
    return result;
}

}  // namespace gateway::model
