#pragma once

// What the profile stage stores: every version of every child's profile (each with its outbox entry), the persons'
// records as the builder reads them, where building stands, and the purge of those who came of age. The store
// implements it; the profile and purge jobs build, the profile routes read.

#include "gateway/intake/intake_store.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gateway::profile {

using intake::StagedRecord;

/// One version of a child's profile, as the profile builder wrote it. The indexed columns repeat what the JSON holds
/// so that queries need not parse it.
struct ProfileVersion {
    std::string person_id;
    std::int64_t version = 0;                  // filled by commitProfiles: 1 for a new profile, +1 on each change
    std::string built_at;                      // ISO-8601 UTC
    std::string profile_json;                  // the whole profile
    std::string content_hash;                  // lower-case hex SHA-256 of profile_json without its volatile parts
    std::string name;                          // survivor values, for lookup
    std::string id_number;                     // 18 characters, or empty
    std::string birth_date;                    // YYYY-MM-DD, or empty
    std::string residence_division;            // 12 digits, or empty
    std::string hukou_division;                // 12 digits, or empty
    std::vector<std::string> classifications;  // codes, e.g. "left_behind"
    std::vector<std::string> alerts;           // codes, e.g. "unsupervised_under_16"
    bool removed = false;        // the person left every view: its records went to other persons, or it came of age
    std::string removed_reason;  // with removed: "gone" (records went elsewhere) or "adult"; "" otherwise
    std::string removed_on;      // with removed: the as-of date (YYYY-MM-DD) of the build that removed it
    /// Written with the version's outbox entry only (not kept in the profile tables): "" or a JSON object saying
    /// that records moved between persons, e.g. {"kind":"merge","persons":["P2"]} (see the profile job).
    std::string correction_json;
};

/// What purgeProfiles erased for one person.
struct PurgeOutcome {
    std::string person_id;
    std::string removed_on;         // the date the profile was removed as adult
    std::int64_t versions = 0;      // earlier versions whose content was erased
    std::int64_t records = 0;       // staged records deleted
    std::int64_t review_pairs = 0;  // review pairs whose explanation was erased
};

/// Filters of queryProfiles; empty fields do not filter. Current versions only, ordered by person_id.
struct ProfileQuery {
    std::string division_prefix;    // residence_division starts with it
    std::string classification;     // holds this code
    std::string alert;              // holds this code
    std::string born_after;         // birth_date > this (YYYY-MM-DD), for a maximum age
    std::string born_on_or_before;  // birth_date <= this, for a minimum age
    std::string updated_since;      // built_at >= this
    std::string id_number;          // exact
    std::string after_person;       // cursor: person_id > this
    bool include_removed = false;
    bool with_profile_json = true;  // false: profile_json is left empty (a list needs only the indexed columns)
    std::size_t limit = 100;
};

/// Counts of current, non-removed profiles per classification and per alert, for one division prefix.
struct DivisionCounts {
    std::string division_prefix;
    std::int64_t children = 0;
    std::map<std::string, std::int64_t> classifications;
    std::map<std::string, std::int64_t> alerts;
};

/// One record that a link run or a review decision moved from one existing person to another: what the profile
/// builder turns into split and merge corrections.
struct PersonMove {
    std::int64_t seq = 0;
    std::string source;
    std::string source_id;
    std::string from_person;
    std::string to_person;  // empty when the record was retired (its source deleted it): it left for no one
    std::string at;         // ISO-8601 UTC
    std::string reason{};   // why a record was retired, e.g. "deleted_at_source"; empty for a move between persons
};

/// Where profile building stands: what the last build covered, so that the next one rebuilds only what changed.
struct ProfileState {
    std::int64_t moves_through = 0;        // personMoves read into corrections
    std::int64_t built_through_batch = 0;  // linked records of raw batches up to this are in the profiles
    std::string as_of;                     // YYYY-MM-DD the profiles were built on; "" before the first build
};

/// Reading profiles: a child's current version and history, queries and counts by division.
/// Implementations are thread-safe: each call takes a pooled connection. Failures to reach the database throw
/// GatewayError(StoreUnavailable); rejected statements throw GatewayError(StoreError); a lost optimistic race throws
/// GatewayError(Conflict).
class ProfileStore {
public:
    virtual ~ProfileStore() = default;

