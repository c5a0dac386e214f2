#include "gateway/store/port_checks.h"

#include "gateway/common/error.h"
#include "gateway/common/json_parse.h"
#include "gateway/common/utf8.h"
#include "gateway/store/sql_store_internal.h"
#include "gateway/store/text_checks.h"

#include <cmath>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>

namespace gateway::store {

using audit::ExchangeLogEntry;
using intake::BatchCommit;
using intake::QuarantinedRecord;
using intake::StagedRecord;
using linkage::LinkRunCommit;
using linkage::PersonLink;
using linkage::ReviewDecision;
using linkage::ReviewItem;
using profile::ProfileVersion;

namespace {

GatewayError foreignSource(const std::string& where, const std::string& owner_source, const std::string& batch_source) {
    return GatewayError(ErrorCode::InvalidArgument, where + " belongs to source " + utf8::quote(owner_source) +
                                                        ", the batch to " + utf8::quote(batch_source));
}

/// Raw JSON the store embeds in a log entry as it is: it must be one object.
template <typename Where>
void requireJsonObject(std::string_view field, std::string_view text, const Where& where) {
    requireText(field, text, where);
    rapidjson::Document document;
    const JsonParseResult parsed = parseJsonLimited(text, document);
    if (!parsed || !document.IsObject()) {
        throw GatewayError(ErrorCode::InvalidArgument, std::string(field) + " of " + describe(where) +
                                                           " is not a JSON object" +
                                                           (parsed ? std::string() : ": " + parsed.error));
    }
}

template <typename Where>
void validateCodes(std::string_view field, const std::vector<std::string>& codes, const Where& where) {
    for (const std::string& code : codes) {
        requireNonEmptyText(field, code, where);
        if (code.find(kCodeSeparator) != std::string::npos) {
            throw GatewayError(ErrorCode::InvalidArgument, std::string(field) + " " + utf8::quote(code) + " of " +
                                                               where() + " contains '" + kCodeSeparator + "'");
        }
    }
}

}  // namespace

void validateBatch(const BatchCommit& batch) {
    const std::string& source = batch.raw.source;
    if (source.empty()) {
        throw GatewayError(ErrorCode::InvalidArgument, "batch has no source");
    }
    const auto the_batch = [] { return std::string("the batch"); };
    requireText("source", source, the_batch);
    requireText("received_at", batch.raw.received_at, the_batch);
    requireText("sha256", batch.raw.sha256, the_batch);
    requireText("new_watermark", batch.new_watermark, the_batch);
    requireText("actor", batch.actor, the_batch);
    if (batch.expected_watermark) {
        requireText("expected_watermark", *batch.expected_watermark, the_batch);
    }
    for (const StagedRecord& record : batch.records) {
        const auto where = [&] { return "record " + utf8::quote(record.source_id); };
        if (record.source != source) {
            throw foreignSource(where(), record.source, source);
        }
        requireText("source_id", record.source_id, where);
        requireText("observed_at", record.observed_at, where);
        requireText("record_json", record.record_json, where);
        requireText("content_hash", record.content_hash, where);
    }
    for (const QuarantinedRecord& row : batch.quarantined) {
        const auto where = [&] { return "quarantined row " + utf8::quote(row.locator); };
        if (row.source != source) {
            throw foreignSource(where(), row.source, source);
        }
        requireText("locator", row.locator, where);
        requireText("reason", row.reason, where);
    }
}

void validateLinks(const std::vector<PersonLink>& links) {
    for (const PersonLink& link : links) {
        const auto where = [&] {
            return "the assignment of record " + utf8::quote(link.source_id) + " of " + utf8::quote(link.source);
        };
        requireNonEmptyText("source", link.source, where);
        requireText("source_id", link.source_id, where);
        requireNonEmptyText("person_id", link.person_id, where);
    }
}

void validateReviewItem(const ReviewItem& item) {
    const auto where = [&] { return "review pair " + utf8::quote(item.pair_id); };
    requireNonEmptyText("pair_id", item.pair_id, where);
    requireNonEmptyText("left_source", item.left_source, where);
    requireText("left_id", item.left_id, where);
    requireNonEmptyText("right_source", item.right_source, where);
    requireText("right_id", item.right_id, where);
    requireText("reason", item.reason, where);
    requireText("explanation_json", item.explanation_json, where);
    requireText("created_at", item.created_at, where);
    if (!std::isfinite(item.weight)) {
        throw GatewayError(ErrorCode::InvalidArgument, "weight of " + where() + " is not a finite number");
    }
}

void validateLinkRun(const LinkRunCommit& run) {
    const auto the_run = [] { return std::string("the link run"); };
    requireText("at", run.at, the_run);
    requireText("actor", run.actor, the_run);
    requireText("model_json", run.model_json, the_run);
    requireText("detail_json", run.detail_json, the_run);
    if (run.linked_through_batch < 0) {
        throw GatewayError(ErrorCode::InvalidArgument, "linked_through_batch of the link run is negative");
    }
    validateLinks(run.assignments);
    for (const ReviewItem& item : run.review) {
        validateReviewItem(item);
    }
}

void validateDecision(const ReviewDecision& decision) {
    const auto where = [&] { return "the decision on review pair " + utf8::quote(decision.pair_id); };
    requireNonEmptyText("pair_id", decision.pair_id, where);
    if (decision.decision != "link" && decision.decision != "no_link") {
        throw GatewayError(
            ErrorCode::InvalidArgument,
            "decision of " + where() + " must be \"link\" or \"no_link\", not " + utf8::quote(decision.decision));
    }
    requireText("reviewer", decision.reviewer, where);
    requireText("comment", decision.comment, where);
    requireText("at", decision.at, where);
}

void validateProfiles(const std::vector<ProfileVersion>& profiles, std::string_view actor) {
    requireText("actor", actor, [] { return std::string("the profile commit"); });
    std::unordered_set<std::string_view> seen;
    seen.reserve(profiles.size());
    for (const ProfileVersion& profile : profiles) {
        const auto where = [&] { return "profile " + utf8::quote(profile.person_id); };
        requireNonEmptyText("person_id", profile.person_id, where);
        requireText("built_at", profile.built_at, where);
        requireText("profile_json", profile.profile_json, where);
        requireNonEmptyText("content_hash", profile.content_hash, where);
        requireText("name", profile.name, where);
        requireText("id_number", profile.id_number, where);
        requireText("birth_date", profile.birth_date, where);
        requireText("residence_division", profile.residence_division, where);
        requireText("correction_json", profile.correction_json, where);
        requireText("hukou_division", profile.hukou_division, where);
        requireText("removed_reason", profile.removed_reason, where);
        requireText("removed_on", profile.removed_on, where);
        validateCodes("classification", profile.classifications, where);
        validateCodes("alert", profile.alerts, where);
        if (!seen.insert(profile.person_id).second) {
            throw GatewayError(ErrorCode::InvalidArgument, where() + " appears more than once in one commit");
        }
    }
}

void validateProfileQuery(const profile::ProfileQuery& query) {
    requireDivisionPrefix(query.division_prefix);
    for (const auto& [field, value] :
         {std::pair<const char*, const std::string*>{"classification", &query.classification},
          {"alert", &query.alert},
          {"born_after", &query.born_after},
          {"born_on_or_before", &query.born_on_or_before},
          {"updated_since", &query.updated_since},
          {"id_number", &query.id_number},
          {"after_person", &query.after_person}}) {
        requireText(field, *value, "the profile query");
    }
}

void validateLogEntry(const ExchangeLogEntry& entry) {
    const auto where = [&] { return "exchange log entry " + utf8::quote(entry.action); };
    requireText("at", entry.at, where);
    requireText("actor", entry.actor, where);
    requireText("action", entry.action, where);
    requireText("subject", entry.subject, where);
    requireText("detail_json", entry.detail_json, where);
    for (const std::string& person : entry.persons) {
        requireNonEmptyText("person", person, where);
        // The persons column holds them as "|a|b|".
        if (person.find(kCodeSeparator) != std::string::npos) {
            throw GatewayError(ErrorCode::InvalidArgument, "person " + utf8::quote(person) + " of " + where() +
                                                               " contains '" + kCodeSeparator + "'");
        }
    }
}

}  // namespace gateway::store

