#pragma once

#include "ops/sim/child_facts.h"
#include "ops/sim/source_rows.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace deptsim {

/// One row of the school's student_register table (PROTOCOL.md).
struct SchoolRow {
    std::int64_t id = 0;
    std::string xjh;
    std::string xm;
    std::string xb;
    std::string csrq;
    std::optional<std::string> sfzh;
    std::string mz;
    std::string xxdm;
    std::string xxmc;
    std::string nj;
    std::string xjzt;
    int wgqk_ts = 0;
    std::string jhrxm;
    std::string jhrdh;
    std::string jhrgx;
    std::string hjdz_qhdm;
    std::string xzz_qhdm;
    std::int64_t updated_seq = 0;
};

/// The police system's JSON item for the row.
std::string renderPolice(const ChildFacts& child, const RowRef& row, const RenderContext& context);

/// The civil-affairs system's JSON record for the row.
std::string renderCivil(const ChildFacts& child, const RowRef& row, const RenderContext& context);

/// The school register's row; `row.id` is the decimal row id, `updated_seq` the row's watermark.
SchoolRow renderSchool(const ChildFacts& child, const RowRef& row, std::int64_t updated_seq,
                       const RenderContext& context);

/// The health system's CSV fields, in the header's order (healthCsvHeader()).
std::vector<std::string> renderHealth(const ChildFacts& child, const RowRef& row, const RenderContext& context);

/// The 14 column names of a health drop.
const std::vector<std::string>& healthCsvHeader();

/// Where a row says the child lives: the current residence, or a stale one (the previous residence, else the
/// hukou division) when the row's noise says the source never updated it. Returns {division, address}.
std::pair<std::string, std::string> shownResidence(const ChildFacts& child, bool stale);

/// An impossible birth date in the child's birth year, for unmappable rows (e.g. 2014-02-30).
gateway::model::CalendarDate impossibleDate(const ChildFacts& child);

}  // namespace deptsim