    /// The current version of a person's profile.
    virtual std::optional<ProfileVersion> profile(std::string_view person_id) = 0;
    /// Every version of a person's profile, oldest first.
    virtual std::vector<ProfileVersion> profileHistory(std::string_view person_id) = 0;
    /// Current versions matching every non-empty filter of `query`. Throws InvalidArgument for a division_prefix
    /// that is not all digits, or a filter that is not well-formed UTF-8.
    virtual std::vector<ProfileVersion> queryProfiles(const ProfileQuery& query) = 0;
    /// Counts for `division_prefix` itself and for each distinct residence-division prefix of `child_digits`
    /// digits below it (e.g. prefix "320411", child_digits 9: the district and each of its townships), in order.
    /// The first element is always there (zero counts for an empty division); there are no others when
    /// child_digits <= the prefix's length. Throws InvalidArgument unless the prefix is all digits.
    virtual std::vector<DivisionCounts> profileCounts(std::string_view division_prefix, std::size_t child_digits) = 0;
};

/// Building profiles: the persons' records, the versions written, and where building stands.
/// Implementations are thread-safe: each call takes a pooled connection. Failures to reach the database throw
/// GatewayError(StoreUnavailable); rejected statements throw GatewayError(StoreError); a lost optimistic race throws
/// GatewayError(Conflict).
class ProfileBuildStore {
public:
    virtual ~ProfileBuildStore() = default;

    /// Writes the profiles whose content_hash differs from their current version as new versions (every version
    /// kept), skips the unchanged ones, and appends one "profile.version" exchange-log entry per written version
    /// (subject: person_id; detail: version and content hash), all in one transaction. Returns the versions
    /// written, with their version numbers filled, in the order given.
    /// A profile whose `removed` flag differs from its current version's is written even if its hash is the same.
    /// An empty built_at is filled with the commit time. Throws InvalidArgument, before writing anything, for an
    /// empty person_id or content_hash, a person_id given twice, text that is not well-formed UTF-8 or holds a
    /// NUL byte, or a classification or alert code that is empty or contains '|'.
    virtual std::vector<ProfileVersion> commitProfiles(const std::vector<ProfileVersion>& profiles,
                                                       std::string_view actor) = 0;
    /// Calls `visit` for every person with the staged records linked into it, in person_id order, streaming
    /// (one person's records in memory at a time).
    virtual void forEachPerson(
        const std::function<void(const std::string& person_id, const std::vector<StagedRecord>& records)>& visit) = 0;
    /// Person IDs with a current, non-removed profile, in order: what a rebuild must mark removed when the person
    /// no longer exists.
    virtual std::vector<std::string> profiledPersons() = 0;
    /// Records moved between persons with seq > after_seq, in seq order (see PersonMove). commitLinkRun and
    /// decideReview write them for every assignment that changes an existing one.
    virtual std::vector<PersonMove> personMoves(std::int64_t after_seq) = 0;
    /// Where profile building stands (zeros and "" before the first build), and moving it on.
    virtual ProfileState profileState() = 0;
    virtual void setProfileState(const ProfileState& state) = 0;
    /// Persons with a linked record that changed in a raw batch after `after_batch_id`, in order.
    virtual std::vector<std::string> personsChangedAfter(std::int64_t after_batch_id) = 0;
    /// As forEachPerson, for the given persons only (in person_id order; persons without records are not visited).
    virtual void forEachPersonIn(
        const std::vector<std::string>& persons,
        const std::function<void(const std::string& person_id, const std::vector<StagedRecord>& records)>& visit) = 0;
};

/// Erasing what is held about those who came of age.
/// Implementations are thread-safe: each call takes a pooled connection. Failures to reach the database throw
/// GatewayError(StoreUnavailable); rejected statements throw GatewayError(StoreError); a lost optimistic race throws
/// GatewayError(Conflict).
class PurgeStore {
public:
    virtual ~PurgeStore() = default;

    /// Persons whose profile was removed as adult on or before `removed_on_or_before` (YYYY-MM-DD) and not purged
    /// yet, in person_id order, at most `limit`.
    virtual std::vector<std::string> profilesToPurge(std::string_view removed_on_or_before, std::size_t limit) = 0;
    /// Purged persons with records staged again since (a source sent one again): each is linked back to its person
    /// and rebuilt into the same removal, so only the records need erasing. In person_id order, at most `limit`.
    /// Reads every purged person: once per purge run, not per batch.
    virtual std::vector<std::string> purgedWithRecords(std::size_t limit) = 0;
    /// Erases the personal data held about each person whose current profile is an adult's removal: the content of
    /// every earlier version (a stub holding the person ID takes the JSON's place; version numbers and content
    /// hashes stay), the person's staged records (their links stay, so a record staged again comes back to the
    /// same person and is purged again), and the explanations of review pairs that name one of those records (open
    /// ones become obsolete). One "profile.purge" exchange-log entry per person purged, all in one transaction.
    /// Other persons are skipped. Returns what was erased, per person purged, in person_id order.
    virtual std::vector<PurgeOutcome> purgeProfiles(const std::vector<std::string>& persons,
                                                    std::string_view actor) = 0;
};

}  // namespace gateway::profile
