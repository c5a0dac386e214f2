#include "ops/sim/gap_rules.h"

#include "ops/sim/child_facts.h"
#include "ops/sim/facts_json.h"
#include "ops/sim/json_out.h"
#include "ops/sim/row_evidence.h"
#include "ops/sim/sim_state.h"
#include "ops/sim/truth_files.h"

#include <algorithm>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <utility>

namespace deptsim {

namespace {

using gateway::model::CalendarDate;

constexpr std::string_view kTransferredOut = "转出";
constexpr std::string_view kDroppedOut = "辍学";
constexpr std::string_view kOrphanAllowance = "孤儿基本生活费";
constexpr std::string_view kDeFactoAllowance = "事实无人抚养儿童基本生活补贴";

/// What a child's current facts say on the as-of date, as far as the rules need it.
struct FactsOnDate {
    bool known = false;
    CalendarDate birth_date;
    bool orphan = false;
    bool de_facto_unsupported = false;
    bool in_category = false;  // any of the six policy categories
};

/// One value a row gives for a compared field, with the source it came from.
using Shown = std::pair<Source, std::string>;

/// Everything the child's mappable rows say, gathered over all sources.
struct ChildRows {
    bool any = false;
    bool police = false;
    bool school = false;            // any school row: the gateway dates school rows at receipt, so never stale
    bool school_attends = false;    // a row 在读 or 休学
    bool school_current = false;    // a row other than 转出
    std::int64_t current_seq = -1;  // the latest such row by updated_seq, and what it says
    std::string current_status;
    bool health = false;
    std::optional<EpochSeconds> newest;  // the newest police, civil or health stamp
    std::vector<AssistanceShown> assistance;
    std::array<std::vector<Shown>, 4> identity;  // birth date, sex, father's ID, mother's ID
};

void add(std::vector<Shown>& values, Source source, std::string value) {
    if (!value.empty()) {
        values.emplace_back(source, std::move(value));
    }
}

void gather(ChildRows& child, const RowEvidence& row) {
    child.any = true;
    switch (row.source) {
        case Source::Police:
            child.police = true;
            break;
        case Source::School:
            child.school = true;
            child.school_attends = child.school_attends || row.school_status == "在读" || row.school_status == "休学";
            if (row.school_status != kTransferredOut) {
                child.school_current = true;
                if (row.school_seq > child.current_seq) {
                    child.current_seq = row.school_seq;
                    child.current_status = row.school_status;
                }
            }
            break;
        case Source::Health:
            child.health = true;
            break;
        case Source::Civil:
            child.assistance.insert(child.assistance.end(), row.assistance.begin(), row.assistance.end());
            break;
    }
    if (row.stamp && (!child.newest || *row.stamp > *child.newest)) {
        child.newest = row.stamp;
    }
    add(child.identity[0], row.source, row.birth_date ? row.birth_date->toIso() : "");
    add(child.identity[1], row.source, row.sex ? std::string(gateway::model::sexCode(*row.sex)) : std::string());
    add(child.identity[2], row.source, row.father_id);
    add(child.identity[3], row.source, row.mother_id);
}

/// Two rows of different sources with different values.
bool contradicts(const std::vector<Shown>& values) {
    for (std::size_t i = 0; i < values.size(); ++i) {
        for (std::size_t j = i + 1; j < values.size(); ++j) {
            if (values[i].first != values[j].first && values[i].second != values[j].second) {
                return true;
            }
        }
    }
    return false;
}

bool assistanceNoLongerMet(const ChildRows& rows, const FactsOnDate& facts, int age, const CalendarDate& as_of) {
    for (const AssistanceShown& assistance : rows.assistance) {
        const bool active = !assistance.end || *assistance.end > as_of;
        if (!active) {
            continue;
        }
        const bool orphan_allowance = assistance.type == kOrphanAllowance;
        const bool de_facto_allowance = assistance.type == kDeFactoAllowance;
        if ((orphan_allowance && !facts.orphan) || (de_facto_allowance && !facts.de_facto_unsupported) ||
            ((orphan_allowance || de_facto_allowance) && age >= 18)) {
            return true;
        }
    }
    return false;
}

/// Every row older than kStaleDays before the as-of date: its stamp before 00:00 UTC of that day.
bool allRowsStale(const ChildRows& rows, const CalendarDate& as_of) {
    if (!rows.any || rows.school || !rows.newest) {
        return false;
    }
    return *rows.newest < epochSeconds(as_of.addDays(-kStaleDays));
}

/// The current facts of every child (the last line of each entity in children.jsonl), on the as-of date.
std::vector<FactsOnDate> readFacts(const std::string& children_jsonl, const CalendarDate& as_of) {
    std::ifstream in(children_jsonl, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + children_jsonl);
    }
    std::vector<FactsOnDate> facts;
    std::string line;
    std::string error;
    while (std::getline(in, line)) {
        const auto child = factsFromJson(line, error);
        if (!child) {
            throw std::runtime_error("children.jsonl: " + error);
        }
        if (facts.size() <= child->entity) {
            facts.resize(child->entity + 1);
        }
        FactsOnDate& on = facts[child->entity];
        on = FactsOnDate{true, child->birth_date, false, false, false};
        for (const std::string& category : childCategories(*child, as_of)) {
            on.in_category = true;
            on.orphan = on.orphan || category == "orphan";
            on.de_facto_unsupported = on.de_facto_unsupported || category == "de_facto_unsupported";
        }
    }
    return facts;
}

}  // namespace

