#include "ops/sim/renderers.h"
#include "ops/sim/row_noise.h"

#include "gateway/model/citizen_id.h"
#include "gateway/model/ethnicity.h"

#include <array>
#include <cstdio>

namespace deptsim {

namespace {

constexpr std::array<std::string_view, 12> kGradeWords{"一年级", "二年级", "三年级", "四年级", "五年级", "六年级",
                                                       "七年级", "八年级", "九年级", "高一",   "高二",   "高三"};

/// Each school's software writes grades one way: words or numbers.
std::string gradeText(int grade, const std::string& school_code) {
    const bool numeric = labelHash(school_code) % 4 == 0;
    if (numeric || grade < 1 || grade > 12) {
        return std::to_string(grade);
    }
    return std::string(kGradeWords[static_cast<std::size_t>(grade - 1)]);
}

/// A student number for a child without an ID number: a formal J number (built like an ID from the school's
/// district, the birth date and a sequence) or a temporary L number (four random digits). Fixed per child.
std::string numberWithoutId(const ChildFacts& child, const std::string& district) {
    const std::uint64_t draw = derive(child.entity, labelHash("student-number"));
    const std::string birth = formatDate(child.birth_date, DateLayout::Compact);
    char digits[8];
    if (draw % 5 < 3) {
        std::snprintf(digits, sizeof digits, "%03u", static_cast<unsigned>(draw / 5 % 1000));
        const std::string body = district + birth + digits;
        const auto check = gateway::model::CitizenId::checkCharacter(body);
        return "J" + body + (check ? std::string(1, *check) : "0");
    }
    std::snprintf(digits, sizeof digits, "%04u", static_cast<unsigned>(draw / 5 % 10000));
    return "L" + district + birth + digits;
}

}  // namespace

SchoolRow renderSchool(const ChildFacts& child, const RowRef& row, std::int64_t updated_seq,
                       const RenderContext& context) {
    RowNoise noise(row.noise, context.params.errors, context.names);
    SchoolRow out;
    out.id = std::stoll(row.id);
    out.updated_seq = updated_seq;
    const std::string& district = context.geography.districtCode();
    const EnrolmentFacts enrolment = child.enrolment.value_or(EnrolmentFacts{});
    const bool transferred = row.kind == RowKind::TransferredOut && !enrolment.previous_school_code.empty();
    out.xxdm = transferred ? enrolment.previous_school_code : enrolment.school_code;
    out.xxmc = transferred ? enrolment.previous_school_name : enrolment.school_name;
    out.nj = gradeText(enrolment.grade, out.xxdm);
    out.xjzt = transferred ? "转出" : std::string(enrolmentWord(enrolment.status));
    out.wgqk_ts = transferred ? 0 : enrolment.absence_days;
    out.hjdz_qhdm = child.hukou_division;
    out.mz = std::string(gateway::model::Ethnicity::fromCode(child.ethnicity).value().name());
    out.xb = child.sex == 1 ? "男" : "女";

    if (row.kind == RowKind::Unmappable) {
        out.xjh = "";
        out.xm = "";
        out.csrq = noise.chance(0.5) ? "" : formatDate(impossibleDate(child), DateLayout::Iso);
        out.sfzh.reset();
        out.xzz_qhdm = child.residence_division;
        return out;
    }
    if (!child.id_number.empty() && row.kind != RowKind::Duplicate) {
        out.xjh = "G" + child.id_number;
    } else {
        // A duplicate is the temporary number the register never merged with the formal one.
        out.xjh = row.kind == RowKind::Duplicate ? "L" + district + formatDate(child.birth_date, DateLayout::Compact) +
                                                       std::to_string(1000 + row.noise % 9000)
                                                 : numberWithoutId(child, district);
    }
    out.xm = noise.name(child.name, child.sex);
    out.csrq = noise.birthDate(child.birth_date, noise.chance(0.2) ? DateLayout::Slash : DateLayout::Iso);
    std::string id = noise.childId(child.id_number);
    if (!id.empty() || noise.chance(0.5)) {
        out.sfzh = std::move(id);
    }
    const GuardianFacts& guardian = child.guardian;
    out.jhrxm = noise.name(guardian.name, guardian.relation.find("母") != std::string::npos ? 2 : 1);
    out.jhrdh = guardian.phone;
    out.jhrgx = guardian.relation;
    // A transferred child's old school still has the old address.
    const bool stale = transferred || noise.chance(context.params.errors.stale_address) ||
                       (!child.previous_residence_division.empty() && noise.chance(0.5));
    out.xzz_qhdm = shownResidence(child, stale).first;
    return out;
}

}  // namespace deptsim
