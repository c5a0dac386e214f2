#include "ops/sim/json_out.h"
#include "ops/sim/renderers.h"
#include "ops/sim/row_noise.h"

namespace deptsim {

namespace {

std::string money(int yuan) {
    return std::to_string(yuan) + ".00";
}

void writeAssistance(JsonOut& out, const AssistanceFacts& assistance) {
    out.beginObject().field("type", assistance.type).field("start", assistance.start.toIso());
    out.key("end");
    if (assistance.end) {
        out.text(assistance.end->toIso());
    } else {
        out.null();
    }
    out.field("monthly_amount", money(assistance.amount_yuan)).endObject();
}

}  // namespace

std::string renderCivil(const ChildFacts& child, const RowRef& row, const RenderContext& context) {
    RowNoise noise(row.noise, context.params.errors, context.names);
    const bool temporary = row.kind == RowKind::TemporaryAid;
    JsonOut out;
    out.beginObject().field("case_id", row.id);

    out.key("child").beginObject();
    if (row.kind == RowKind::Unmappable) {
        out.field("name", "")
            .field("id_no", "")
            .field("sex", "")
            .field("birth", noise.chance(0.5) ? "" : formatDate(impossibleDate(child), DateLayout::Slash));
    } else {
        out.field("name", noise.name(child.name, child.sex))
            .field("id_no", noise.childId(child.id_number))
            .field("sex", child.sex == 1 ? "男" : "女")
            .field("birth", noise.birthDate(child.birth_date, DateLayout::Slash));
    }
    out.endObject();

    const auto [division, address] = shownResidence(child, noise.chance(context.params.errors.stale_address));
    out.field("region_code", division);

    CaseFacts shown;
    if (child.civil_case) {
        shown = *child.civil_case;
    }
    if (temporary || !child.civil_case) {
        shown.case_type = "临时救助";
        shown.category = "临时救助对象";
        shown.placement.clear();
        shown.closed.reset();
        for (const auto& assistance : child.assistance) {
            if (assistance.type == "临时救助") {
                shown.opened = assistance.start;
                shown.closed = assistance.end;
            }
        }
    }
    out.field("case_type", shown.case_type).field("category", shown.category);
    out.key("assistance").beginArray();
    for (const auto& assistance : child.assistance) {
        // The one-off aid has a case of its own unless it is the child's only case.
        const bool one_off = assistance.type == "临时救助";
        const bool own_case = shown.case_type == "临时救助";
        if (one_off == own_case) {
            writeAssistance(out, assistance);
        }
    }
    out.endArray();

    const GuardianFacts& guardian = child.guardian;
    out.key("guardian")
        .beginObject()
        .field("name", noise.name(guardian.name, guardian.relation.find("母") != std::string::npos ? 2 : 1))
        .field("relation", guardian.relation)
        .field("id_no", noise.adultId(guardian.id_number))
        .field("status", statusWord(guardian.status))
        .field("phone", guardian.phone)
        .endObject();
    out.fieldOrNull("placement", shown.placement);
    gateway::model::CalendarDate opened = shown.opened;
    if (row.kind == RowKind::Duplicate) {
        // The same child entered again by another office, a few weeks later.
        opened = opened.addDays(static_cast<int>(noise.random().between(7, 60)));
    }
    out.field("opened", opened.toIso()).key("closed");
    if (shown.closed) {
        out.text(shown.closed->toIso());
    } else {
        out.null();
    }
    out.field("modified", isoUtc(row.updated)).endObject();
    return out.str();
}

}  // namespace deptsim
