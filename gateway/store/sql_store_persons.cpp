// The persons the profile builder reads (profile::ProfileBuildStore): each person with the staged records linked
// into it, streamed in person order, and which persons a build must look at.

#include "gateway/store/sql_store.h"
#include "gateway/store/sql_store_internal.h"

#include <Poco/Data/Statement.h>

#include <algorithm>
#include <functional>

namespace gateway::store {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

namespace {

// Rows per keyset page of forEachPerson: a few megabytes of record JSON in memory at a time.
constexpr Poco::Int64 kPersonPageRows = 5000;

/// Hands the rows of a (person, source, source_id)-ordered read to `visit` one person at a time; a person whose rows
/// continue on the next page is held back (see flush()).
class PersonGrouper {
public:
    using Visit = std::function<void(const std::string&, const std::vector<StagedRecord>&)>;
    explicit PersonGrouper(const Visit& visit) : visit_(visit) {}

    void add(std::string person, StagedRecord record) {
        if (person != current_) {
            flush();
            current_ = std::move(person);
        }
        records_.push_back(std::move(record));
    }
    void flush() {
        if (!records_.empty()) {
            visit_(current_, records_);
            records_.clear();
        }
    }
    const std::string& current() const { return current_; }
    const std::vector<StagedRecord>& pending() const { return records_; }

private:
    const Visit& visit_;
    std::string current_;
    std::vector<StagedRecord> records_;
};

constexpr const char* kPersonRecordsSelect =
    "SELECT l.person_id, r.source, r.source_id, r.observed_at, r.record_json, r.content_hash, r.version, r.batch_id "
    "FROM person_links AS l JOIN source_records AS r ON r.source = l.source AND r.source_id = l.source_id ";

/// Runs a prepared person-records statement and feeds its rows to `grouper`, record JSON opened by `open`; returns the
/// number of rows.
std::size_t readPersonRecords(Statement& select, PersonGrouper& grouper,
                              const std::function<void(StagedRecord&)>& open) {
    std::vector<std::string> persons;
    std::vector<std::string> sources;
    std::vector<std::string> ids;
    std::vector<std::string> observed;
    std::vector<std::string> json;
    std::vector<std::string> hashes;
    std::vector<Poco::Int64> versions;
    std::vector<Poco::Int64> batch_ids;
    select, into(persons), into(sources), into(ids), into(observed), into(json), into(hashes), into(versions),
        into(batch_ids);
    select.execute();
    for (std::size_t i = 0; i < persons.size(); ++i) {
        StagedRecord record;
        record.source = std::move(sources[i]);
        record.source_id = std::move(ids[i]);
        record.observed_at = std::move(observed[i]);
        record.record_json = std::move(json[i]);
        open(record);
        record.content_hash = std::move(hashes[i]);
        record.version = versions[i];
        record.batch_id = batch_ids[i];
        grouper.add(std::move(persons[i]), std::move(record));
    }
    return persons.size();
}

}  // namespace

void SqlStore::forEachPerson(
    const std::function<void(const std::string& person_id, const std::vector<StagedRecord>& records)>& visit) {
    const auto open = [this](StagedRecord& record) { unsealRecord(record); };
    withSession("read the persons and their records", [&](Session& session) {
        ReadSnapshot snapshot(*this, session);
        // Keyset paging on person_links_person inside one snapshot, as in forEachStagedRecord. A page may end in
        // the middle of a person; its records are carried over and the person is visited once it is complete.
        // No person_id is empty, so ('', '', '') is below every key.
        std::string last_person;
        std::string last_source;
        std::string last_id;
        Poco::Int64 page_rows = kPersonPageRows;
        PersonGrouper grouper(visit);
        for (;;) {
            Statement select(session);
            select << sql(std::string(kPersonRecordsSelect) +
                          "WHERE (l.person_id, l.source, l.source_id) > (?, ?, ?) "
                          "ORDER BY l.person_id, l.source, l.source_id LIMIT ?"),
                use(last_person), use(last_source), use(last_id), use(page_rows);
            if (static_cast<Poco::Int64>(readPersonRecords(select, grouper, open)) < page_rows) {
                break;
            }
            last_person = grouper.current();
            last_source = grouper.pending().back().source;
            last_id = grouper.pending().back().source_id;
        }
        grouper.flush();
        snapshot.end();
    });
}

void SqlStore::forEachPersonIn(
    const std::vector<std::string>& persons,
    const std::function<void(const std::string& person_id, const std::vector<StagedRecord>& records)>& visit) {
    std::vector<std::string> sorted = persons;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    constexpr std::size_t kChunk = 500;
    const auto open = [this](StagedRecord& record) { unsealRecord(record); };
    withSession("read the records of " + std::to_string(sorted.size()) + " persons", [&](Session& session) {
        ReadSnapshot snapshot(*this, session);
        PersonGrouper grouper(visit);
        for (std::size_t start = 0; start < sorted.size(); start += kChunk) {
            const std::size_t end = std::min(sorted.size(), start + kChunk);
            std::string placeholders;
            for (std::size_t i = start; i < end; ++i) {
                placeholders += i == start ? "?" : ", ?";
            }
            Statement select(session);
            select << sql(std::string(kPersonRecordsSelect) + "WHERE l.person_id IN (" + placeholders +
                          ") ORDER BY l.person_id, l.source, l.source_id");
            for (std::size_t i = start; i < end; ++i) {
                select, use(sorted[i]);
            }
            readPersonRecords(select, grouper, open);
            grouper.flush();
        }
        snapshot.end();
    });
}

std::vector<std::string> SqlStore::personsChangedAfter(std::int64_t after_batch_id) {
    std::vector<std::string> persons;
    withSession("read the persons whose records changed", [&](Session& session) {
        Poco::Int64 after = after_batch_id;
        session << sql(
            "SELECT DISTINCT l.person_id FROM source_records AS r JOIN person_links AS l "
            "ON l.source = r.source AND l.source_id = r.source_id WHERE r.batch_id > ? ORDER BY 1"),
            use(after), into(persons), now;
    });
    return persons;
}

std::vector<std::string> SqlStore::profiledPersons() {
    std::vector<std::string> persons;
    withSession("read the profiled persons", [&](Session& session) {
        session << "SELECT person_id FROM profiles WHERE removed = 0 ORDER BY person_id", into(persons), now;
    });
    return persons;
}

}  // namespace gateway::store
