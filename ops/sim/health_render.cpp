#include "ops/sim/renderers.h"
#include "ops/sim/row_noise.h"

#include "gateway/common/utf8.h"

namespace deptsim {

namespace {

/// The name a birth record carries when the parents had not chosen one: 小涵 or 张某之女.
std::string placeholderName(const ChildFacts& child, RowNoise& noise) {
    const auto chars = gateway::utf8::decode(child.name).value_or(std::u32string{});
    if (chars.size() >= 2 && noise.chance(0.5)) {
        return "小" + gateway::utf8::encode(chars.substr(chars.size() - 1));
    }
    const std::string surname = chars.empty() ? "" : gateway::utf8::encode(chars.substr(0, 1));
    return surname + (child.sex == 1 ? "某之子" : "某之女");
}

/// 肢体残疾三级 → 肢体残疾,三级: the health system separates kind and grade with a comma, so the field needs quotes.
std::string disabilityText(const std::string& disability) {
    const std::string marker = "残疾";
    const std::size_t at = disability.find(marker);
    if (at == std::string::npos || at + marker.size() >= disability.size()) {
        return disability;
    }
    return disability.substr(0, at + marker.size()) + "," + disability.substr(at + marker.size());
}

}  // namespace

std::vector<std::string> renderHealth(const ChildFacts& child, const RowRef& row, const RenderContext& context) {
    RowNoise noise(row.noise, context.params.errors, context.names);
    const std::string updated = spacedTimestamp(row.updated);
    if (row.kind == RowKind::Unmappable) {
        return {
            row.id, "", "",     formatDate(impossibleDate(child), DateLayout::Iso), "", "", "", "", "", "未登记", "",
            "",     "", updated};
    }
    std::string name;
    const double naming = noise.random().uniform();
    if (!child.registered && naming < 0.3) {
        name = "";
    } else if ((!child.registered && naming < 0.6) || naming < 0.08) {
        name = placeholderName(child, noise);
    } else {
        name = noise.name(child.name, child.sex);
    }
    const ParentFacts& mother = child.mother;
    const ParentFacts& father = child.father;
    const bool registered_shown = child.registered && !noise.chance(context.params.errors.late / 3);
    const bool stale = noise.chance(context.params.errors.stale_address);
    return {row.id,
            name,
            child.sex == 1 ? "男" : "女",
            noise.birthDate(child.birth_date, noise.chance(0.15) ? DateLayout::Slash : DateLayout::Iso),
            std::to_string(child.birth ? child.birth->weight_g : 3300),
            mother.known ? noise.name(mother.name, 2) : "",
            mother.known ? noise.adultId(mother.id_number) : "",
            father.known ? noise.name(father.name, 1) : "",
            father.known ? noise.adultId(father.id_number) : "",
            registered_shown ? "已登记" : "未登记",
            shownResidence(child, stale).first,
            disabilityText(child.disability),
            child.serious_illness,
            updated};
}

}  // namespace deptsim
