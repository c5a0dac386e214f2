#pragma once

#include "gateway/model/calendar_date.h"
#include "gateway/model/division_directory.h"
#include "gateway/model/source_record.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

/// The mapping stage: a declarative JSON mapping per source turns a raw row (a JSON object from an adapter) into
/// the canonical source record, or quarantines it with a reason. No department-specific C++.
/// The mapping language is documented in mappings/README.md.
namespace gateway::mapping {

enum class Outcome { Accepted, AcceptedWithWarnings, Quarantined };

/// "accepted", "accepted_with_warnings" or "quarantined".
std::string_view outcomeName(Outcome outcome);

struct MappedRecord {
    Outcome outcome = Outcome::Quarantined;
    /// Meaningful unless quarantined. Even then `source` is set, and `source_id` when the row had a readable one,
    /// so that a quarantined row can still be traced.
    model::SourceRecord record;
    /// "TARGET (POINTER): what", e.g. "id_number (/gmsfhm): 15-digit citizen ID "…" upgraded to 18 characters".
    std::vector<std::string> warnings;
    /// Why it was quarantined: every hard failure as "TARGET (POINTER): what", joined by "; ". Empty otherwise.
    std::string reason;
};

/// What a mapping may consult while loading and applying.
struct MappingContext {
    /// For division_lookup and in_directory; not owned, and must outlive every Mapping loaded with it. May be
    /// null when the mapping uses neither.
    const model::DivisionDirectory* divisions = nullptr;
    /// Folder of code tables (mappings/codes/). When empty, load() uses the "codes" folder beside the mapping file.
    std::string codes_dir;
    /// "Today" for date-range checks (no future births); apply() can be given another.
    model::CalendarDate as_of;
};

class MappingProgram;  // the compiled form, private to the engine

/// A loaded, validated mapping. Immutable and thread-safe to apply; cheap to copy (the program is shared).
class Mapping {
public:
    /// Loads and checks a mapping file. Any mistake (unknown transform, bad JSON pointer, missing code table,
    /// unknown key, unknown target field) throws GatewayError(InvalidConfig) with "FILE:LINE: at PATH: what".
    static Mapping load(const std::string& path, const MappingContext& context);
    /// The same from text; `origin` names it in messages.
    static Mapping parse(std::string_view json_text, const std::string& origin, const MappingContext& context);

    /// Maps one row (a JSON object as text). Never throws for bad data: a row that cannot be mapped comes back
    /// Quarantined with a reason.
    MappedRecord apply(std::string_view row_json) const;
    /// The same with another as-of date than the one the mapping was loaded with (a long-running service).
    MappedRecord apply(std::string_view row_json, const model::CalendarDate& as_of) const;
    /// The same into an existing result, whose buffers are reused; for batch loops.
    void applyInto(std::string_view row_json, MappedRecord& out) const;

    /// The source name the mapping declares; every record it produces carries it.
    const std::string& source() const;
    const std::string& version() const;
    const std::string& description() const;

private:
    explicit Mapping(std::shared_ptr<const MappingProgram> program);
    std::shared_ptr<const MappingProgram> program_;
};

}  // namespace gateway::mapping
