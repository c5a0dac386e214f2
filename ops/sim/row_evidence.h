#pragma once

#include "ops/sim/city_paths.h"
#include "ops/sim/school_table.h"
#include "ops/sim/sim_state.h"
#include "ops/sim/source_rows.h"
#include "ops/sim/time_format.h"

#include "gateway/model/calendar_date.h"
#include "gateway/model/sex.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace deptsim {

/// An assistance entry as a civil record shows it.
struct AssistanceShown {
    std::string type;  // 低保, 孤儿基本生活费, … (trimmed)
    std::optional<gateway::model::CalendarDate> end;
};

/// What one row a source serves now says, read the way the gateway's mappings read it (mappings/*.json): the
/// values the gap rules compare, each normalised as its mapping normalises it, and left out when the row does not
/// carry it as a valid value (an ID number that fails its check digit, a date that is no date).
struct RowEvidence {
    Source source = Source::Police;
    std::string id;
    std::uint32_t entity = 0;
    RowKind kind = RowKind::Primary;
    std::uint64_t noise = 0;                 // the seed of the row's errors, to render it again
    std::optional<gateway::model::Sex> sex;  // male or female only
    std::optional<gateway::model::CalendarDate> birth_date;
    std::string father_id;  // a valid 18-character number (a 15-digit one upgraded), or ""
    std::string mother_id;
    /// Police updated_at, civil modified, health 更新时间; none for school rows, which carry no time of their own.
    std::optional<EpochSeconds> stamp;
    std::string school_status;  // xjzt, trimmed
    std::int64_t school_seq = 0;
    std::vector<AssistanceShown> assistance;  // civil only
};

/// Reads every row the four sources serve now and hands each to `visit`, unmappable ones too (their kind says
/// so): police and civil bodies from the state, the school table as it is, and for the health drop the last
/// record of each certificate number over the complete drops, oldest first, as a reader of the folder sees them.
void eachServedRow(const CityPaths& paths, const SchoolDbSettings& school, SimState& state,
                   const std::function<void(const RowEvidence& row)>& visit);

}  // namespace deptsim
