#include "gateway/api/profile_routes.h"

#include "gateway/api/parameters.h"
#include "gateway/api/scope.h"
#include "gateway/common/error.h"
#include "gateway/common/json_writer.h"
#include "gateway/common/utf8.h"
#include "gateway/linkage/pinyin.h"
#include "gateway/model/person_name.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <Poco/DateTime.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/DateTimeParser.h>
#include <Poco/RegularExpression.h>

#include <set>

namespace gateway::api {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

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
        json::string(writer, value);
    }
    writer.EndArray();
}

void writeSummary(Writer& writer, const profile::ProfileVersion& profile) {
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

void writeVersion(Writer& writer, const profile::ProfileVersion& profile, const profile::ProfileView& view) {
    writer.StartObject();
    writer.Key("person_id");
    writer.String(profile.person_id.c_str());
    writer.Key("version");
    writer.Int64(profile.version);
    writer.Key("built_at");
    writer.String(profile.built_at.c_str());
    const std::string shown = view.apply(profile.profile_json);
    writer.Key("profile");
    writer.RawValue(shown.c_str(), shown.size(), rapidjson::kObjectType);
    writer.EndObject();
}

const std::set<security::Role> kReaders{security::Role::Admin, security::Role::App};

/// A code of the configured set, or 400 naming the parameter and the codes it takes.
std::string codeParameter(const Request& request, const std::string& name, const std::vector<std::string>& codes) {
    const std::string value = queryValue(request, name);
    if (value.empty() || std::find(codes.begin(), codes.end(), value) != codes.end()) {
        return value;
    }
    std::string known;
    for (const std::string& code : codes) {
        known += (known.empty() ? "" : ", ") + code;
    }
    throw GatewayError(ErrorCode::InvalidArgument,
                       "query parameter " + name + " " + utf8::quote(value) + " is not one of: " + known);
}

/// A profile the caller may see: 404 for one that does not exist, was removed, or lies outside the caller's scope
/// (the same answer, so that a scope cannot be probed for the IDs it hides).
profile::ProfileVersion scopedProfile(profile::ProfileStore& store, const Request& request) {
    const std::string& id = request.path_params.at("id");
    auto profile = store.profile(id);
    if (!profile || profile->removed || !request.client->covers(profile->residence_division)) {
        throw GatewayError(ErrorCode::NotFound, "no profile " + utf8::quote(id, 80));
    }
    return std::move(*profile);
}

bool validPersonId(const std::string& text) {
    return !text.empty() && text.size() <= 64 &&
           text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
               std::string::npos;
}

}  // namespace