std::string_view gapRuleName(GapRule rule) {
    switch (rule) {
        case GapRule::SchoolAgeNotEnrolled:
            return "school_age_not_enrolled";
        case GapRule::EnrolledNotInPopulationRegister:
            return "enrolled_not_in_population_register";
        case GapRule::NewbornUnregistered:
            return "newborn_unregistered";
        case GapRule::AssistanceNoLongerMet:
            return "assistance_no_longer_met";
        case GapRule::StaleClassification:
            return "stale_classification";
        case GapRule::IdentityContradiction:
            return "identity_contradiction";
    }
    return "";
}

GapTruth findGaps(const CityPaths& paths, const SchoolDbSettings& school, const CalendarDate& as_of) {
    const std::vector<FactsOnDate> facts = readFacts(paths.children_jsonl, as_of);
    std::vector<ChildRows> rows(facts.size());
    SimState state(paths.state_db);
    eachServedRow(paths, school, state, [&](const RowEvidence& row) {
        if (row.kind == RowKind::Unmappable) {
            return;  // the gateway quarantines it: it says nothing about anyone
        }
        if (row.entity >= rows.size()) {
            throw std::runtime_error("row " + row.id + " belongs to " + entityId(row.entity) +
                                     ", who has no facts in children.jsonl");
        }
        gather(rows[row.entity], row);
    });

    GapTruth truth;
    truth.as_of = as_of;
    auto find = [&](GapRule rule, std::uint32_t entity) {
        truth.entities[static_cast<std::size_t>(rule)].push_back(entity);
    };
    for (std::uint32_t entity = 0; entity < facts.size(); ++entity) {
        const FactsOnDate& child = facts[entity];
        const ChildRows& shown = rows[entity];
        if (!child.known || !shown.any) {
            continue;
        }
        const int age = child.birth_date.ageOn(as_of);
        if (shown.police && age >= 6 && age <= 15 && (!shown.school_current || shown.current_status == kDroppedOut)) {
            find(GapRule::SchoolAgeNotEnrolled, entity);
        }
        if (shown.school_attends && !shown.police) {
            find(GapRule::EnrolledNotInPopulationRegister, entity);
        }
        if (shown.health && !shown.police &&
            as_of.daysSinceEpoch() - child.birth_date.daysSinceEpoch() >= kNewbornDays) {
            find(GapRule::NewbornUnregistered, entity);
        }
        if (assistanceNoLongerMet(shown, child, age, as_of)) {
            find(GapRule::AssistanceNoLongerMet, entity);
        }
        if (child.in_category && allRowsStale(shown, as_of)) {
            find(GapRule::StaleClassification, entity);
        }
        if (std::any_of(shown.identity.begin(), shown.identity.end(), contradicts)) {
            find(GapRule::IdentityContradiction, entity);
        }
    }
    return truth;
}

std::string gapsCsv(const GapTruth& truth) {
    std::vector<std::string> lines;
    for (const GapRule rule : kGapRules) {
        for (const std::uint32_t entity : truth.of(rule)) {
            lines.push_back(std::string(gapRuleName(rule)) + ',' + entityId(entity) + '\n');
        }
    }
    std::sort(lines.begin(), lines.end());
    std::string csv = "rule,entity_id\n";
    for (const std::string& line : lines) {
        csv += line;
    }
    return csv;
}

std::string gapsJson(const GapTruth& truth) {
    JsonOut out;
    out.beginObject().field("as_of", truth.as_of.toIso()).key("rules").beginObject();
    for (const GapRule rule : kGapRules) {
        out.field(gapRuleName(rule), static_cast<std::int64_t>(truth.of(rule).size()));
    }
    out.endObject().endObject();
    return out.str();
}

GapTruth writeGaps(const CityPaths& paths, const SchoolDbSettings& school, const CalendarDate& as_of) {
    GapTruth truth = findGaps(paths, school, as_of);
    writeFileAtomically(paths.truth_dir + "/gaps.csv", gapsCsv(truth));
    return truth;
}

}  // namespace deptsim
