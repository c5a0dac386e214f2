// A department row through the real mappings of mappings/: JSON parsing, every transform and validation they use,
// guardians and facts. A record a mapping accepts must survive the trip the sync job gives it, as JSON into the
// store and back.
//
// Input: a row, as a JSON object's text.
#include "gateway/mapping/mapping.h"
#include "gateway/model/division_directory.h"
#include "gateway/model/source_record.h"
#include "tests/fuzz/fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using gateway::fuzz::check;
namespace mapping = gateway::mapping;
namespace model = gateway::model;

const std::vector<mapping::Mapping>& mappings() {
    static const model::DivisionDirectory divisions = model::DivisionDirectory::loadBuiltin();
    static const std::vector<mapping::Mapping> loaded = [] {
        mapping::MappingContext context;
        context.divisions = &divisions;
        context.codes_dir = std::string(GATEWAY_SOURCE_DIR) + "/mappings/codes";
        context.as_of = model::CalendarDate(2026, 11, 1);
        std::vector<mapping::Mapping> all;
        for (const char* name : {"police_population", "school_register", "health_births", "civil_rescue"}) {
            all.push_back(
                mapping::Mapping::load(std::string(GATEWAY_SOURCE_DIR) + "/mappings/" + name + ".json", context));
        }
        return all;
    }();
    return loaded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view row(reinterpret_cast<const char*>(data), size);
    mapping::MappedRecord out;
    for (const mapping::Mapping& m : mappings()) {
        m.applyInto(row, out);
        check(out.record.source == m.source(), "every record names its source");
        if (out.outcome == mapping::Outcome::Quarantined) {
            check(!out.reason.empty(), "a quarantined row says why");
            continue;
        }
        check(out.reason.empty(), "an accepted row has no quarantine reason");
        check(out.warnings.empty() == (out.outcome == mapping::Outcome::Accepted), "warnings mark the outcome");
        check(!out.record.source_id.empty(), "an accepted row has a source id");
        const model::SourceRecordResult back = model::parseSourceRecord(model::toJson(out.record));
        check(back.record.has_value(), "an accepted record reads back from its JSON");
        // Facts keep a number's text as the row spelt it ("620.00"); reading them back writes the same value in
        // rapidjson's form ("620.0"), once: from there the record must come back exactly.
        model::SourceRecord expected = out.record;
        expected.facts = back.record->facts;
        check(*back.record == expected, "an accepted record reads back unchanged");
        const model::SourceRecordResult again = model::parseSourceRecord(model::toJson(*back.record));
        check(again.record.has_value() && *again.record == *back.record, "a record read back is stable");
    }
    return 0;
}
