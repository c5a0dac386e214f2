#include "gateway/jobs/link_job.h"

#include "gateway/common/error.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace gateway::jobs {

namespace {

std::string recordKey(const std::string& source, const std::string& source_id) {
    return source + "/" + source_id;
}

std::string runDetail(const LinkRunReport& report) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("mode");
    writer.String(report.incremental ? "incremental" : "full");
    writer.Key("records");
    writer.Uint64(report.records);
    writer.Key("linked");
    writer.Uint64(report.dirty);
    writer.Key("changed_assignments");
    writer.Uint64(report.changed_assignments);
    writer.Key("pairs_compared");
    writer.Uint64(report.stats.pairs_compared);
    writer.Key("deterministic_links");
    writer.Uint64(report.stats.deterministic_links);
    writer.Key("scored_links");
    writer.Uint64(report.stats.probabilistic_links);
    writer.Key("held_back");
    writer.Uint64(report.stats.rejected_links);
    writer.Key("review");
    writer.Uint64(report.stats.review);
    writer.Key("persons");
    writer.Uint64(report.stats.persons);
    writer.Key("linked_through_batch");
    writer.Int64(report.linked_through_batch);
    writer.EndObject();
    return buffer.GetString();
}

/// Adds a reviewer's decision on `item`'s two records to the options, when both are in the table.
void obey(const linkage::RecordTable& table, const linkage::ReviewItem& item, const std::string& decision,
          linkage::LinkOptions& options) {
    const std::size_t a = table.find(item.left_source, item.left_id);
    const std::size_t b = table.find(item.right_source, item.right_id);
    if (a == std::string::npos || b == std::string::npos) {
        return;
    }
    const auto pair = std::make_pair(static_cast<std::uint32_t>(a), static_cast<std::uint32_t>(b));
    (decision == "link" ? options.must_link : options.cannot_link).push_back(pair);
}

}  // namespace

std::pair<std::string, std::string> splitRecordKey(const std::string& key) {
    const std::size_t slash = key.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == key.size()) {
        throw GatewayError(ErrorCode::InvalidArgument,
                           "a record is named SOURCE/SOURCE_ID, e.g. police_population/P0000123; got \"" + key + "\"");
    }
    return {key.substr(0, slash), key.substr(slash + 1)};
}

struct LinkJob::Model {
    linkage::ModelParams params;
    linkage::TermFrequencies frequencies;
};

LinkJob::LinkJob(linkage::LinkStore& links, linkage::ReviewStore& review, intake::IntakeStore& records,
                 linkage::LinkageConfig config, const Clock& clock)
    : links_(links), review_(review), records_(records), config_(std::move(config)), clock_(clock) {}

LinkJob::Model LinkJob::loadModel() {
    const linkage::LinkState state = links_.linkState();
    if (state.model_json.empty()) {
        throw GatewayError(ErrorCode::Unavailable, "no link run yet: run gateway link first");
    }
    Model model;
    linkage::modelFromJson(config_, state.model_json, model.params, model.frequencies);
    return model;
}

