#include "gateway/jobs/profile_job.h"

#include "gateway/common/json_writer.h"

#include <map>
#include <optional>
#include <set>

namespace gateway::jobs {

namespace {

constexpr std::size_t kBatch = 5000;

/// Which persons gave records to which, and which lost records their sources deleted, since the last rebuild.
struct Moves {
    std::map<std::string, std::set<std::string>> into;     // giver → takers
    std::map<std::string, std::set<std::string>> from;     // taker → givers
    std::map<std::string, std::set<std::string>> retired;  // person → its retired records, "source/source_id"

    bool touches(const std::string& person) const {
        return into.contains(person) || from.contains(person) || retired.contains(person);
    }
};

void writeList(json::Writer& writer, const char* key, const std::set<std::string>& items) {
    json::key(writer, key);
    writer.StartArray();
    for (const std::string& item : items) {
        json::string(writer, item);
    }
    writer.EndArray();
}

/// The correction a subscriber receives with the person's version: a merge when a person gave all its records away
/// or took them from a person that is gone, a split when a person that still exists gave records to another, a
/// retirement when the only change is records their sources deleted (which any of them also lists).
std::string correction(const std::string& person_id, const Moves& moves, const std::set<std::string>& alive) {
    const auto gave = moves.into.find(person_id);
    const auto took = moves.from.find(person_id);
    const auto retired = moves.retired.find(person_id);
    if (gave == moves.into.end() && took == moves.from.end() && retired == moves.retired.end()) {
        return {};
    }
    bool split = alive.contains(person_id) && gave != moves.into.end();
    if (took != moves.from.end()) {
        for (const std::string& giver : took->second) {
            split = split || alive.contains(giver);
        }
    }
    const bool moved = gave != moves.into.end() || took != moves.from.end();
    json::Text text;
    json::Writer& writer = text.writer();
    writer.StartObject();
    json::field(writer, "kind", !moved ? "retired" : split ? "split" : "merge");
    if (gave != moves.into.end()) {
        writeList(writer, "into", gave->second);
    }
    if (took != moves.from.end()) {
        writeList(writer, "from", took->second);
    }
    if (retired != moves.retired.end()) {
        writeList(writer, "retired", retired->second);
    }
    writer.EndObject();
    return text.str();
}

}  // namespace

ProfileJob::ProfileJob(profile::ProfileBuildStore& builds, profile::ProfileStore& profiles, linkage::LinkStore& links,
                       const profile::ProfileConfig& config, std::function<model::CalendarDate()> today)
    : builds_(builds), profiles_(profiles), links_(links), config_(config), today_(std::move(today)) {}

ProfileRunReport ProfileJob::run(const ProfileRunOptions& options) {
    std::lock_guard<std::mutex> lock(mutex_);
    const profile::ProfileBuilder builder(config_,
                                          today_ ? std::optional<model::CalendarDate>(today_()) : std::nullopt);
    ProfileRunReport report;
    report.as_of = builder.asOf().toIso();
    const profile::ProfileState state = builds_.profileState();
    // Read first: records linked after this point are picked up by the next build.
    const std::int64_t linked_through = links_.linkState().linked_through_batch;
    report.incremental = !options.full && !state.as_of.empty() && state.as_of == report.as_of;

    Moves moves;
    std::int64_t moves_through = state.moves_through;
    for (const profile::PersonMove& move : builds_.personMoves(state.moves_through)) {
        if (move.to_person.empty()) {
            moves.retired[move.from_person].insert(move.source + "/" + move.source_id);
        } else {
            moves.into[move.from_person].insert(move.to_person);
            moves.from[move.to_person].insert(move.from_person);
        }
        moves_through = move.seq;
    }

    std::set<std::string> alive;
    std::vector<profile::ProfileVersion> batch;
    // Corrections need to know which persons survive, which only the whole walk tells; so the persons that moved
    // records are built along with the others but held back to the end.
    std::vector<profile::ProfileVersion> held;
    auto flush = [&] {
        report.written += builds_.commitProfiles(batch, options.actor).size();
        batch.clear();
    };
    // Written while the walk goes on, on another pooled connection: the walk only reads (a snapshot that writers
    // do not wait for), and holding a million profiles until the end would take gigabytes.
    const auto visit = [&](const std::string& person_id, const std::vector<intake::StagedRecord>& records) {
        alive.insert(person_id);
        ++report.persons;
        if (moves.touches(person_id)) {
            held.push_back(builder.build(person_id, records));
            return;
        }
        batch.push_back(builder.build(person_id, records));
        if (batch.size() == kBatch) {
            flush();
        }
    };
    std::vector<std::string> candidates;  // persons that may have lost their last record
    if (report.incremental) {
        std::set<std::string> changed;
        for (std::string& person : builds_.personsChangedAfter(state.built_through_batch)) {
            changed.insert(std::move(person));
        }
        for (const auto& [person, takers] : moves.into) {
            changed.insert(person);
            changed.insert(takers.begin(), takers.end());
        }
        for (const auto& [person, records] : moves.retired) {
            changed.insert(person);
        }
        candidates.assign(changed.begin(), changed.end());
        builds_.forEachPersonIn(candidates, visit);
    } else {
        builds_.forEachPerson(visit);
        candidates = builds_.profiledPersons();
    }
    for (const std::string& person_id : candidates) {
        if (alive.contains(person_id)) {
            continue;
        }
        const auto current = report.incremental ? profiles_.profile(person_id) : std::nullopt;
        if (!report.incremental || (current && !current->removed)) {
            batch.push_back(builder.removed(person_id));
            ++report.removed;
        }
    }
    for (profile::ProfileVersion& profile : batch) {
        profile.correction_json = correction(profile.person_id, moves, alive);
    }
    for (profile::ProfileVersion& profile : held) {
        profile.correction_json = correction(profile.person_id, moves, alive);
        batch.push_back(std::move(profile));
    }
    flush();
    builds_.setProfileState({moves_through, linked_through, report.as_of});
    if (options.progress) {
        options.progress(std::string(report.incremental ? "profiles (changed persons): " : "profiles: ") +
                         std::to_string(report.persons) + " built, " + std::to_string(report.written) +
                         " new versions, " + std::to_string(report.removed) + " removed");
    }
    return report;
}

}  // namespace gateway::jobs
