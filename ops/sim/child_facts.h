#pragma once

#include "gateway/model/calendar_date.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deptsim {

/// A parent's situation, in the DESIGN vocabulary. The police system writes the Chinese words (statusWord()).
enum class ParentStatus {
    Present,
    MigrantWorker,
    Deceased,
    Missing,
    Imprisoned,
    SevereDisability,
    SeriousIllness,
    DetainedOrRehab,
    GuardianshipRevoked,
    Deported,
    Unknown,
};

/// "present", "migrant_worker", … as in DESIGN §4.
std::string_view statusCode(ParentStatus status);
/// 在家, 外出务工, 死亡, 失踪, 服刑, 重残, 重病, 强制隔离戒毒, 撤销监护资格, 遣返, 不详.
std::string_view statusWord(ParentStatus status);
std::optional<ParentStatus> parseStatusCode(std::string_view code);

enum class EnrolmentStatus { Enrolled, Suspended, DroppedOut, TransferredOut, Graduated };

/// "enrolled", "suspended", "dropped_out", "transferred_out", "graduated".
std::string_view enrolmentCode(EnrolmentStatus status);
/// 在读, 休学, 辍学, 转出, 毕业.
std::string_view enrolmentWord(EnrolmentStatus status);
std::optional<EnrolmentStatus> parseEnrolmentCode(std::string_view code);

struct ParentFacts {
    bool known = true;  // false: the parent is not on record at all (father unknown)
    std::string name;
    int sex = 1;  // GB/T 2261.1: 1 male, 2 female
    gateway::model::CalendarDate birth_date;
    std::string id_number;  // 18 characters
    std::string phone;
    ParentStatus status = ParentStatus::Present;
    ParentStatus previous_status = ParentStatus::Present;  // differs from status after a recent change
};

/// Who looks after the child day to day.
struct GuardianFacts {
    std::string name;
    std::string relation;  // 父亲, 母亲, 祖母, 外祖父, 叔伯, …
    std::string id_number;
    std::string phone;
    ParentStatus status = ParentStatus::Present;
};

struct EnrolmentFacts {
    std::string school_code;
    std::string school_name;
    int grade = 1;  // 1–12
    EnrolmentStatus status = EnrolmentStatus::Enrolled;
    int absence_days = 0;
    std::string previous_school_code;  // set when the child transferred in
    std::string previous_school_name;
};

struct BirthFacts {
    std::string cert_no;  // 出生医学证明编号: letter + 9 digits
    int weight_g = 3300;
};

struct AssistanceFacts {
    std::string type;  // 低保, 特困, 孤儿基本生活费, 事实无人抚养儿童基本生活补贴, 临时救助
    gateway::model::CalendarDate start;
    std::optional<gateway::model::CalendarDate> end;
    int amount_yuan = 0;  // monthly, or the one-off sum for 临时救助
};

/// The civil-affairs case that records the child.
struct CaseFacts {
    std::string case_type;  // 困境儿童, 农村留守儿童, 孤儿, 临时救助
    std::string category;   // 事实无人抚养儿童, 社会散居孤儿, 留守儿童, 残疾儿童, …
    gateway::model::CalendarDate opened;
    std::optional<gateway::model::CalendarDate> closed;
    std::string placement;  // empty, 亲属抚养, 机构养育, 家庭寄养
};

/// The true facts about one child: what children.jsonl holds and what every source row is rendered from.
struct ChildFacts {
    std::uint32_t entity = 0;
    int revision = 0;  // bumped by each change that alters a fact
    std::string household;
    std::string name;
    int sex = 1;
    gateway::model::CalendarDate birth_date;
    std::string id_number;  // empty when not registered
    int ethnicity = 1;      // GB/T 3304 number
    bool registered = true;
    bool rural = false;  // rural household registration (农村户籍)
    std::string hukou_division;
    std::string residence_division;
    std::string previous_residence_division;  // set when the household moved lately
    std::string hukou_address;
    std::string address;
    std::string previous_address;
    ParentFacts father;
    ParentFacts mother;
    GuardianFacts guardian;
    std::optional<EnrolmentFacts> enrolment;
    std::optional<BirthFacts> birth;  // only for children the health system exports (aged 0–3)
    std::string disability;           // "" or e.g. 肢体残疾三级
    std::string serious_illness;      // "" or e.g. 先天性心脏病
    bool low_income = false;
    std::vector<AssistanceFacts> assistance;
    std::optional<CaseFacts> civil_case;
};

/// "E0000123".
std::string entityId(std::uint32_t entity);

/// The policy categories the facts put the child in on `on` (STANDARDS §6): left_behind, orphan,
/// de_facto_unsupported, poverty, disability, serious_illness.
std::vector<std::string> childCategories(const ChildFacts& child, const gateway::model::CalendarDate& on);

}  // namespace deptsim
