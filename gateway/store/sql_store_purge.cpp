// The purge part of SqlStore: what the store holds about a child who came of age is erased some time later, leaving
// the person ID, version numbers and content hashes (and the exchange log, which never held the data).

#include "gateway/store/log_details.h"
#include "gateway/store/sql_store.h"
#include "gateway/store/sql_store_internal.h"

#include <Poco/Data/Statement.h>

#include <map>
#include <set>

namespace gateway::store {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

namespace {

constexpr const char* kAdult = "adult";

/// What takes the place of a purged version's profile, and of a review pair's explanation.
std::string purgedStub(std::string_view person_id) {
    json::Text text;
    json::Writer& writer = text.writer();
    writer.StartObject();
    if (!person_id.empty()) {
        json::field(writer, "person_id", person_id);
    }
    json::key(writer, "purged");
    writer.Bool(true);
    writer.EndObject();
    return text.str();
}

using RecordKey = std::pair<std::string, std::string>;  // (source, source_id)

}  // namespace

std::vector<std::string> SqlStore::profilesToPurge(std::string_view removed_on_or_before, std::size_t limit) {
    std::vector<std::string> persons;
    withSession("find the profiles to purge", [&](Session& session) {
        std::string cutoff(removed_on_or_before);
        std::string reason = kAdult;
        Poco::Int64 rows = rowLimit(limit);
        session << sql(
            "SELECT person_id FROM profiles WHERE removed_reason = ? AND removed_on <= ? "
            "AND purged_at = '' ORDER BY person_id LIMIT ?"),
            use(reason), use(cutoff), use(rows), into(persons), now;
    });
    return persons;
}

std::vector<std::string> SqlStore::purgedWithRecords(std::size_t limit) {
    std::vector<std::string> persons;
    withSession("find the purged profiles with records again", [&](Session& session) {
        std::string reason = kAdult;
        Poco::Int64 rows = rowLimit(limit);
        // Every purged person is looked at: the caller runs this once per purge, not once per batch.
        session << sql(
            "SELECT DISTINCT p.person_id FROM profiles AS p "
            "JOIN person_links AS l ON l.person_id = p.person_id "
            "JOIN source_records AS r ON r.source = l.source AND r.source_id = l.source_id "
            "WHERE p.removed_reason = ? AND p.purged_at <> '' ORDER BY 1 LIMIT ?"),
            use(reason), use(rows), into(persons), now;
    });
    return persons;
}

std::vector<PurgeOutcome> SqlStore::purgeProfiles(const std::vector<std::string>& persons, std::string_view actor) {
    requireText("actor", actor, [] { return std::string("the purge"); });
    std::set<std::string> wanted;
    for (const std::string& person : persons) {
        requireNonEmptyText("person_id", person, [] { return std::string("the purge"); });
        wanted.insert(person);
    }
    std::vector<PurgeOutcome> outcomes;
    if (wanted.empty()) {
        return outcomes;
    }
    const std::string at = nowIso();
    withSession("purge " + std::to_string(wanted.size()) + " aged-out profiles", [&](Session& session) {
        outcomes.clear();
        WriteTransaction transaction(*this, session);
        // Profile builders wait: a build that made one of these persons a child again (a corrected birth date)
        // either lands first, and the person is skipped, or after, and writes a live version over the purge.
        lockProfiles(session);
        std::map<RecordKey, PurgeOutcome*> record_owner;
        std::vector<std::string> record_sources;
        std::vector<std::string> record_ids;
        // Reserved, so that the pointers record_owner keeps stay valid as outcomes are added.
        outcomes.reserve(wanted.size());
        for (const std::string& person : wanted) {
            std::string key = person;
            std::string reason = kAdult;
            std::vector<std::string> removed_on;
            std::vector<std::string> purged_at;
            session << sql(
                "SELECT removed_on, purged_at FROM profiles WHERE person_id = ? AND removed = 1 "
                "AND removed_reason = ?"),
                use(key), use(reason), into(removed_on), into(purged_at), now;
            if (removed_on.empty()) {
                continue;
            }
            PurgeOutcome& outcome = outcomes.emplace_back();
            outcome.person_id = person;
            outcome.removed_on = removed_on.front();
            if (purged_at.front().empty()) {
                // Removals hold nothing personal; every live version does, unless an earlier purge erased it
                // (the person came back as a child in between, then of age again). Once purged_at is set, no live
                // version can follow without clearing it (commitProfiles does).
                const std::string stub = purgedStub(person);
                std::vector<Poco::Int64> versions;
                std::vector<std::string> contents;
                std::vector<std::string> hashes;
                session << sql(
                    "SELECT version, profile_json, content_hash FROM profile_versions "
                    "WHERE person_id = ? AND removed = 0"),
                    use(key), into(versions), into(contents), into(hashes), now;
                std::vector<Poco::Int64> erase;
                std::vector<std::string> stubs;
                for (std::size_t i = 0; i < versions.size(); ++i) {
                    // The stub keeps the version's hash, so it is sealed for the same row as what it replaces.
                    const std::string row = sealedRow({person, hashes[i]});
                    if (unseal(std::move(contents[i]), sealed::kProfileJson, row) != stub) {
                        erase.push_back(versions[i]);
                        stubs.push_back(seal(stub, sealed::kProfileJson, row));
                    }
                }
                outcome.versions = static_cast<std::int64_t>(erase.size());
                if (!erase.empty()) {
                    std::vector<std::string> keys(erase.size(), person);
                    session << sql(
                        "UPDATE profile_versions SET profile_json = ?, name = '', id_number = '', "
                        "birth_date = '', residence_division = '', hukou_division = '', "
                        "classifications = '', alerts = '' WHERE person_id = ? AND version = ?"),
                        use(stubs), use(keys), use(erase), now;
                }
            }
            std::vector<std::string> sources;
            std::vector<std::string> ids;
            session << sql(
                "SELECT r.source, r.source_id FROM person_links AS l JOIN source_records AS r "
                "ON r.source = l.source AND r.source_id = l.source_id WHERE l.person_id = ?"),
                use(key), into(sources), into(ids), now;
            outcome.records = static_cast<std::int64_t>(sources.size());
            if (!purged_at.front().empty() && sources.empty()) {
                outcomes.pop_back();  // purged before, and nothing came back since: nothing to erase or log
                continue;
            }
            for (std::size_t i = 0; i < sources.size(); ++i) {
                record_owner[{sources[i], ids[i]}] = &outcome;
                record_sources.push_back(std::move(sources[i]));
                record_ids.push_back(std::move(ids[i]));
            }
        }
        if (!record_sources.empty()) {
            session << sql("DELETE FROM source_records WHERE source = ? AND source_id = ?"), use(record_sources),
                use(record_ids), now;
            // Review pairs are few beside records and carry no index by record, so one pass over their keys
            // serves the whole batch.
            std::vector<Poco::Int64> seqs;
            std::vector<std::string> pair_ids;
            std::vector<std::string> left_sources;
            std::vector<std::string> left_ids;
            std::vector<std::string> right_sources;
            std::vector<std::string> right_ids;
            session << "SELECT seq, pair_id, left_source, left_id, right_source, right_id FROM review_pairs",
                into(seqs), into(pair_ids), into(left_sources), into(left_ids), into(right_sources), into(right_ids),
                now;
            std::vector<Poco::Int64> touched;
            std::vector<std::string> stubs;
            for (std::size_t i = 0; i < seqs.size(); ++i) {
                std::set<PurgeOutcome*> owners;
                for (const RecordKey& side :
                     {RecordKey{left_sources[i], left_ids[i]}, RecordKey{right_sources[i], right_ids[i]}}) {
                    if (const auto found = record_owner.find(side); found != record_owner.end()) {
                        owners.insert(found->second);
                    }
                }
                if (owners.empty()) {
                    continue;
                }
                for (PurgeOutcome* owner : owners) {
                    ++owner->review_pairs;
                }
                touched.push_back(seqs[i]);
                stubs.push_back(seal(purgedStub(""), sealed::kExplanationJson, sealedRow({pair_ids[i]})));
            }
            if (!touched.empty()) {
                std::vector<std::string> updated(touched.size(), at);
                session << sql(
                    "UPDATE review_pairs SET explanation_json = ?, "
                    "status = CASE WHEN status = 'open' THEN 'obsolete' ELSE status END, updated_at = ? "
                    "WHERE seq = ?"),
                    use(stubs), use(updated), use(touched), now;
            }
        }
        std::vector<ExchangeLogEntry> entries;
        std::vector<std::string> purged;
        for (const PurgeOutcome& outcome : outcomes) {
            entries.push_back({0, at, std::string(actor), "profile.purge", outcome.person_id, purgeDetail(outcome)});
            purged.push_back(outcome.person_id);
        }
        if (!purged.empty()) {
            std::vector<std::string> purged_at(purged.size(), at);
            session << sql("UPDATE profiles SET purged_at = ? WHERE person_id = ?"), use(purged_at), use(purged), now;
            insertLogEntries(session, std::move(entries));
        }
        transaction.commit();
    });
    return outcomes;
}

}  // namespace gateway::store
