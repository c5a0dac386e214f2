#include "gateway/store/log_details.h"

#include "gateway/common/json_writer.h"

#include <cstdint>
#include <utility>

namespace gateway::store {

using intake::BatchCommit;
using intake::CommitResult;
using intake::SyncRun;
using linkage::ReviewDecision;
using linkage::ReviewItem;
using profile::ProfileVersion;
using profile::PurgeOutcome;

std::string pullDetail(const BatchCommit& batch, const CommitResult& result) {
    json::Text text;
    json::Writer& writer = text.writer();
    writer.StartObject();
    json::field(writer, "batch_id", result.batch_id);
    json::field(writer, "received_at", batch.raw.received_at);
    json::field(writer, "sha256", batch.raw.sha256);
    json::field(writer, "bytes", static_cast<std::int64_t>(batch.raw.payload.size()));
    json::field(writer, "records", static_cast<std::int64_t>(batch.records.size()));
    json::field(writer, "inserted", result.inserted);
    json::field(writer, "updated", result.updated);
    json::field(writer, "unchanged", result.unchanged);
    json::field(writer, "quarantined", result.quarantined);
    json::key(writer, "watermark_from");
    if (batch.expected_watermark) {
        json::string(writer, *batch.expected_watermark);
    } else {
        writer.Null();
    }
    json::field(writer, "watermark_to", batch.new_watermark);
    writer.EndObject();
    return text.str();
}

std::string syncRunDetail(const SyncRun& run) {
    json::Text text;
    json::Writer& writer = text.writer();
    writer.StartObject();
    json::field(writer, "run", run.id);
    json::field(writer, "node", run.node);
    json::field(writer, "trigger", run.trigger);
    json::field(writer, "status", run.status);
    for (const auto& [key, value] : {std::pair<const char*, std::int64_t>{"batches", run.batches},
                                     {"pulled", run.pulled},
                                     {"inserted", run.inserted},
                                     {"updated", run.updated},
                                     {"unchanged", run.unchanged},
                                     {"quarantined", run.quarantined}}) {
        json::field(writer, key, value);
    }
    json::field(writer, "started_at", run.started_at);
    json::field(writer, "error", run.error);
    writer.EndObject();
    return text.str();
}

std::string decisionDetail(const ReviewDecision& decision, const ReviewItem& item, std::size_t assignments) {
    json::Text text;
    json::Writer& writer = text.writer();
    const auto recordKey = [&writer](const char* name, std::string_view source, std::string_view source_id) {
        json::key(writer, name);
        writer.StartObject();
        json::field(writer, "source", source);
        json::field(writer, "source_id", source_id);
        writer.EndObject();
    };
    writer.StartObject();
    json::field(writer, "pair_id", decision.pair_id);
    json::field(writer, "decision", decision.decision);
    json::field(writer, "reviewer", decision.reviewer);
    json::field(writer, "comment", decision.comment);
    recordKey("left", item.left_source, item.left_id);
    recordKey("right", item.right_source, item.right_id);
    json::field(writer, "assignments", static_cast<std::int64_t>(assignments));
    writer.EndObject();
    return text.str();
}

std::string versionDetail(const ProfileVersion& profile) {
    json::Text text;
    json::Writer& writer = text.writer();
    writer.StartObject();
    json::field(writer, "version", profile.version);
    json::field(writer, "content_hash", profile.content_hash);
    json::key(writer, "removed");
    writer.Bool(profile.removed);
    writer.EndObject();
    return text.str();
}

std::string purgeDetail(const PurgeOutcome& outcome) {
    json::Text text;
    json::Writer& writer = text.writer();
    writer.StartObject();
    json::field(writer, "removed_on", outcome.removed_on);
    json::field(writer, "versions", outcome.versions);
    json::field(writer, "records", outcome.records);
    json::field(writer, "review_pairs", outcome.review_pairs);
    writer.EndObject();
    return text.str();
}

}  // namespace gateway::store

namespace gateway::store {

std::string reconcileRunDetail(const reconcile::ReconcileRun& run) {
    json::Text text;
    json::Writer& writer = text.writer();
    writer.StartObject();
    json::field(writer, "run", run.id);
    json::field(writer, "node", run.node);
    json::field(writer, "trigger", run.trigger);
    json::field(writer, "as_of", run.as_of);
    json::key(writer, "repair");
    writer.Bool(run.repair);
    json::field(writer, "status", run.status);
    json::field(writer, "started_at", run.started_at);
    json::field(writer, "error", run.error);
    json::key(writer, "summary");
    writer.RawValue(run.summary_json.data(), run.summary_json.size(), rapidjson::kObjectType);
    writer.EndObject();
    return text.str();
}

std::string retireDetail(const reconcile::RecordRetirement& retirement, const std::vector<std::string>& retired) {
    json::Text text;
    json::Writer& writer = text.writer();
    writer.StartObject();
    json::field(writer, "run", retirement.run_id);
    json::field(writer, "reason", retirement.reason);
    json::field(writer, "retired", static_cast<std::int64_t>(retired.size()));
    json::key(writer, "records");
    writer.StartArray();
    for (const std::string& id : retired) {
        json::string(writer, id);
    }
    writer.EndArray();
    writer.EndObject();
    return text.str();
}

}  // namespace gateway::store
