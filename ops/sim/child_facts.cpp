#include "ops/sim/child_facts.h"

#include <array>
#include <cstdio>

namespace deptsim {

namespace {

struct StatusNames {
    ParentStatus status;
    std::string_view code;
    std::string_view word;
};

constexpr std::array<StatusNames, 11> kStatusNames{{
    {ParentStatus::Present, "present", "在家"},
    {ParentStatus::MigrantWorker, "migrant_worker", "外出务工"},
    {ParentStatus::Deceased, "deceased", "死亡"},
    {ParentStatus::Missing, "missing", "失踪"},
    {ParentStatus::Imprisoned, "imprisoned", "服刑"},
    {ParentStatus::SevereDisability, "severe_disability", "重残"},
    {ParentStatus::SeriousIllness, "serious_illness", "重病"},
    {ParentStatus::DetainedOrRehab, "detained_or_rehab", "强制隔离戒毒"},
    {ParentStatus::GuardianshipRevoked, "guardianship_revoked", "撤销监护资格"},
    {ParentStatus::Deported, "deported", "遣返"},
    {ParentStatus::Unknown, "unknown", "不详"},
}};

struct EnrolmentNames {
    EnrolmentStatus status;
    std::string_view code;
    std::string_view word;
};

constexpr std::array<EnrolmentNames, 5> kEnrolmentNames{{
    {EnrolmentStatus::Enrolled, "enrolled", "在读"},
    {EnrolmentStatus::Suspended, "suspended", "休学"},
    {EnrolmentStatus::DroppedOut, "dropped_out", "辍学"},
    {EnrolmentStatus::TransferredOut, "transferred_out", "转出"},
    {EnrolmentStatus::Graduated, "graduated", "毕业"},
}};

bool goneForGood(ParentStatus status) {
    return status == ParentStatus::Deceased || status == ParentStatus::Missing;
}

/// STANDARDS §6.3: the situations that make a parent unable to support the child (民发〔2019〕62号 with the
/// two situations 民发〔2020〕125号 added). Missing counts here too, as 失联.
bool unableToSupport(ParentStatus status) {
    switch (status) {
        case ParentStatus::SevereDisability:
        case ParentStatus::SeriousIllness:
        case ParentStatus::Imprisoned:
        case ParentStatus::DetainedOrRehab:
        case ParentStatus::Missing:
        case ParentStatus::GuardianshipRevoked:
        case ParentStatus::Deported:
            return true;
        default:
            return false;
    }
}

/// 无监护能力 for the left-behind rule: the other parent cannot look after the child.
bool noGuardianshipCapacity(ParentStatus status) {
    return unableToSupport(status) || goneForGood(status);
}

}  // namespace

std::string_view statusCode(ParentStatus status) {
    return kStatusNames[static_cast<std::size_t>(status)].code;
}

std::string_view statusWord(ParentStatus status) {
    return kStatusNames[static_cast<std::size_t>(status)].word;
}

std::optional<ParentStatus> parseStatusCode(std::string_view code) {
    for (const auto& names : kStatusNames) {
        if (names.code == code) {
            return names.status;
        }
    }
    return std::nullopt;
}

std::string_view enrolmentCode(EnrolmentStatus status) {
    return kEnrolmentNames[static_cast<std::size_t>(status)].code;
}

std::string_view enrolmentWord(EnrolmentStatus status) {
    return kEnrolmentNames[static_cast<std::size_t>(status)].word;
}

std::optional<EnrolmentStatus> parseEnrolmentCode(std::string_view code) {
    for (const auto& names : kEnrolmentNames) {
        if (names.code == code) {
            return names.status;
        }
    }
    return std::nullopt;
}

std::string entityId(std::uint32_t entity) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "E%07u", entity);
    return buffer;
}

std::vector<std::string> childCategories(const ChildFacts& child, const gateway::model::CalendarDate& on) {
    std::vector<std::string> categories;
    const int age = child.birth_date.ageOn(on);
    const ParentStatus father = child.father.known ? child.father.status : ParentStatus::Unknown;
    const ParentStatus mother = child.mother.known ? child.mother.status : ParentStatus::Unknown;
    const bool father_away = father == ParentStatus::MigrantWorker;
    const bool mother_away = mother == ParentStatus::MigrantWorker;
    const bool left_behind = (father_away && mother_away) || (father_away && noGuardianshipCapacity(mother)) ||
                             (mother_away && noGuardianshipCapacity(father));
    if (age < 16 && child.rural && left_behind) {
        categories.emplace_back("left_behind");
    }
    const bool orphan = goneForGood(father) && goneForGood(mother);
    if (orphan) {
        categories.emplace_back("orphan");
    } else if ((unableToSupport(father) && unableToSupport(mother)) ||
               (goneForGood(father) && unableToSupport(mother)) || (goneForGood(mother) && unableToSupport(father))) {
        categories.emplace_back("de_facto_unsupported");
    }
    for (const auto& assistance : child.assistance) {
        if ((assistance.type == "低保" || assistance.type == "特困") && !assistance.end) {
            categories.emplace_back("poverty");
            break;
        }
    }
    if (!child.disability.empty()) {
        categories.emplace_back("disability");
    }
    if (!child.serious_illness.empty()) {
        categories.emplace_back("serious_illness");
    }
    return categories;
}

}  // namespace deptsim
