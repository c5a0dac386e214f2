#include "ops/sim/renderers.h"

#include <array>

namespace deptsim {

std::pair<std::string, std::string> shownResidence(const ChildFacts& child, bool stale) {
    if (stale) {
        if (!child.previous_residence_division.empty()) {
            return {child.previous_residence_division, child.previous_address};
        }
        return {child.hukou_division, child.hukou_address};
    }
    return {child.residence_division, child.address};
}

gateway::model::CalendarDate impossibleDate(const ChildFacts& child) {
    // 30 February, 31 April or 31 June: each looks like a date and is none.
    const int month = std::array<int, 3>{2, 4, 6}[child.entity % 3];
    return {child.birth_date.year(), month, month == 2 ? 30 : 31};
}

const std::vector<std::string>& healthCsvHeader() {
    static const std::vector<std::string> header{
        "出生医学证明编号", "新生儿姓名",   "性别",         "出生日期",   "出生体重", "母亲姓名", "母亲身份证号",
        "父亲姓名",         "父亲身份证号", "户籍登记状态", "居住地区划", "残疾",     "重大疾病", "更新时间"};
    return header;
}

}  // namespace deptsim
