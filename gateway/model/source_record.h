#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::model {

/// Guardian status vocabulary (DESIGN §4), in the order of the design.
inline constexpr std::array<std::string_view, 11> kGuardianStatuses = {
    "present",         "migrant_worker",    "deceased",
    "missing",         "imprisoned",        "severe_disability",
    "serious_illness", "detained_or_rehab", "guardianship_revoked",
    "deported",        "unknown",
};

bool isGuardianStatus(std::string_view status);

/// One guardian as a source reports it. Empty strings are absent values.
struct Guardian {
    std::string relation;
    std::string name;
    std::string id_number;
    std::string status;  ///< empty or one of kGuardianStatuses
    std::string phone;

    friend bool operator==(const Guardian&, const Guardian&) = default;
};

/// The canonical source record (DESIGN §4): what a mapping produces and `gateway link` consumes.
/// String fields hold valid UTF-8 as received, unvalidated beyond that (sex, dates, ID numbers and division codes
/// are checked by their own types); an empty string is an absent value.
struct SourceRecord {
    std::string source;     ///< required
    std::string source_id;  ///< required
    std::string observed_at;
    std::string name;
    std::string sex;
    std::string birth_date;
    std::string id_number;
    std::string ethnicity;
    std::string hukou_division;
    std::string residence_division;
    std::string address;
    std::map<std::string, std::string> identifiers;
    std::vector<Guardian> guardians;
    /// A JSON object as compact text, as toJson() and parseSourceRecord() write it.
    std::string facts = "{}";

    friend bool operator==(const SourceRecord&, const SourceRecord&) = default;
};

struct SourceRecordResult {
    std::optional<SourceRecord> record;
    std::string error;                  ///< empty when `record` is set; names the offending field
    std::vector<std::string> warnings;  ///< unknown keys, which are dropped; set even when the record is accepted

    explicit operator bool() const { return record.has_value(); }
};

/// Larger inputs are rejected unparsed.
inline constexpr std::size_t kMaxSourceRecordBytes = 1024 * 1024;

/// Nesting allowed inside `facts`, counting `facts` itself as level 1. Deeper input is rejected, which also keeps
/// serialisation, which recurses, off the stack limit.
inline constexpr std::size_t kMaxFactsDepth = 64;

/// Parses one record from untrusted JSON. Never throws on bad input.
SourceRecordResult parseSourceRecord(std::string_view json);

/// Compact JSON with keys in the order of DESIGN §4, empty fields, identifiers, guardians and "{}" facts left out.
/// Characters outside the BMP are written as raw UTF-8, never escaped.
/// Precondition: strings are valid UTF-8 and `facts` is a compact JSON object, as parseSourceRecord() leaves them.
std::string toJson(const SourceRecord& record);

}  // namespace gateway::model
