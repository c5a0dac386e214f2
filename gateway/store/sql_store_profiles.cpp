// The profile part of SqlStore: versioned child profiles written by the profile builder, and the queries and counts
// the API serves from the current versions. The persons the builder reads are in sql_store_persons.cpp.

#include "gateway/common/json_writer.h"
#include "gateway/common/utf8.h"
#include "gateway/store/log_details.h"
#include "gateway/store/port_checks.h"
#include "gateway/store/sql_store.h"
#include "gateway/store/sql_store_internal.h"

#include <Poco/Data/Statement.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <unordered_set>

namespace gateway::store {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

namespace {

constexpr const char* kProfileColumns =
    "person_id, version, built_at, profile_json, content_hash, name, id_number, birth_date, residence_division, "
    "hukou_division, classifications, alerts, removed";
// The current versions, whose JSON stays in profile_versions.
constexpr const char* kCurrentColumns =
    "person_id, version, built_at, content_hash, name, id_number, birth_date, residence_division, hukou_division, "
    "classifications, alerts, removed";

constexpr const char* kClassification = "classification";
constexpr const char* kAlert = "alert";

/// The profile_codes rows of `profile`, each code once.
void appendCodes(const ProfileVersion& profile, std::vector<ProfileCode>& codes) {
    for (const auto& [kind, list] :
         {std::pair<const char*, const std::vector<std::string>*>{kClassification, &profile.classifications},
          {kAlert, &profile.alerts}}) {
        std::set<std::string_view> seen;
        for (const std::string& code : *list) {
            if (seen.insert(code).second) {
                codes.push_back({profile.person_id, kind, code});
            }
        }
    }
}

/// profile_stage: the run's profile versions in their order (codes as joinCodes() renders them), each built at its
/// own time or the run's, with the blind index of each ID number (`id_indexes`, in the same order).
BulkRows profileStageRows(const std::vector<ProfileVersion>& profiles, const std::vector<std::string>& id_indexes,
                          const std::string& built_at) {
    BulkRows rows("profile_stage", profiles.size());
    rows.ordinal("ordinal", profiles)
        .text("person_id", profiles, &ProfileVersion::person_id)
        .text("built_at", profiles,
              [&built_at](const ProfileVersion& profile) {
                  return profile.built_at.empty() ? built_at : profile.built_at;
              })
        .text("profile_json", profiles, &ProfileVersion::profile_json)
        .text("content_hash", profiles, &ProfileVersion::content_hash)
        .text("name", profiles, &ProfileVersion::name)
        .text("id_number", profiles, &ProfileVersion::id_number)
        .text("birth_date", profiles, &ProfileVersion::birth_date)
        .text("residence_division", profiles, &ProfileVersion::residence_division)
        .text("hukou_division", profiles, &ProfileVersion::hukou_division)
        .text("classifications", profiles,
              [](const ProfileVersion& profile) { return joinCodes(profile.classifications); })
        .text("alerts", profiles, [](const ProfileVersion& profile) { return joinCodes(profile.alerts); })
        .integer("removed", profiles, [](const ProfileVersion& profile) { return profile.removed ? 1 : 0; })
        .text("id_number_index", profiles,
              [&id_indexes](const ProfileVersion&, std::size_t i) -> const std::string& { return id_indexes[i]; });
    return rows;
}

/// profile_codes: the classification and alert codes of the current profiles, one row each.
BulkRows profileCodeRows(const std::vector<ProfileCode>& codes) {
    BulkRows rows("profile_codes", codes.size());
    rows.text("person_id", codes, &ProfileCode::person_id)
        .text("kind", codes, &ProfileCode::kind)
        .text("code", codes, &ProfileCode::code);
    return rows;
}

}  // namespace

void SqlStore::stageCorrections(Session& session, const std::vector<ProfileVersion>& profiles) {
    // Few profiles carry one, so they are set afterwards rather than loaded with every row.
    std::vector<std::string> corrections;
    std::vector<std::string> persons;
    for (const ProfileVersion& profile : profiles) {
        if (!profile.correction_json.empty()) {
            corrections.push_back(profile.correction_json);
            persons.push_back(profile.person_id);
        }
    }
    if (!persons.empty()) {
        session << sql("UPDATE profile_stage SET correction = ? WHERE person_id = ?"), use(corrections), use(persons),
            now;
    }
}

void SqlStore::markRemovals(Session& session, const std::vector<ProfileVersion>& written) {
    // Few versions are removals, so they are set afterwards rather than loaded with every row.
    std::vector<std::string> reasons;
    std::vector<std::string> dates;
    std::vector<std::string> persons;
    for (const ProfileVersion& profile : written) {
        if (profile.removed && !(profile.removed_reason.empty() && profile.removed_on.empty())) {
            reasons.push_back(profile.removed_reason);
            dates.push_back(profile.removed_on);
            persons.push_back(profile.person_id);
        }
    }
    if (!persons.empty()) {
        session << sql("UPDATE profiles SET removed_reason = ?, removed_on = ? WHERE person_id = ?"), use(reasons),
            use(dates), use(persons), now;
    }
}

std::vector<ProfileVersion> SqlStore::commitProfiles(const std::vector<ProfileVersion>& profiles,
                                                     std::string_view actor) {
    validateProfiles(profiles, actor);
    std::vector<ProfileVersion> written;
    if (profiles.empty()) {
        return written;
    }
    const std::string at = nowIso();
    // Sealed before the transaction, as in commitBatch; the versions returned keep the plaintext.
    std::vector<ProfileVersion> sealed_profiles;
    std::vector<std::string> id_indexes(profiles.size());
    if (sealsPersonalData()) {
        sealed_profiles = profiles;
        for (std::size_t i = 0; i < sealed_profiles.size(); ++i) {
            ProfileVersion& profile = sealed_profiles[i];
            id_indexes[i] = idNumberIndex(profile.id_number);
            profile.profile_json =
                seal(profile.profile_json, sealed::kProfileJson, sealedRow({profile.person_id, profile.content_hash}));
            profile.id_number = seal(profile.id_number, sealed::kIdNumber, sealedRow({profile.person_id}));
        }
    }
    const std::vector<ProfileVersion>& staged = sealsPersonalData() ? sealed_profiles : profiles;
    withSession("commit " + std::to_string(profiles.size()) + " profiles", [&](Session& session) {
        written.clear();
        WriteTransaction transaction(*this, session);
        // First, so that a concurrent builder waits here and then numbers its versions after ours.
        lockProfiles(session);
        // As in commitBatch: one bulk load into a stage, then set-based statements in which each profile costs a
        // primary-key lookup, whatever the number of profiles stored.
        session << "CREATE TEMP TABLE profile_stage (ordinal BIGINT NOT NULL, person_id TEXT PRIMARY KEY, "
                   "built_at TEXT NOT NULL, profile_json TEXT NOT NULL, content_hash TEXT NOT NULL, "
                   "name TEXT NOT NULL, id_number TEXT NOT NULL, birth_date TEXT NOT NULL, "
                   "residence_division TEXT NOT NULL, hukou_division TEXT NOT NULL, classifications TEXT NOT NULL, "
                   "alerts TEXT NOT NULL, removed INTEGER NOT NULL, version BIGINT NOT NULL DEFAULT 1, "
                   "correction TEXT NOT NULL DEFAULT '', id_number_index TEXT NOT NULL DEFAULT '')",
            now;
        insertRows(session, profileStageRows(staged, id_indexes, at));

        // An unchanged profile leaves the stage. A removal that kept the hash is still a change of state.
        session << "DELETE FROM profile_stage WHERE EXISTS (SELECT 1 FROM profiles AS p "
                   "WHERE p.person_id = profile_stage.person_id AND p.content_hash = profile_stage.content_hash "
                   "AND p.removed = profile_stage.removed)",
            now;
        session << "UPDATE profile_stage SET version = 1 + COALESCE((SELECT p.version FROM profiles AS p "
                   "WHERE p.person_id = profile_stage.person_id), 0)",
            now;
        std::vector<Poco::Int64> ordinals;
        std::vector<Poco::Int64> versions;
        session << "SELECT ordinal, version FROM profile_stage ORDER BY ordinal", into(ordinals), into(versions), now;

        if (!ordinals.empty()) {
            stageCorrections(session, profiles);
            // Before the upsert, while profiles still holds the previous division: a child who moved is announced
            // to the new division and withdrawn from the old one.
            session << "INSERT INTO outbox (person_id, version, division, previous_division, removed, correction, "
                       "created_at) SELECT s.person_id, s.version, s.residence_division, "
                       "COALESCE(p.residence_division, ''), s.removed, s.correction, s.built_at "
                       "FROM profile_stage AS s LEFT JOIN profiles AS p ON p.person_id = s.person_id "
                       "ORDER BY s.ordinal",
                now;
            const std::string columns = kProfileColumns;
            const std::string current = kCurrentColumns;
            session << "INSERT INTO profile_versions (" + columns + ") SELECT " + columns + " FROM profile_stage", now;
            session << "INSERT INTO profiles (" + current + ", township, district, id_number_index) SELECT " + current +
                           ", substr(residence_division, 1, 9), substr(residence_division, 1, 6), id_number_index "
                           "FROM profile_stage WHERE true ON CONFLICT (person_id) DO UPDATE SET "
                           "version = excluded.version, built_at = excluded.built_at, "
                           "township = excluded.township, district = excluded.district, "
                           "content_hash = excluded.content_hash, "
                           "name = excluded.name, id_number = excluded.id_number, "
                           "id_number_index = excluded.id_number_index, birth_date = excluded.birth_date, "
                           "residence_division = excluded.residence_division, "
                           "hukou_division = excluded.hukou_division, classifications = excluded.classifications, "
                           "alerts = excluded.alerts, removed = excluded.removed, removed_reason = '', "
                           "removed_on = '', purged_at = ''",
                now;
            session << "DELETE FROM profile_codes WHERE person_id IN (SELECT person_id FROM profile_stage)", now;

            written.reserve(ordinals.size());
            std::vector<ProfileCode> codes;
            std::vector<ExchangeLogEntry> entries;
            entries.reserve(ordinals.size());
            for (std::size_t i = 0; i < ordinals.size(); ++i) {
                ProfileVersion& profile = written.emplace_back(profiles[static_cast<std::size_t>(ordinals[i])]);
                profile.version = versions[i];
                if (profile.built_at.empty()) {
                    profile.built_at = at;
                }
                appendCodes(profile, codes);
                entries.push_back({0, profile.built_at, std::string(actor), "profile.version", profile.person_id,
                                   versionDetail(profile)});
            }
            if (!codes.empty()) {
                insertRows(session, profileCodeRows(codes));
            }
            markRemovals(session, written);
            insertLogEntries(session, std::move(entries));
        }
        session << "DROP TABLE profile_stage", now;
        transaction.commit();
    });
    return written;
}

std::vector<ProfileVersion> SqlStore::readProfiles(Session& session, const std::string& table, const std::string& tail,
                                                   const std::function<void(Statement&)>& bind, bool with_json) {
    std::vector<std::string> persons;
    std::vector<Poco::Int64> versions;
    std::vector<std::string> built;
    std::vector<std::string> json;
    std::vector<std::string> hashes;
    std::vector<std::string> names;
    std::vector<std::string> id_numbers;
    std::vector<std::string> births;
    std::vector<std::string> residences;
    std::vector<std::string> hukous;
    std::vector<std::string> classifications;
    std::vector<std::string> alerts;
    std::vector<Poco::Int64> removed;
    std::string columns;
    for (std::string_view rest = kProfileColumns; !rest.empty();) {
        const std::size_t comma = rest.find(", ");
        const std::string column(rest.substr(0, comma));
        std::string expression = "p." + column;
        if (column == "profile_json" && !with_json) {
            expression = "''";
        } else if (column == "profile_json" && table == "profiles") {
            expression =
                "(SELECT v.profile_json FROM profile_versions AS v WHERE v.person_id = p.person_id "
                "AND v.version = p.version)";
        }
        columns += (columns.empty() ? "" : ", ") + expression;
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
    }
    Statement select(session);
    select << sql("SELECT " + columns + " FROM " + table + " AS p " + tail);
    bind(select);
    select, into(persons), into(versions), into(built), into(json), into(hashes), into(names), into(id_numbers),
        into(births), into(residences), into(hukous), into(classifications), into(alerts), into(removed);
    select.execute();
    std::vector<ProfileVersion> result(persons.size());
    for (std::size_t i = 0; i < persons.size(); ++i) {
        ProfileVersion& profile = result[i];
        profile.person_id = std::move(persons[i]);
        profile.version = versions[i];
        profile.built_at = std::move(built[i]);
        profile.content_hash = std::move(hashes[i]);
        // The current version's hash is the one in profiles too: they are written together.
        profile.profile_json =
            unseal(std::move(json[i]), sealed::kProfileJson, sealedRow({profile.person_id, profile.content_hash}));
        profile.name = std::move(names[i]);
        profile.id_number = unseal(std::move(id_numbers[i]), sealed::kIdNumber, sealedRow({profile.person_id}));
        profile.birth_date = std::move(births[i]);
        profile.residence_division = std::move(residences[i]);
        profile.hukou_division = std::move(hukous[i]);
        profile.classifications = splitCodes(classifications[i]);
        profile.alerts = splitCodes(alerts[i]);
        profile.removed = removed[i] != 0;
    }
    return result;
}

std::optional<ProfileVersion> SqlStore::profile(std::string_view person_id) {
    std::optional<ProfileVersion> result;
    withSession("read the profile of person " + std::string(person_id), [&](Session& session) {
        std::string key(person_id);
        auto found = readProfiles(session, "profiles", "WHERE p.person_id = ?",
                                  [&](Statement& statement) { statement, use(key); });
        if (!found.empty()) {
            result = std::move(found.front());
        }
    });
    return result;
}

std::vector<ProfileVersion> SqlStore::profileHistory(std::string_view person_id) {
    std::vector<ProfileVersion> result;
    withSession("read the profile history of person " + std::string(person_id), [&](Session& session) {
        std::string key(person_id);
        result = readProfiles(session, "profile_versions", "WHERE p.person_id = ? ORDER BY p.version",
                              [&](Statement& statement) { statement, use(key); });
    });
    return result;
}

std::vector<ProfileVersion> SqlStore::queryProfiles(const ProfileQuery& query) {
    validateProfileQuery(query);
    std::vector<ProfileVersion> result;
    withSession("query the profiles", [&](Session& session) {
        // No person_id is empty (the schema checks it), so the cursor always applies.
        Conditions conditions;
        conditions.add("p.person_id > ?", query.after_person);
        if (!query.include_removed) {
            conditions.add("p.removed = 0");
        }
        conditions.divisionPrefix(query.division_prefix);
        if (!query.classification.empty()) {
            conditions.add(
                "EXISTS (SELECT 1 FROM profile_codes AS c WHERE c.kind = 'classification' AND c.code = ? "
                "AND c.person_id = p.person_id)",
                query.classification);
        }
        if (!query.alert.empty()) {
            conditions.add(
                "EXISTS (SELECT 1 FROM profile_codes AS c WHERE c.kind = 'alert' AND c.code = ? "
                "AND c.person_id = p.person_id)",
                query.alert);
        }
        if (!query.born_after.empty()) {
            conditions.add("p.birth_date > ?", query.born_after);
        }
        if (!query.born_on_or_before.empty()) {
            // An unknown birth date ('') sorts before every date but says nothing about the age.
            conditions.add("p.birth_date <> ''");
            conditions.add("p.birth_date <= ?", query.born_on_or_before);
        }
        if (!query.updated_since.empty()) {
            conditions.add("p.built_at >= ?", query.updated_since);
        }
        if (!query.id_number.empty()) {
            if (sealsPersonalData()) {
                // Sealed numbers are found through their blind index; numbers written before the store had a
                // cipher (not yet sealed by `gateway keys rotate`) by themselves.
                conditions.add("(p.id_number_index = ? OR p.id_number = ?)", idNumberIndex(query.id_number));
                conditions.addValue(query.id_number);
            } else {
                conditions.add("p.id_number = ?", query.id_number);
            }
        }
        Poco::Int64 max_rows = rowLimit(query.limit);
        result = readProfiles(
            session, "profiles", "WHERE true" + conditions.sql() + " ORDER BY p.person_id LIMIT ?",
            [&](Statement& statement) {
                conditions.bind(statement);
                statement, use(max_rows);
            },
            query.with_profile_json);
    });
    return result;
}

std::vector<DivisionCounts> SqlStore::profileCounts(std::string_view division_prefix, std::size_t child_digits) {
    requireDivisionPrefix(division_prefix);
    const std::string prefix(division_prefix);
    std::vector<DivisionCounts> result;
    withSession("count the profiles under division " + prefix, [&](Session& session) {
        result.clear();
        ReadSnapshot snapshot(*this, session);
        // Counts grouped by the first `digits` digits of the residence division, for profiles under the prefix
        // whose division has that many digits.
        const auto level = [&](std::size_t digits) {
            std::map<std::string, DivisionCounts> counts;
            Poco::Int64 group_digits = static_cast<Poco::Int64>(digits);
            Poco::Int64 min_length = group_digits;
            Conditions conditions;
            conditions.divisionPrefix(prefix);
            conditions.add("LENGTH(p.residence_division) >= CAST(? AS INTEGER)");

            std::vector<std::string> divisions;
            std::vector<Poco::Int64> children;
            Statement persons(session);
            persons << sql(
                "SELECT SUBSTR(p.residence_division, 1, CAST(? AS INTEGER)), COUNT(*) FROM profiles AS p "
                "WHERE p.removed = 0" +
                conditions.sql() + " GROUP BY 1");
            persons, use(group_digits);
            conditions.bind(persons);
            persons, use(min_length), into(divisions), into(children);
            persons.execute();
            for (std::size_t i = 0; i < divisions.size(); ++i) {
                DivisionCounts& entry = counts[divisions[i]];
                entry.division_prefix = divisions[i];
                entry.children = children[i];
            }

            std::vector<std::string> code_divisions;
            std::vector<std::string> kinds;
            std::vector<std::string> codes;
            std::vector<Poco::Int64> numbers;
            Statement by_code(session);
            by_code << sql(
                "SELECT SUBSTR(p.residence_division, 1, CAST(? AS INTEGER)), c.kind, c.code, COUNT(*) "
                "FROM profiles AS p JOIN profile_codes AS c ON c.person_id = p.person_id WHERE p.removed = 0" +
                conditions.sql() + " GROUP BY 1, 2, 3");
            by_code, use(group_digits);
            conditions.bind(by_code);
            by_code, use(min_length), into(code_divisions), into(kinds), into(codes), into(numbers);
            by_code.execute();
            for (std::size_t i = 0; i < code_divisions.size(); ++i) {
                DivisionCounts& entry = counts[code_divisions[i]];
                entry.division_prefix = code_divisions[i];
                (kinds[i] == kAlert ? entry.alerts : entry.classifications)[codes[i]] = numbers[i];
            }
            return counts;
        };

        auto own = level(prefix.size());
        DivisionCounts& self = result.emplace_back();
        self.division_prefix = prefix;
        if (auto found = own.find(prefix); found != own.end()) {
            self = std::move(found->second);
        }
        if (child_digits > prefix.size()) {
            for (auto& [division, counts] : level(child_digits)) {
                result.push_back(std::move(counts));
            }
        }
        snapshot.end();
    });
    return result;
}

}  // namespace gateway::store
