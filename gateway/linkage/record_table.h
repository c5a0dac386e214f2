#pragma once

#include "gateway/common/json_pointer.h"
#include "gateway/linkage/linkage_config.h"
#include "gateway/model/calendar_date.h"

#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gateway::linkage {

/// The distinct normalised values of one field, each held once with what comparing it needs. Records refer to
/// values by index, so that equal values compare as equal integers and a million records sharing a birth date
/// share one entry.
class FieldDictionary {
public:
    static constexpr std::uint32_t kAbsent = 0;

    struct Entry {
        std::string text;          ///< the normalised value: what "exact" compares
        std::u32string chars;      ///< code points, for non-ASCII text only (ASCII text is its own code points)
        std::uint32_t count = 0;   ///< records holding the value
        bool valid = true;         ///< CitizenId: the check digit and the rest hold
        model::CalendarDate date;  ///< Date
        double number = 0;         ///< Text: the value as a number when it is one
        bool numeric = false;
        /// ChineseName: per character, up to four toneless readings packed 16 bits each (0 = none).
        std::vector<std::uint64_t> readings;
        std::string pinyin;    ///< ChineseName: toneless pinyin of the value, for blocking keys
        std::string initials;  ///< ChineseName: the first letter of each syllable
    };

    explicit FieldDictionary(const FieldSpec& spec);

    /// The index of `normalised` (kAbsent for an empty string), adding it on first sight; counts one more record.
    std::uint32_t intern(std::string_view normalised, bool valid);
    /// The index of a value already normalised, or kAbsent when no record holds it.
    std::uint32_t find(std::string_view normalised) const;

    const Entry& entry(std::uint32_t index) const { return entries_[index]; }
    std::size_t size() const { return entries_.size(); }
    /// Records holding any value.
    std::uint64_t present() const { return present_; }
    const FieldSpec& spec() const { return *spec_; }

private:
    const FieldSpec* spec_;
    std::vector<Entry> entries_;
    std::unordered_map<std::string, std::uint32_t> index_;
    std::uint64_t present_ = 0;
};

/// A scalar JSON value as text: a string as it is, a number as written in shortest form; "" for anything else.
std::string scalarText(const rapidjson::Value& value);

/// Reads one field of a record to its normalised text (empty when absent) and, for citizen IDs, validity.
class FieldReader {
public:
    explicit FieldReader(const LinkageConfig& config);
    ~FieldReader();
    FieldReader(const FieldReader&) = delete;
    FieldReader& operator=(const FieldReader&) = delete;

    struct Value {
        std::string text;
        bool valid = true;
    };
    Value read(std::size_t field, const rapidjson::Value& record) const;
    /// Normalises text as field `field` would hold it (what a lookup by that field must compare against).
    Value normalise(std::size_t field, std::string_view raw) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// All records of a linkage run in memory: their keys and, per field, the index of their value in the field's
/// dictionary. About 4 bytes per field per record, plus the distinct values.
class RecordTable {
public:
    explicit RecordTable(const LinkageConfig& config);
    ~RecordTable();
    RecordTable(RecordTable&&) noexcept;

    /// Adds one record. Returns an error message (and adds nothing) when the record lacks its source or id, or
    /// when that source and id were added before.
    std::string add(const rapidjson::Value& record);
    /// Parses and adds one JSON text; the message names what is wrong.
    std::string addJson(std::string_view json);
    /// Adds one JSON object per line (blank lines skipped), parsing on `threads` threads; records keep input
    /// order. `rejected` hears of each line not added (line number from 1, message). Returns the records added.
    std::size_t addJsonLines(std::istream& in, unsigned threads,
                             const std::function<void(std::size_t line, const std::string& error)>& rejected);
    /// Adds the JSON texts in order, parsing on `threads` threads; `rejected` hears of each one not added (its
    /// index in `texts`). Returns the records added.
    std::size_t addJsonTexts(const std::vector<std::string>& texts, unsigned threads,
                             const std::function<void(std::size_t index, const std::string& error)>& rejected);

    std::size_t size() const { return sources_.size(); }
    const LinkageConfig& config() const { return *config_; }
    std::size_t fieldCount() const { return config_->fields.size(); }

    std::uint32_t value(std::size_t record, std::size_t field) const { return values_[record * fieldCount() + field]; }
    const FieldDictionary& dictionary(std::size_t field) const { return dictionaries_[field]; }
    const FieldDictionary::Entry& entry(std::size_t record, std::size_t field) const {
        return dictionaries_[field].entry(value(record, field));
    }

    std::uint16_t source(std::size_t record) const { return sources_[record]; }
    const std::string& sourceName(std::uint16_t source) const { return source_names_[source]; }
    std::size_t sourceCount() const { return source_names_.size(); }
    const std::string& sourceId(std::size_t record) const { return ids_[record]; }
    /// "source/source_id", as messages and review pairs name a record.
    std::string key(std::size_t record) const;
    /// The record's index, or npos.
    std::size_t find(std::string_view source, std::string_view source_id) const;

    const FieldReader& reader() const { return *reader_; }

private:
    /// A record read and normalised, not yet numbered: the part of adding that needs nothing shared.
    struct Prepared {
        std::string error;
        std::string source;
        std::string id;
        std::vector<FieldReader::Value> values;
    };
    Prepared prepare(const rapidjson::Value& record) const;
    Prepared prepareJson(std::string_view json) const;
    /// Numbers the record (rejecting a second one with its source and id); its values are interned after.
    std::string claim(Prepared& prepared);
    std::string add(Prepared prepared);

    const LinkageConfig* config_;
    JsonPointer source_pointer_;
    JsonPointer id_pointer_;
    std::unique_ptr<FieldReader> reader_;
    std::vector<FieldDictionary> dictionaries_;
    std::vector<std::uint32_t> values_;
    std::vector<std::uint16_t> sources_;
    std::vector<std::string> source_names_;
    std::vector<std::string> ids_;
    std::unordered_map<std::string, std::size_t> by_key_;
};

}  // namespace gateway::linkage