LinkRunReport LinkJob::run(const LinkRunOptions& options) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto progress = [&](const std::string& line) {
        if (options.progress) {
            options.progress(line);
        }
    };
    const linkage::LinkState state = links_.linkState();
    LinkRunReport report;
    report.incremental = !options.full && !state.model_json.empty();

    linkage::RecordTable table(config_);
    std::vector<std::int64_t> batch_of;
    std::size_t rejected = 0;
    std::vector<std::string> texts;
    std::vector<std::int64_t> batches;
    auto flush = [&] {
        std::vector<bool> refused(texts.size(), false);
        table.addJsonTexts(texts, options.threads, [&](std::size_t index, const std::string&) {
            refused[index] = true;  // staged records are canonical; only a config reading other fields refuses
            ++rejected;
        });
        for (std::size_t i = 0; i < texts.size(); ++i) {
            if (!refused[i]) {
                batch_of.push_back(batches[i]);
            }
        }
        texts.clear();
        batches.clear();
    };
    const std::int64_t max_batch = links_.forEachStagedRecord(0, [&](const intake::StagedRecord& record) {
        texts.push_back(record.record_json);
        batches.push_back(record.batch_id);
        if (texts.size() == 1 << 15) {
            flush();
        }
    });
    flush();
    report.records = table.size();
    report.linked_through_batch = max_batch;
    if (rejected > 0) {
        report.warnings.push_back(std::to_string(rejected) + " staged records could not be read for linking");
    }
    progress("loaded " + std::to_string(table.size()) + " staged records");

    linkage::LinkOptions link_options;
    link_options.threads = options.threads;
    link_options.progress = options.progress;
    link_options.prior_person.assign(table.size(), std::string());
    for (const linkage::PersonLink& link : links_.personLinks()) {
        const std::size_t index = table.find(link.source, link.source_id);
        if (index != std::string::npos) {
            link_options.prior_person[index] = link.person_id;
        }
    }
    for (const linkage::ReviewItem& item : review_.reviewDecisions()) {
        obey(table, item, item.decision, link_options);
    }
    Model stored;
    if (report.incremental) {
        link_options.dirty.assign(table.size(), false);
        for (std::size_t r = 0; r < table.size(); ++r) {
            const bool dirty = batch_of[r] > state.linked_through_batch || link_options.prior_person[r].empty();
            link_options.dirty[r] = dirty;
            report.dirty += dirty ? 1 : 0;
        }
        if (report.dirty == 0) {
            progress("nothing staged since the last run");
            return report;
        }
        stored = loadModel();
        link_options.model = stored.params;
        link_options.frequencies = &stored.frequencies;
    } else {
        report.dirty = table.size();
    }

    const linkage::LinkResult result = linkage::link(table, link_options);
    report.stats = result.stats;
    report.warnings.insert(report.warnings.end(), result.warnings.begin(), result.warnings.end());

    linkage::LinkRunCommit commit;
    for (std::size_t r = 0; r < table.size(); ++r) {
        if (result.person[r] != link_options.prior_person[r]) {
            commit.assignments.push_back({table.sourceName(table.source(r)), table.sourceId(r), result.person[r]});
        }
    }
    report.changed_assignments = commit.assignments.size();
    const linkage::ScoringModel model(table, result.model, link_options.frequencies);
    const std::string at = formatIso(clock_.now());
    for (const linkage::ReviewCandidate& candidate : result.review) {
        linkage::ReviewItem item;
        item.left_source = table.sourceName(table.source(candidate.a));
        item.left_id = table.sourceId(candidate.a);
        item.right_source = table.sourceName(table.source(candidate.b));
        item.right_id = table.sourceId(candidate.b);
        item.pair_id = linkage::reviewPairId(item.left_source, item.left_id, item.right_source, item.right_id);
        item.weight = candidate.weight;
        item.reason = candidate.reason;
        item.explanation_json = model.explain(candidate.a, candidate.b).toJson();
        item.created_at = at;
        commit.review.push_back(std::move(item));
    }
    commit.replace_open_review = !report.incremental;
    commit.model_json = report.incremental
                            ? state.model_json
                            : linkage::modelToJson(config_, result.model, linkage::TermFrequencies::fromTable(table));
    commit.linked_through_batch = max_batch;
    commit.at = at;
    commit.actor = options.actor;
    commit.detail_json = runDetail(report);
    links_.commitLinkRun(commit);
    progress("recorded: " + std::to_string(commit.assignments.size()) + " assignments changed, " +
             std::to_string(commit.review.size()) + " pairs for review");
    return report;
}

linkage::PairExplanation LinkJob::explain(const std::string& left_key, const std::string& right_key) {
    const Model model = loadModel();
    linkage::RecordTable table(config_);
    for (const std::string& key : {left_key, right_key}) {
        const auto [source, source_id] = splitRecordKey(key);
        const auto record = records_.sourceRecord(source, source_id);
        if (!record) {
            throw GatewayError(ErrorCode::NotFound, "no staged record " + key);
        }
        const std::string error = table.addJson(record->record_json);
        if (!error.empty()) {
            throw GatewayError(ErrorCode::InvalidArgument, key + ": " + error);
        }
    }
    const linkage::ScoringModel scoring(table, model.params, &model.frequencies);
    return scoring.explain(0, 1);
}

