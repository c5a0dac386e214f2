#include "gateway/api/profile_routes.h"

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"
#include "gateway/linkage/pinyin.h"
#include "gateway/model/person_name.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/RegularExpression.h>

#include <charconv>

namespace gateway::api {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string queryValue(const Request& request, const std::string& name) {
    const auto it = request.query.find(name);
    return it == request.query.end() ? std::string() : it->second;
}

int integerParameter(const Request& request, const std::string& name, int fallback, int min, int max) {
    const std::string text = queryValue(request, name);
    if (text.empty()) {
        return fallback;
    }
    int value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec != std::errc() || result.ptr != text.data() + text.size() || value < min || value > max) {
        throw GatewayError(ErrorCode::InvalidArgument, "query parameter " + name + " must be a whole number from " +
                                                           std::to_string(min) + " to " + std::to_string(max));
    }
    return value;
}

/// A division code of 4 to 12 digits, as a prefix: trailing zero groups of a 12-digit code name its level
/// (320411000000 is the district 320411).
std::string divisionPrefix(const std::string& code) {
    for (char c : code) {
        if (c < '0' || c > '9') {
            throw GatewayError(ErrorCode::InvalidArgument, "division must be digits, e.g. 320411 or 320411101201");
        }
    }
    if (code.size() != 12) {
        if (code.size() < 4 || code.size() > 12) {
            throw GatewayError(ErrorCode::InvalidArgument, "division must have 4 to 12 digits");
        }
        return code;
    }
    if (code.ends_with("00000000"))
        return code.substr(0, 4);
    if (code.ends_with("000000"))
        return code.substr(0, 6);
    if (code.ends_with("000"))
        return code.substr(0, 9);
    return code;
}

/// A name as a village officer might type it, reduced to toneless pinyin letters: 张子涵, 张紫涵, "Zhang Zihan" and
/// "zhangzihan" all become "zhangzihan".
std::string nameKey(const std::string& name) {
    const auto normalised = model::normaliseName(name);
    const auto chars = utf8::decode(normalised ? normalised->normalised() : name).value_or(std::u32string());
    const std::string romanised = linkage::PinyinTable::builtin().romanise(chars);
    std::string key;
    for (char c : romanised) {
        if (c != ' ') {
            key.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
        }
    }
    return key;
}

void writeStrings(Writer& writer, const char* key, const std::vector<std::string>& values) {
    writer.Key(key);
    writer.StartArray();
    for (const std::string& value : values) {
        writer.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
    }
    writer.EndArray();
}

void writeSummary(Writer& writer, const store::ProfileVersion& profile) {
    writer.StartObject();
    writer.Key("person_id");
    writer.String(profile.person_id.c_str());
    writer.Key("version");
    writer.Int64(profile.version);
    writer.Key("built_at");
    writer.String(profile.built_at.c_str());
    writer.Key("name");
    writer.String(profile.name.c_str());
    writer.Key("birth_date");
    writer.String(profile.birth_date.c_str());
    writer.Key("residence_division");
    writer.String(profile.residence_division.c_str());
    writeStrings(writer, "classifications", profile.classifications);
    writeStrings(writer, "alerts", profile.alerts);
    if (profile.removed) {
        writer.Key("removed");
        writer.Bool(true);
    }
    writer.EndObject();
}

void writeVersion(Writer& writer, const store::ProfileVersion& profile) {
    writer.StartObject();
    writer.Key("person_id");
    writer.String(profile.person_id.c_str());
    writer.Key("version");
    writer.Int64(profile.version);
    writer.Key("built_at");
    writer.String(profile.built_at.c_str());
    writer.Key("profile");
    writer.RawValue(profile.profile_json.c_str(), profile.profile_json.size(), rapidjson::kObjectType);
    writer.EndObject();
}

}  // namespace

