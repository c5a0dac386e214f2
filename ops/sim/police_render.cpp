#include "ops/sim/json_out.h"
#include "ops/sim/renderers.h"
#include "ops/sim/row_noise.h"

#include "gateway/model/ethnicity.h"

#include <cstdio>

namespace deptsim {

namespace {

void writeParent(JsonOut& out, std::string_view key, const ParentFacts& parent, RowNoise& noise) {
    out.key(key);
    if (!parent.known) {
        out.null();
        return;
    }
    // A source that lags shows the status from before a recent change.
    const bool late = parent.previous_status != parent.status && noise.chance(noise.rates().late);
    out.beginObject()
        .field("xm", noise.name(parent.name, parent.sex))
        .field("gmsfhm", noise.adultId(parent.id_number))
        .field("zt", statusWord(late ? parent.previous_status : parent.status))
        .field("lxdh", noise.chance(0.05) ? "" : parent.phone)
        .endObject();
}

}  // namespace

std::string renderPolice(const ChildFacts& child, const RowRef& row, const RenderContext& context) {
    RowNoise noise(row.noise, context.params.errors, context.names);
    JsonOut out;
    out.beginObject().field("person_id", row.id);
    if (row.kind == RowKind::Unmappable) {
        const bool no_date = noise.chance(0.5);
        out.field("xm", "")
            .field("xb", child.sex == 1 ? "1" : "2")
            .field("csrq", no_date ? "" : formatDate(impossibleDate(child), DateLayout::Compact))
            .field("gmsfhm", "")
            .field("mz", "01")
            .field("hjdz_qhdm", child.hukou_division)
            .field("xzz_qhdm", child.residence_division)
            .field("xzz", child.address)
            .field("hh", child.household)
            .key("fq")
            .null()
            .key("mq")
            .null()
            .field("updated_at", isoUtc(row.updated))
            .endObject();
        return out.str();
    }
    const bool words_for_sex = noise.chance(0.06);
    const std::string sex = words_for_sex ? (child.sex == 1 ? "男" : "女") : (child.sex == 1 ? "1" : "2");
    const DateLayout layout = noise.chance(0.15) ? DateLayout::Iso : DateLayout::Compact;
    const auto ethnicity = gateway::model::Ethnicity::fromCode(child.ethnicity);
    const bool ethnicity_as_name = noise.chance(0.15);
    const std::string mz = !ethnicity          ? "01"
                           : ethnicity_as_name ? std::string(ethnicity->name())
                                               : std::string(ethnicity->code());
    // A duplicate is the household's old registration: the old address, the old household number.
    const bool old_registration = row.kind == RowKind::Duplicate && !child.previous_residence_division.empty();
    const bool stale = old_registration || noise.chance(context.params.errors.stale_address);
    const auto [division, address] = shownResidence(child, stale);
    std::string household = child.household;
    if (row.kind == RowKind::Duplicate) {
        char other[16];
        std::snprintf(other, sizeof other, "H%07u", static_cast<unsigned>(row.noise % 9000000 + 1000000));
        household = other;
    }
    out.field("xm", noise.name(child.name, child.sex))
        .field("xb", sex)
        .field("csrq", noise.birthDate(child.birth_date, layout))
        .field("gmsfhm", noise.childId(child.id_number))
        .field("mz", mz)
        .field("hjdz_qhdm", child.hukou_division)
        .field("xzz_qhdm", division)
        .field("xzz", address)
        .field("hh", household);
    writeParent(out, "fq", child.father, noise);
    writeParent(out, "mq", child.mother, noise);
    out.field("updated_at", isoUtc(row.updated)).endObject();
    return out.str();
}

}  // namespace deptsim