namespace gateway::store {

void validateReconcileRun(const reconcile::ReconcileRun& run) {
    const auto where = [&] { return "reconcile run " + std::to_string(run.id); };
    requireNonEmptyText("node", run.node, where);
    requireNonEmptyText("trigger", run.trigger, where);
    requireNonEmptyText("started_at", run.started_at, where);
    requireNonEmptyText("as_of", run.as_of, where);
    requireText("finished_at", run.finished_at, where);
    requireText("error", run.error, where);
    if (run.status != "running" && run.status != "succeeded" && run.status != "failed") {
        throw GatewayError(ErrorCode::InvalidArgument, "status " + utf8::quote(run.status) + " of " + where() +
                                                           " is none of running, succeeded, failed");
    }
    requireJsonObject("summary_json", run.summary_json, where);
}

void validateFindings(const std::vector<reconcile::Finding>& findings) {
    for (const reconcile::Finding& finding : findings) {
        const auto where = [&] {
            return "the " + utf8::quote(finding.kind) + " finding on " +
                   utf8::quote(finding.source.empty() ? finding.person_id : finding.source + "/" + finding.source_id);
        };
        requireNonEmptyText("kind", finding.kind, where);
        requireText("source", finding.source, where);
        requireText("source_id", finding.source_id, where);
        requireText("person_id", finding.person_id, where);
        requireText("division", finding.division, where);
        requireDivisionPrefix(finding.division);
        if (finding.source.empty() != finding.source_id.empty() ||
            (finding.source.empty() && finding.person_id.empty())) {
            throw GatewayError(ErrorCode::InvalidArgument,
                               where() + " names neither a record (source and source_id) nor a person");
        }
        requireJsonObject("detail_json", finding.detail_json, where);
        if (!finding.repair.empty() && finding.repair != "restaged" && finding.repair != "retired") {
            throw GatewayError(ErrorCode::InvalidArgument, "repair " + utf8::quote(finding.repair) + " of " + where() +
                                                               " is none of restaged, retired");
        }
    }
}

void validateRepair(const std::string& source, const std::string& kind, const std::string& repair) {
    const auto where = [&] { return "the repair of " + utf8::quote(kind) + " findings of " + utf8::quote(source); };
    requireNonEmptyText("source", source, where);
    requireNonEmptyText("kind", kind, where);
    if (repair != "restaged" && repair != "retired") {
        throw GatewayError(ErrorCode::InvalidArgument,
                           "repair " + utf8::quote(repair) + " of " + where() + " is none of restaged, retired");
    }
}

void validateRetirement(const reconcile::RecordRetirement& retirement) {
    const auto where = [&] { return "the retirement of records of " + utf8::quote(retirement.source); };
    requireNonEmptyText("source", retirement.source, where);
    requireNonEmptyText("reason", retirement.reason, where);
    requireNonEmptyText("at", retirement.at, where);
    requireNonEmptyText("actor", retirement.actor, where);
    for (const std::string& id : retirement.source_ids) {
        requireNonEmptyText("source_id", id, where);
    }
}

}  // namespace gateway::store