void addProfileRoutes(Router& router, profile::ProfileStore& store, const profile::ProfileConfig& config,
                      const profile::ProfileViews& views) {
    router.add({"GET", "/v1/profiles/{id}",
                "One child's current profile through the caller's view: survivor values with provenance, conflicts, "
                "classifications and alerts with their reasons. 404 outside the caller's scope.",
                [&store, &views](const Request& request) {
                    const profile::ProfileView& view = profileView(request, views);
                    const profile::ProfileVersion profile = scopedProfile(store, request);
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writeVersion(writer, profile, view);
                    Response response = jsonResponse(200, buffer.GetString());
                    response.persons.push_back(profile.person_id);
                    return response;
                },
                kReaders, false, true});

    router.add({"GET", "/v1/profiles/{id}/history",
                "Every version of one child's profile, oldest first, through the caller's view; versions from while "
                "the child lived outside the caller's scope are left out (404 when none is left). A person removed by "
                "a merge keeps its history.",
                [&store, &views](const Request& request) {
                    const profile::ProfileView& view = profileView(request, views);
                    const std::string& id = request.path_params.at("id");
                    std::vector<profile::ProfileVersion> history = store.profileHistory(id);
                    if (!history.empty() && profile::ProfileBuilder::isAdult(history.back())) {
                        // Of age: the file of the minor leaves every view, its history included.
                        throw GatewayError(ErrorCode::NotFound, "no profile " + utf8::quote(id, 80));
                    }
                    std::vector<profile::ProfileVersion> visible;
                    for (auto& version : history) {
                        if (!version.removed && request.client->covers(version.residence_division)) {
                            visible.push_back(std::move(version));
                        }
                    }
                    if (visible.empty()) {
                        throw GatewayError(ErrorCode::NotFound, "no profile " + utf8::quote(id, 80));
                    }
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writer.StartObject();
                    writer.Key("versions");
                    writer.StartArray();
                    for (const auto& version : visible) {
                        writeVersion(writer, version, view);
                    }
                    writer.EndArray();
                    writer.EndObject();
                    Response response = jsonResponse(200, buffer.GetString());
                    response.persons.push_back(id);
                    return response;
                },
                kReaders, false, true});

    router.add({"GET",
                "/v1/profiles",
                "Profiles by ?division=&classification=&alert=&age_min=&age_max=&updated_since=&id_number=&name=, "
                "ordered by person ID, cursor-paged (cursor=, limit=1..500); name= matches homophones (张子涵 finds "
                "张紫涵; pinyin works too) within a division.",
                [&store, &config, &views](const Request& request) {
                    profileView(request, views);
                    const model::CalendarDate& as_of = config.as_of;
                    profile::ProfileQuery query;
                    query.with_profile_json = false;
                    query.division_prefix = scopedDivision(request);
                    query.classification = codeParameter(request, "classification", config.classification.codes());
                    query.alert = codeParameter(request, "alert", config.alerts.codes());
                    const std::string since = queryValue(request, "updated_since");
                    if (!since.empty()) {
                        // Compared as text with the stored ISO-8601 UTC times, so it must become one first.
                        Poco::DateTime parsed;
                        int zone = 0;
                        static const Poco::RegularExpression iso(
                            "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?"
                            "(Z|[+-][0-9]{2}:?[0-9]{2})?)?$");
                        if (!iso.match(since) || !Poco::DateTimeParser::tryParse(since, parsed, zone)) {
                            throw GatewayError(
                                ErrorCode::InvalidArgument,
                                "query parameter updated_since must be an ISO-8601 date or date-time, e.g. "
                                "2026-11-01T00:00:00Z");
                        }
                        parsed.makeUTC(zone);
                        query.updated_since = Poco::DateTimeFormatter::format(parsed, "%Y-%m-%dT%H:%M:%S.%iZ");
                    }
                    query.id_number = queryValue(request, "id_number");
                    if (!query.id_number.empty() &&
                        (query.id_number.size() != 18 || query.id_number.find_first_not_of("0123456789") < 17 ||
                         query.id_number.substr(17).find_first_not_of("0123456789X") != std::string::npos)) {
                        throw GatewayError(ErrorCode::InvalidArgument,
                                           "query parameter id_number must be 18 characters: 17 digits, then a digit "
                                           "or X");
                    }
                    query.after_person = queryValue(request, "cursor");
                    if (!query.after_person.empty() && !validPersonId(query.after_person)) {
                        throw GatewayError(ErrorCode::InvalidArgument,
                                           "query parameter cursor is not one this endpoint issued (use next_cursor "
                                           "of the previous page)");
                    }
                    const int age_min = static_cast<int>(integerParameter(request, "age_min", -1, 0, 150));
                    const int age_max = static_cast<int>(integerParameter(request, "age_max", -1, 0, 150));
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
                    const int limit = static_cast<int>(integerParameter(request, "limit", 100, 1, 500));
                    std::vector<profile::ProfileVersion> profiles;
                    const std::string name = queryValue(request, "name");
                    if (name.empty()) {
                        query.limit = static_cast<std::size_t>(limit) + 1;
                        profiles = store.queryProfiles(query);
                    } else {
                        // Homophone-tolerant lookup within a division: the scope is walked page by page and each
                        // name compared by its toneless pinyin (a full name, or the given name alone).
                        if (query.division_prefix.size() < 6) {
                            throw GatewayError(ErrorCode::InvalidArgument,
                                               "query parameter name looks within a division: give division= (a "
                                               "district or below)");
                        }
                        const std::string wanted = nameKey(name);
                        if (wanted.empty()) {
                            throw GatewayError(ErrorCode::InvalidArgument,
                                               "query parameter name holds no letters or characters");
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
                    Response response = jsonResponse(200, buffer.GetString());
                    for (std::size_t i = 0; i < shown; ++i) {
                        response.persons.push_back(profiles[i].person_id);
                    }
                    return response;
                },
                kReaders,
                false,
                true,
                {"division", "classification", "alert", "age_min", "age_max", "updated_since", "id_number", "name",
                 "cursor", "limit"}});

    router.add({"GET",
                "/v1/stats",
                "Counts per classification and alert for ?division= and each division one level below it (city → "
                "districts → townships → villages).",
                [&store](const Request& request) {
                    const std::string prefix = scopedDivision(request);
                    if (prefix.empty()) {
                        throw GatewayError(ErrorCode::InvalidArgument, "give division=, e.g. 320411");
                    }
                    const std::size_t child_digits = prefix.size() <= 4 ? 6 : prefix.size() <= 6 ? 9 : 12;
                    const auto counts = store.profileCounts(prefix, child_digits);
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writer.StartObject();
                    writer.Key("divisions");
                    writer.StartArray();
                    for (const profile::DivisionCounts& count : counts) {
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
                },
                {security::Role::Admin, security::Role::App},
                false,
                false,
                {"division"}});
}

}  // namespace gateway::api