void addProfileRoutes(Router& router, store::Store& store, const model::CalendarDate& as_of) {
    router.add({"GET", "/v1/profiles/{id}",
                "One child's current profile: survivor values with provenance, conflicts, classifications and "
                "alerts with their reasons.",
                [&store](const Request& request) {
                    const std::string& id = request.path_params.at("id");
                    const auto profile = store.profile(id);
                    if (!profile || profile->removed) {
                        throw GatewayError(ErrorCode::NotFound, "no profile " + id);
                    }
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writeVersion(writer, *profile);
                    return jsonResponse(200, buffer.GetString());
                }});

    router.add({"GET", "/v1/profiles/{id}/history", "Every version of one child's profile, oldest first.",
                [&store](const Request& request) {
                    const std::string& id = request.path_params.at("id");
                    const auto versions = store.profileHistory(id);
                    if (versions.empty()) {
                        throw GatewayError(ErrorCode::NotFound, "no profile " + id);
                    }
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writer.StartObject();
                    writer.Key("versions");
                    writer.StartArray();
                    for (const auto& version : versions) {
                        writeVersion(writer, version);
                    }
                    writer.EndArray();
                    writer.EndObject();
                    return jsonResponse(200, buffer.GetString());
                }});

    router.add({"GET", "/v1/profiles",
                "Profiles by ?division=&classification=&alert=&age_min=&age_max=&updated_since=&id_number=&name=, "
                "ordered by person ID, cursor-paged (cursor=, limit=1..500); name= matches homophones (张子涵 finds "
                "张紫涵; pinyin works too) within a division.",
                [&store, as_of](const Request& request) {
                    store::ProfileQuery query;
                    const std::string division = queryValue(request, "division");
                    if (!division.empty()) {
                        query.division_prefix = divisionPrefix(division);
                    }
                    query.classification = queryValue(request, "classification");
                    query.alert = queryValue(request, "alert");
                    const std::string since = queryValue(request, "updated_since");
                    if (!since.empty()) {
                        // Compared as text with the stored ISO-8601 UTC times, so it must become one first.
                        Poco::DateTime parsed;
                        int zone = 0;
                        static const Poco::RegularExpression iso(
                            "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?"
                            "(Z|[+-][0-9]{2}:?[0-9]{2})?)?$");
                        if (!iso.match(since) || !Poco::DateTimeParser::tryParse(since, parsed, zone)) {
                            throw GatewayError(ErrorCode::InvalidArgument,
                                               "updated_since must be an ISO-8601 date or date-time, e.g. "
                                               "2026-11-01T00:00:00Z");
                        }
                        parsed.makeUTC(zone);
                        query.updated_since = Poco::DateTimeFormatter::format(parsed, "%Y-%m-%dT%H:%M:%S.%iZ");
                    }
                    query.id_number = queryValue(request, "id_number");
                    query.after_person = queryValue(request, "cursor");
                    const int age_min = integerParameter(request, "age_min", -1, 0, 150);
                    const int age_max = integerParameter(request, "age_max", -1, 0, 150);
                    // age >= n: born on or before as_of minus n years; age <= n: born after as_of minus n+1 years.
                    auto yearsBefore = [&as_of](int years) {
                        model::CalendarDate date(as_of.year() - years, as_of.month(), as_of.day());
                        if (!date.isValid()) {
                            date = model::CalendarDate(as_of.year() - years, 3, 1);  // 29 February
                        }
                        return date.toIso();
                    };
                    if (age_min >= 0) {
                        query.born_on_or_before = yearsBefore(age_min);
                    }
                    if (age_max >= 0) {
                        query.born_after = yearsBefore(age_max + 1);
                    }
                    const int limit = integerParameter(request, "limit", 100, 1, 500);
                    std::vector<store::ProfileVersion> profiles;
                    const std::string name = queryValue(request, "name");
                    if (name.empty()) {
                        query.limit = static_cast<std::size_t>(limit) + 1;
                        profiles = store.queryProfiles(query);
                    } else {
                        // Homophone-tolerant lookup within a division: the scope is walked page by page and each
                        // name compared by its toneless pinyin (a full name, or the given name alone).
                        if (query.division_prefix.size() < 6) {
                            throw GatewayError(ErrorCode::InvalidArgument,
                                               "name= looks within a division: give division= (a district or below)");
                        }
                        const std::string wanted = nameKey(name);
                        if (wanted.empty()) {
                            throw GatewayError(ErrorCode::InvalidArgument, "name= holds no letters or characters");
                        }
                        query.limit = 1000;
                        for (std::size_t scanned = 0; profiles.size() <= static_cast<std::size_t>(limit);) {
                            const auto page = store.queryProfiles(query);
                            for (const auto& profile : page) {
                                const std::string key = nameKey(profile.name);
                                if (!key.empty() && (key == wanted || key.ends_with(wanted))) {
                                    profiles.push_back(profile);
                                }
                            }
                            scanned += page.size();
                            if (page.size() < query.limit || scanned >= 500000) {
                                break;
                            }
                            query.after_person = page.back().person_id;
                        }
                    }
                    const std::size_t shown = std::min(profiles.size(), static_cast<std::size_t>(limit));
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writer.StartObject();
                    writer.Key("items");
                    writer.StartArray();
                    for (std::size_t i = 0; i < shown; ++i) {
                        writeSummary(writer, profiles[i]);
                    }
                    writer.EndArray();
                    writer.Key("next_cursor");
                    if (profiles.size() > shown) {
                        writer.String(profiles[shown - 1].person_id.c_str());
                    } else {
                        writer.Null();
                    }
                    writer.EndObject();
                    return jsonResponse(200, buffer.GetString());
                }});

    router.add({"GET", "/v1/stats",
                "Counts per classification and alert for ?division= and each division one level below it (city → "
                "districts → townships → villages).",
                [&store](const Request& request) {
                    const std::string division = queryValue(request, "division");
                    if (division.empty()) {
                        throw GatewayError(ErrorCode::InvalidArgument, "give division=, e.g. 320411");
                    }
                    const std::string prefix = divisionPrefix(division);
                    const std::size_t child_digits = prefix.size() <= 4 ? 6 : prefix.size() <= 6 ? 9 : 12;
                    const auto counts = store.profileCounts(prefix, child_digits);
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writer.StartObject();
                    writer.Key("divisions");
                    writer.StartArray();
                    for (const store::DivisionCounts& count : counts) {
                        writer.StartObject();
                        writer.Key("division");
                        writer.String(count.division_prefix.c_str());
                        writer.Key("children");
                        writer.Int64(count.children);
                        for (const auto& [key, map] : {std::make_pair("classifications", &count.classifications),
                                                       std::make_pair("alerts", &count.alerts)}) {
                            writer.Key(key);
                            writer.StartObject();
                            for (const auto& [code, n] : *map) {
                                writer.Key(code.c_str());
                                writer.Int64(n);
                            }
                            writer.EndObject();
                        }
                        writer.EndObject();
                    }
                    writer.EndArray();
                    writer.EndObject();
                    return jsonResponse(200, buffer.GetString());
                }});
}

}  // namespace gateway::api
