#include "ops/sim/quarterly_drops.h"

#include <stdexcept>

namespace deptsim {

using gateway::model::CalendarDate;

void QuarterlyDrops::add(EpochSeconds updated, const std::vector<std::string>& fields) {
    const CalendarDate date = dateOf(updated);
    const int quarter = date.year() * 4 + (date.month() - 1) / 3;
    auto& bucket = buckets_[quarter];
    if (!bucket) {
        const int year = quarter / 4;
        const int last_month = quarter % 4 * 3 + 3;
        const CalendarDate last_day(year, last_month, CalendarDate::daysInMonth(year, last_month));
        const EpochSeconds stamp = std::min(epochSeconds(last_day, kSecondsPerDay - 1), now_);
        bucket = std::make_unique<Bucket>();
        bucket->name = dropFileName(stamp);
        bucket->file.open(folder_ + "/" + bucket->name, std::ios::binary | std::ios::trunc);
        bucket->writer = std::make_unique<DropWriter>(
            bucket->file, quarter % 4 == 1 ? DropEncoding::Utf8WithBom : DropEncoding::Gb18030);
    }
    bucket->writer->add(fields);
}

void QuarterlyDrops::finish() {
    for (auto& [quarter, bucket] : buckets_) {
        bucket->file.close();
        if (!bucket->file) {
            throw std::runtime_error("cannot write " + folder_ + "/" + bucket->name);
        }
    }
    for (auto& [quarter, bucket] : buckets_) {
        writeMarker(folder_, bucket->name);
    }
}

}  // namespace deptsim
