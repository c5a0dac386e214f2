#pragma once

#include <rapidjson/pointer.h>

#include <string>
#include <string_view>
#include <vector>

namespace gateway::profile {

/// How a value read from a record is checked before it competes for its field: a value that fails loses to any that
/// passes (see Survivorship). citizen_id also brings a valid number to its 18-character form.
enum class ValueCheck { None, Name, Date, CitizenId };

/// One place a field's value may come from in a canonical record. With a prefix, only a value that starts with it is
/// taken, without it (a student number "G" + the ID number gives the ID number).
struct ValueSource {
    rapidjson::Pointer from;  // compiled once, when loaded
    std::string strip_prefix;
};

/// A single-valued profile field from the record: the first source that holds a value gives it.
struct AssemblyField {
    std::string into;  // the profile pointer
    std::vector<ValueSource> from;
    ValueCheck check = ValueCheck::None;
    bool any_type = false;  // false: strings only
};

/// One member of the elements of a keyed family, and its check.
struct FamilyMember {
    std::string name;
    ValueCheck check = ValueCheck::None;
};

/// How a family of facts becomes part of the profile:
/// - survivor: every member of an object (facts.health) is a field of its own under `into`, with survivorship;
/// - keyed: the elements of an array (guardians) whose `key` member is one of `keys` give the fields
///   `into`/KEY/MEMBER, with survivorship;
/// - latest: the object of one record only, the latest staged whose `stale_member` is not `stale_value` (or the latest
///   of all when every one is), each member a field under `into` (the school enrolment that describes the child now);
/// - history: every element (an array's objects, or one object) of every record, kept with its source and source ID
///   as a list at `into`; `keep` keeps only those text members (of any element), `where_not_in` leaves out elements
///   whose `where_member` is one of them, and `days_since` adds the days from a date member to the as-of date.
enum class FamilyKind { Survivor, Keyed, Latest, History };

struct AssemblyFamily {
    std::string name;
    FamilyKind kind = FamilyKind::Survivor;
    rapidjson::Pointer from;
    std::string into;
    // keyed
    std::string key;
    std::vector<std::string> keys;
    std::vector<FamilyMember> members;
    // latest
    std::string stale_member;
    std::string stale_value;
    // history
    std::vector<std::string> keep;
    std::string where_member;
    std::vector<std::string> where_not_in;
    std::string days_name;    // e.g. "days_open"
    std::string days_member;  // e.g. "opened"
};

/// Which canonical fields and fact families become which profile fields (config/profile/assembly.json). Fields and
/// keyed and survivor families compete through survivorship; histories are written after them, in order.
struct Assembly {
    std::string register_source;  // every record of this source says the child is registered …
    std::string register_into;    // … at this field
    std::vector<AssemblyField> fields;
    std::vector<AssemblyFamily> families;

    /// Throws GatewayError(InvalidConfig) naming the JSON pointer of the mistake: unknown keys, kinds or checks,
    /// pointers that do not parse, a field written twice, or a profile member the builder writes itself.
    static Assembly parse(std::string_view json, std::string_view origin);
};

}  // namespace gateway::profile