linkage::ReviewItem LinkJob::decide(const linkage::ReviewDecision& decision) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (decision.reviewer.empty()) {
        throw GatewayError(ErrorCode::InvalidArgument, "a decision names its reviewer");
    }
    if (decision.decision != "link" && decision.decision != "no_link") {
        throw GatewayError(ErrorCode::InvalidArgument,
                           "decision must be \"link\" or \"no_link\", not \"" + decision.decision + "\"");
    }
    const auto item = review_.reviewItem(decision.pair_id);
    if (!item) {
        throw GatewayError(ErrorCode::NotFound, "no review pair " + decision.pair_id);
    }
    // Re-link the records of the two persons involved, with every decision touching them and this one: the
    // larger part of a split keeps its person ID, a merge keeps the larger person's.
    std::vector<linkage::PersonLink> members;
    std::unordered_set<std::string> seen;
    for (const auto& [source, source_id] :
         {std::make_pair(item->left_source, item->left_id), std::make_pair(item->right_source, item->right_id)}) {
        const auto person = links_.personOf(source, source_id);
        std::vector<linkage::PersonLink> records =
            person ? links_.personRecords(*person) : std::vector<linkage::PersonLink>{{source, source_id, ""}};
        for (linkage::PersonLink& link : records) {
            if (seen.insert(recordKey(link.source, link.source_id)).second) {
                members.push_back(std::move(link));
            }
        }
    }
    std::vector<linkage::PersonLink> assignments;
    if (!links_.linkState().model_json.empty()) {
        const Model model = loadModel();
        linkage::RecordTable table(config_);
        linkage::LinkOptions options;
        options.threads = 1;
        options.model = model.params;
        options.frequencies = &model.frequencies;
        options.person_id_taken = [this, &seen](const std::string& id) {
            const auto records = links_.personRecords(id);
            return std::any_of(records.begin(), records.end(), [&seen](const linkage::PersonLink& link) {
                return !seen.contains(recordKey(link.source, link.source_id));
            });
        };
        for (const linkage::PersonLink& link : members) {
            const auto record = records_.sourceRecord(link.source, link.source_id);
            if (record && table.addJson(record->record_json).empty()) {
                options.prior_person.push_back(link.person_id);
            }
        }
        for (const linkage::ReviewItem& earlier : review_.reviewDecisions()) {
            if (earlier.pair_id != decision.pair_id) {
                obey(table, earlier, earlier.decision, options);
            }
        }
        obey(table, *item, decision.decision, options);
        const linkage::LinkResult result = linkage::link(table, options);
        for (std::size_t r = 0; r < table.size(); ++r) {
            if (result.person[r] != options.prior_person[r]) {
                assignments.push_back({table.sourceName(table.source(r)), table.sourceId(r), result.person[r]});
            }
        }
    }
    linkage::ReviewDecision recorded = decision;
    if (recorded.at.empty()) {
        recorded.at = formatIso(clock_.now());
    }
    return review_.decideReview(recorded, assignments);
}

linkage::ReviewItem LinkJob::decidePair(const std::string& left_key, const std::string& right_key,
                                        linkage::ReviewDecision decision) {
    linkage::ReviewItem item;
    std::tie(item.left_source, item.left_id) = splitRecordKey(left_key);
    std::tie(item.right_source, item.right_id) = splitRecordKey(right_key);
    if (left_key == right_key) {
        throw GatewayError(ErrorCode::InvalidArgument,
                           "a pair needs two different records, not " + left_key + " twice");
    }
    for (const std::string& key : {left_key, right_key}) {
        const auto [source, source_id] = splitRecordKey(key);
        if (!records_.sourceRecord(source, source_id)) {
            throw GatewayError(ErrorCode::NotFound, "no staged record " + key);
        }
    }
    item.pair_id = linkage::reviewPairId(item.left_source, item.left_id, item.right_source, item.right_id);
    item.reason = "reviewer";
    item.explanation_json = "{}";
    if (!links_.linkState().model_json.empty()) {
        const linkage::PairExplanation explanation = explain(left_key, right_key);
        item.weight = explanation.weight;
        item.explanation_json = explanation.toJson();
    }
    decision.pair_id = review_.openReviewPair(item).pair_id;
    return decide(decision);
}

}  // namespace gateway::jobs
