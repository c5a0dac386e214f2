#include "gateway/reconcile/reconcile_schedule.h"

#include "gateway/common/clock.h"

#include <Poco/DateTime.h>
#include <Poco/LocalDateTime.h>
#include <Poco/Timespan.h>

namespace gateway::reconcile {

std::optional<Poco::Timestamp> lastScheduledInstant(const std::string& hh_mm, const Poco::Timestamp& now) {
    if (hh_mm.size() != 5 || hh_mm[2] != ':') {
        return std::nullopt;
    }
    int hour = 0;
    int minute = 0;
    for (const auto& [text, value] : {std::pair{hh_mm.substr(0, 2), &hour}, std::pair{hh_mm.substr(3, 2), &minute}}) {
        if (text[0] < '0' || text[0] > '9' || text[1] < '0' || text[1] > '9') {
            return std::nullopt;
        }
        *value = (text[0] - '0') * 10 + (text[1] - '0');
    }
    if (hour > 23 || minute > 59) {
        return std::nullopt;
    }
    const Poco::LocalDateTime local{Poco::DateTime(now)};
    Poco::LocalDateTime today(local.year(), local.month(), local.day(), hour, minute);
    // A LocalDateTime's timestamp() is its wall-clock reading; the instant is its utc()'s.
    if (today.utc().timestamp() > now) {
        today -= Poco::Timespan(1, 0, 0, 0, 0);
    }
    return today.utc().timestamp();
}

bool scheduledRunSince(ReconcileStore& store, const Poco::Timestamp& since) {
    const std::string from = formatIso(since);
    // Newest first: the runs since a day's scheduled time are a handful at most, CLI runs included.
    std::int64_t before = 0;
    for (;;) {
        const std::vector<ReconcileRun> runs = store.reconcileRuns(before, 50);
        for (const ReconcileRun& run : runs) {
            if (run.started_at < from) {
                return false;
            }
            if (run.trigger == "schedule") {
                return true;
            }
        }
        if (runs.size() < 50) {
            return false;
        }
        before = runs.back().id;
    }
}

}  // namespace gateway::reconcile
