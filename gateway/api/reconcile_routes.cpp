#include "gateway/api/reconcile_routes.h"

#include "gateway/api/parameters.h"
#include "gateway/api/scope.h"
#include "gateway/common/error.h"
#include "gateway/common/format.h"
#include "gateway/common/json_parse.h"
#include "gateway/common/json_writer.h"
#include "gateway/common/utf8.h"
#include "gateway/reconcile/report_html.h"

#include <map>
#include <set>

namespace gateway::api {

namespace {

using reconcile::Finding;
using reconcile::FindingCount;
using reconcile::ReconcileRun;

const std::set<security::Role> kRunReaders{security::Role::Admin, security::Role::Operator, security::Role::App,
                                           security::Role::Auditor};
const std::set<security::Role> kFindingReaders{security::Role::Admin, security::Role::App};

/// Findings read a page at a time for a CSV.
constexpr std::size_t kCsvPage = 5000;

/// The run named in the path; 404 for an id that is not a run.
ReconcileRun pathRun(reconcile::ReconcileStore& store, const Request& request) {
    const std::string& text = request.path_params.at("id");
    std::int64_t id = 0;
    for (char c : text) {
        if (c < '0' || c > '9' || id > (INT64_MAX - 9) / 10) {
            throw GatewayError(ErrorCode::NotFound, "no reconcile run " + utf8::quote(text, 40));
        }
        id = id * 10 + (c - '0');
    }
    auto run = text.empty() ? std::nullopt : store.reconcileRun(id);
    if (!run) {
        throw GatewayError(ErrorCode::NotFound, "no reconcile run " + utf8::quote(text, 40));
    }
    return std::move(*run);
}

/// The kind= parameter: one of the kinds a run records, or empty.
std::string kindParameter(const Request& request, const std::vector<std::pair<std::string, std::string>>& kinds) {
    const std::string kind = queryValue(request, "kind");
    if (kind.empty()) {
        return kind;
    }
    std::string known;
    for (const auto& [code, label] : kinds) {
        if (code == kind) {
            return kind;
        }
        known += (known.empty() ? "" : ", ") + code;
    }
    throw GatewayError(ErrorCode::InvalidArgument,
                       "query parameter kind " + utf8::quote(kind) + " is not one of: " + known);
}

/// The digits of the parts a scope is counted in: townships for a district or more, villages for a township.
std::size_t partDigits(const std::string& division) {
    return division.size() < 9 ? 9 : 12;
}

std::string divisionName(const model::DivisionDirectory& divisions, const std::string& prefix) {
    if (prefix.empty()) {
        return {};
    }
    std::string code = prefix;
    code.resize(12, '0');
    const auto parsed = model::DivisionCode::parse(code);
    if (!parsed) {
        return {};
    }
    return divisions.name(*parsed.code).value_or("");
}

void writeRun(json::Writer& writer, const ReconcileRun& run) {
    json::field(writer, "id", run.id);
    json::field(writer, "status", run.status);
    json::field(writer, "trigger", run.trigger);
    json::field(writer, "node", run.node);
    json::field(writer, "as_of", run.as_of);
    json::key(writer, "repair");
    writer.Bool(run.repair);
    json::field(writer, "started_at", run.started_at);
    json::field(writer, "finished_at", run.finished_at);
    json::field(writer, "error", run.error);
}

/// {"kind": count, …} over `counts` (one per kind when counted without parts).
void writeKindCounts(json::Writer& writer, const std::vector<FindingCount>& counts) {
    std::map<std::string, std::int64_t> by_kind;
    for (const FindingCount& count : counts) {
        by_kind[count.kind] += count.count;
    }
    writer.StartObject();
    for (const auto& [kind, count] : by_kind) {
        json::field(writer, kind, count);
    }
    writer.EndObject();
}

std::string recordsOf(const Finding& finding, std::string& reasons, std::string& departments) {
    if (!finding.source.empty()) {
        return finding.source + "/" + finding.source_id;
    }
    rapidjson::Document detail;
    parseJsonLimited(finding.detail_json, detail);
    std::string records;
    const auto join = [&detail](const char* member, const char* separator) {
        std::string text;
        if (detail.IsObject() && detail.HasMember(member) && detail[member].IsArray()) {
            for (const auto& item : detail[member].GetArray()) {
                if (item.IsString()) {
                    text += (text.empty() ? "" : separator) + std::string(item.GetString(), item.GetStringLength());
                }
            }
        }
        return text;
    };
    reasons = join("reasons", "；");
    departments = join("departments", "、");
    return join("records", " ");
}

}  // namespace

void addReconcileRoutes(Router& router, reconcile::ReconcileStore& store, profile::ProfileStore& profiles,
                        const profile::ProfileViews& views, const model::DivisionDirectory& divisions,
                        const reconcile::GapRules& rules, const Clock& clock) {
    const auto kinds =
        std::make_shared<const std::vector<std::pair<std::string, std::string>>>(reconcile::findingKinds(rules));

    router.add({"GET",
                "/v1/reconciliations",
                "The reconcile runs, newest first, each with its findings per kind within the caller's scope (or "
                "?division=); cursor-paged by run id (cursor=, limit=1..100).",
                [&store](const Request& request) {
                    const std::string division = scopedDivision(request);
                    const std::int64_t before = integerParameter(request, "cursor", 0, 0, INT64_MAX);
                    const auto limit = static_cast<std::size_t>(integerParameter(request, "limit", 30, 1, 100));
                    const std::vector<ReconcileRun> runs = store.reconcileRuns(before, limit);
                    json::Text text;
                    json::Writer& writer = text.writer();
                    writer.StartObject();
                    json::field(writer, "division", division);
                    json::key(writer, "runs");
                    writer.StartArray();
                    for (const ReconcileRun& run : runs) {
                        writer.StartObject();
                        writeRun(writer, run);
                        json::key(writer, "findings");
                        writeKindCounts(writer, store.findingCounts(run.id, division, 0));
                        writer.EndObject();
                    }
                    writer.EndArray();
                    json::key(writer, "next_cursor");
                    if (runs.size() == limit && runs.back().id > 1) {
                        writer.Int64(runs.back().id);
                    } else {
                        writer.Null();
                    }
                    writer.EndObject();
                    return jsonResponse(200, text.str());
                },
                kRunReaders,
                false,
                false,
                {"division", "cursor", "limit"}});

    router.add({"GET",
                "/v1/reconciliations/{id}",
                "One reconcile run: its summary (per source, and across departments), and its findings within the "
                "caller's scope (or ?division=) per kind, and per township (per village for a township).",
                [&store, &divisions, kinds](const Request& request) {
                    const ReconcileRun run = pathRun(store, request);
                    const std::string division = scopedDivision(request);
                    json::Text text;
                    json::Writer& writer = text.writer();
                    writer.StartObject();
                    writeRun(writer, run);
                    json::key(writer, "summary");
                    writer.RawValue(run.summary_json.data(), run.summary_json.size(), rapidjson::kObjectType);
                    json::field(writer, "division", division);
                    json::field(writer, "division_name", divisionName(divisions, division));
                    json::key(writer, "kinds");
                    writer.StartObject();
                    for (const auto& [code, label] : *kinds) {
                        json::field(writer, code, label);
                    }
                    writer.EndObject();
                    json::key(writer, "findings");
                    writeKindCounts(writer, store.findingCounts(run.id, division, 0));
                    json::key(writer, "parts");
                    writer.StartArray();
                    const auto counts = store.findingCounts(run.id, division, partDigits(division));
                    for (std::size_t i = 0; i < counts.size();) {
                        const std::string part = counts[i].part;
                        std::vector<FindingCount> of_part;
                        for (; i < counts.size() && counts[i].part == part; ++i) {
                            of_part.push_back(counts[i]);
                        }
                        writer.StartObject();
                        json::field(writer, "division", part);
                        json::field(writer, "name", divisionName(divisions, part));
                        json::key(writer, "findings");
                        writeKindCounts(writer, of_part);
                        writer.EndObject();
                    }
                    writer.EndArray();
                    writer.EndObject();
                    return jsonResponse(200, text.str());
                },
                kRunReaders,
                false,
                false,
                {"division"}});

    router.add({"GET",
                "/v1/reconciliations/{id}/report.html",
                "The report of one run for the caller's scope (or ?division=) as one self-contained HTML page in "
                "Chinese: totals per kind, a table and a chart of the findings per township (per village for a "
                "township), and a chart of the findings over the last 30 runs.",
                [&store, &divisions, &clock, kinds](const Request& request) {
                    const ReconcileRun run = pathRun(store, request);
                    reconcile::ReportData data;
                    data.division = scopedDivision(request);
                    data.division_name = divisionName(divisions, data.division);
                    data.kinds = *kinds;
                    for (const FindingCount& count : store.findingCounts(run.id, data.division, 0)) {
                        data.totals[count.kind] += count.count;
                    }
                    std::string part;
                    for (const FindingCount& count :
                         store.findingCounts(run.id, data.division, partDigits(data.division))) {
                        if (data.parts.empty() || count.part != part) {
                            part = count.part;
                            std::string code = part;
                            code.resize(12, '0');
                            data.parts.push_back({code, divisionName(divisions, part), {}});
                        }
                        data.parts.back().by_kind[count.kind] += count.count;
                    }
                    // The runs up to this one, oldest first.
                    const std::vector<ReconcileRun> earlier = store.reconcileRuns(run.id + 1, 30);
                    for (auto it = earlier.rbegin(); it != earlier.rend(); ++it) {
                        std::int64_t findings = 0;
                        for (const FindingCount& count : store.findingCounts(it->id, data.division, 0)) {
                            findings += count.count;
                        }
                        data.trend.push_back({it->id, it->as_of, it->status, findings});
                    }
                    data.generated_at = formatIso(clock.now());
                    data.run = run;
                    Response response;
                    response.status = 200;
                    response.content_type = "text/html; charset=utf-8";
                    response.body = reconcile::renderReportHtml(data);
                    return response;
                },
                kRunReaders,
                false,
                false,
                {"division"}});

    router.add({"GET",
                "/v1/reconciliations/{id}/findings",
                "The findings of one run within the caller's scope (or ?division=), of one kind (?kind=), in id "
                "order, cursor-paged (cursor=, limit=1..1000): the child, the division, the departments, the rule "
                "and its evidence, or the record a source and the gateway disagree on.",
                [&store, &views, kinds](const Request& request) {
                    profileView(request, views);
                    const ReconcileRun run = pathRun(store, request);
                    reconcile::FindingQuery query;
                    query.run_id = run.id;
                    query.division = scopedDivision(request);
                    query.kind = kindParameter(request, *kinds);
                    query.after_id = integerParameter(request, "cursor", 0, 0, INT64_MAX);
                    query.limit = static_cast<std::size_t>(integerParameter(request, "limit", 100, 1, 1000));
                    const std::vector<Finding> found = store.findings(query);
                    Response response;
                    json::Text text;
                    json::Writer& writer = text.writer();
                    writer.StartObject();
                    json::key(writer, "findings");
                    writer.StartArray();
                    std::set<std::string> persons;
                    for (const Finding& finding : found) {
                        writer.StartObject();
                        json::field(writer, "id", finding.id);
                        json::field(writer, "kind", finding.kind);
                        if (!finding.source.empty()) {
                            json::field(writer, "source", finding.source);
                            json::field(writer, "source_id", finding.source_id);
                        }
                        json::field(writer, "person_id", finding.person_id);
                        json::field(writer, "division", finding.division);
                        json::field(writer, "repair", finding.repair);
                        json::key(writer, "detail");
                        writer.RawValue(finding.detail_json.data(), finding.detail_json.size(), rapidjson::kObjectType);
                        writer.EndObject();
                        if (!finding.person_id.empty()) {
                            persons.insert(finding.person_id);
                        }
                    }
                    writer.EndArray();
                    json::key(writer, "next_cursor");
                    if (found.size() == query.limit) {
                        writer.Int64(found.back().id);
                    } else {
                        writer.Null();
                    }
                    writer.EndObject();
                    response = jsonResponse(200, text.str());
                    response.persons.assign(persons.begin(), persons.end());
                    return response;
                },
                kFindingReaders,
                false,
                true,
                {"division", "kind", "cursor", "limit"}});

    router.add({"GET",
                "/v1/reconciliations/{id}/findings.csv",
                "The findings of one run of one kind (?kind=, required) within the caller's scope (or ?division=) as "
                "CSV in UTF-8 with a byte-order mark, so that a spreadsheet opens the Chinese right: one line per "
                "child or record, with its name, township and village, departments, reasons and records.",
                [&store, &profiles, &views, &divisions, kinds](const Request& request) {
                    profileView(request, views);
                    const ReconcileRun run = pathRun(store, request);
                    reconcile::FindingQuery query;
                    query.run_id = run.id;
                    query.division = scopedDivision(request);
                    query.kind = kindParameter(request, *kinds);
                    if (query.kind.empty()) {
                        throw GatewayError(ErrorCode::InvalidArgument,
                                           "give kind=: one list per kind of finding, for the clerk who acts on it");
                    }
                    query.limit = kCsvPage;
                    std::string label;
                    for (const auto& [code, text] : *kinds) {
                        if (code == query.kind) {
                            label = text;
                        }
                    }
                    std::string csv = "\xEF\xBB\xBF";
                    csv +=
                        "编号,发现类型,儿童编号,姓名,出生日期,乡镇（街道）代码,乡镇（街道）,村（社区）代码,村（社区）,"
                        "涉及部门,依据,记录,处理\r\n";
                    std::set<std::string> persons;
                    std::map<std::string, std::string> names;  // division prefix → name
                    const auto nameOf = [&](const std::string& prefix) -> const std::string& {
                        auto it = names.find(prefix);
                        if (it == names.end()) {
                            it = names.emplace(prefix, divisionName(divisions, prefix)).first;
                        }
                        return it->second;
                    };
                    for (;;) {
                        const std::vector<Finding> page = store.findings(query);
                        for (const Finding& finding : page) {
                            std::string name;
                            std::string birth;
                            if (!finding.person_id.empty()) {
                                persons.insert(finding.person_id);
                                if (const auto profile = profiles.profile(finding.person_id);
                                    profile && !profile->removed) {
                                    name = profile->name;
                                    birth = profile->birth_date;
                                }
                            }
                            const std::string township =
                                finding.division.size() == 12 ? finding.division.substr(0, 9) + "000" : "";
                            std::string reasons;
                            std::string departments;
                            const std::string records = recordsOf(finding, reasons, departments);
                            csv += std::to_string(finding.id) + "," + csvCell(label) + "," +
                                   csvCell(finding.person_id) + "," + csvCell(name) + "," + csvCell(birth) + "," +
                                   csvCell(township) + "," + csvCell(nameOf(township.substr(0, 9))) + "," +
                                   csvCell(finding.division) + "," + csvCell(nameOf(finding.division)) + "," +
                                   csvCell(departments.empty() ? finding.source : departments) + "," +
                                   csvCell(reasons) + "," + csvCell(records) + "," + csvCell(finding.repair) + "\r\n";
                        }
                        if (page.size() < query.limit) {
                            break;
                        }
                        query.after_id = page.back().id;
                    }
                    Response response;
                    response.status = 200;
                    response.content_type = "text/csv; charset=utf-8";
                    response.body = std::move(csv);
                    response.headers.emplace_back(
                        "Content-Disposition",
                        "attachment; filename=\"reconcile-" + std::to_string(run.id) + "-" + query.kind + ".csv\"");
                    response.persons.assign(persons.begin(), persons.end());
                    return response;
                },
                kFindingReaders,
                false,
                true,
                {"division", "kind"}});
}

}  // namespace gateway::api
