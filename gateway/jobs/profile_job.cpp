#include "gateway/jobs/profile_job.h"

#include <set>

namespace gateway::jobs {

namespace {
constexpr std::size_t kBatch = 5000;
}

ProfileJob::ProfileJob(store::Store& store, const profile::ProfileConfig& config) : store_(store), config_(config) {}

ProfileRunReport ProfileJob::run(const std::string& actor, const std::function<void(const std::string&)>& progress) {
    std::lock_guard<std::mutex> lock(mutex_);
    const profile::ProfileBuilder builder(config_);
    ProfileRunReport report;
    std::set<std::string> alive;
    std::vector<store::ProfileVersion> batch;
    auto flush = [&] {
        report.written += store_.commitProfiles(batch, actor).size();
        batch.clear();
    };
    // Written while the walk goes on, on another pooled connection: the walk only reads (a snapshot that writers
    // do not wait for), and holding a million profiles until the end would take gigabytes.
    store_.forEachPerson([&](const std::string& person_id, const std::vector<store::StagedRecord>& records) {
        alive.insert(person_id);
        batch.push_back(builder.build(person_id, records));
        ++report.persons;
        if (batch.size() == kBatch) {
            flush();
        }
    });
    for (const std::string& person_id : store_.profiledPersons()) {
        if (!alive.contains(person_id)) {
            batch.push_back(builder.removed(person_id));
            ++report.removed;
        }
    }
    flush();
    if (progress) {
        progress("profiles: " + std::to_string(report.persons) + " built, " + std::to_string(report.written) +
                 " new versions, " + std::to_string(report.removed) + " removed");
    }
    return report;
}

}  // namespace gateway::jobs
