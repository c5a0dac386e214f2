// The record-linkage part of SqlStore: staged records streamed to the matcher, person assignments, the review queue
// and the link state.

#include "gateway/common/redact.h"
#include "gateway/common/utf8.h"
#include "gateway/store/log_details.h"
#include "gateway/store/port_checks.h"
#include "gateway/store/sql_store.h"
#include "gateway/store/sql_store_internal.h"

#include <Poco/Data/Statement.h>

#include <cmath>

namespace gateway::store {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

namespace {

// The key of link_state's one row, as its sealed model is bound to it.
constexpr std::string_view kLinkStateId = "1";

// Rows per keyset page of forEachStagedRecord: a few megabytes of record JSON in memory at a time.
constexpr Poco::Int64 kStagedPageRows = 5000;

constexpr const char* kReviewColumns =
    "seq, pair_id, left_source, left_id, right_source, right_id, weight, reason, explanation_json, status, "
    "created_at, decision, reviewer, comment, decided_at";

/// link_stage: the run's assignments of records to persons.
BulkRows linkStageRows(const std::vector<PersonLink>& links) {
    BulkRows rows("link_stage", links.size());
    rows.text("source", links, &PersonLink::source)
        .text("source_id", links, &PersonLink::source_id)
        .text("person_id", links, &PersonLink::person_id);
    return rows;
}

/// review_stage: the run's pairs for review in their order, each created at its own time or the run's.
BulkRows reviewStageRows(const std::vector<ReviewItem>& items, const std::string& created_at) {
    BulkRows rows("review_stage", items.size());
    rows.ordinal("ordinal", items)
        .text("pair_id", items, &ReviewItem::pair_id)
        .text("left_source", items, &ReviewItem::left_source)
        .text("left_id", items, &ReviewItem::left_id)
        .text("right_source", items, &ReviewItem::right_source)
        .text("right_id", items, &ReviewItem::right_id)
        .real("weight", items, &ReviewItem::weight)
        .text("reason", items, &ReviewItem::reason)
        .text("explanation_json", items, &ReviewItem::explanation_json)
        .text("created_at", items,
              [&created_at](const ReviewItem& item) { return item.created_at.empty() ? created_at : item.created_at; });
    return rows;
}

}  // namespace

std::int64_t SqlStore::forEachStagedRecord(std::int64_t after_batch_id,
                                           const std::function<void(const StagedRecord&)>& visit) {
    Poco::Int64 highest = 0;
    withSession("read the staged records", [&](Session& session) {
        ReadSnapshot snapshot(*this, session);
        session << "SELECT COALESCE(MAX(batch_id), 0) FROM source_records", into(highest), now;

        // Keyset paging on the primary key inside one snapshot: each page is an index range scan, however far
        // into the table it is, and no page sees a record committed after the first one was read. No source is
        // empty (commitBatch rejects that), so ('', '') is below every key.
        std::string last_source;
        std::string last_id;
        Poco::Int64 after = after_batch_id;
        Poco::Int64 page_rows = kStagedPageRows;
        for (;;) {
            std::vector<std::string> sources;
            std::vector<std::string> ids;
            std::vector<std::string> observed;
            std::vector<std::string> json;
            std::vector<std::string> hashes;
            std::vector<Poco::Int64> versions;
            std::vector<Poco::Int64> batch_ids;
            session << sql(
                "SELECT source, source_id, observed_at, record_json, content_hash, version, batch_id "
                "FROM source_records WHERE (source, source_id) > (?, ?) AND batch_id > ? "
                "ORDER BY source, source_id LIMIT ?"),
                use(last_source), use(last_id), use(after), use(page_rows), into(sources), into(ids), into(observed),
                into(json), into(hashes), into(versions), into(batch_ids), now;
            StagedRecord record;
            for (std::size_t i = 0; i < sources.size(); ++i) {
                record.source = std::move(sources[i]);
                record.source_id = std::move(ids[i]);
                record.observed_at = std::move(observed[i]);
                record.record_json = std::move(json[i]);
                unsealRecord(record);
                record.content_hash = std::move(hashes[i]);
                record.version = versions[i];
                record.batch_id = batch_ids[i];
                visit(record);
            }
            if (static_cast<Poco::Int64>(sources.size()) < page_rows) {
                break;
            }
            last_source = record.source;
            last_id = record.source_id;
        }
        snapshot.end();
    });
    return highest;
}

std::vector<PersonLink> SqlStore::personLinks() {
    std::vector<PersonLink> result;
    withSession("read the person assignments", [&](Session& session) {
        std::vector<std::string> sources;
        std::vector<std::string> ids;
        std::vector<std::string> persons;
        session << "SELECT source, source_id, person_id FROM person_links ORDER BY source, source_id", into(sources),
            into(ids), into(persons), now;
        result.reserve(sources.size());
        for (std::size_t i = 0; i < sources.size(); ++i) {
            result.push_back({std::move(sources[i]), std::move(ids[i]), std::move(persons[i])});
        }
    });
    return result;
}

std::optional<std::string> SqlStore::personOf(std::string_view source, std::string_view source_id) {
    std::optional<std::string> result;
    withSession("read the person of record " + std::string(source_id) + " of " + std::string(source),
                [&](Session& session) {
                    std::string key_source(source);
                    std::string key_id(source_id);
                    std::vector<std::string> persons;
                    session << sql("SELECT person_id FROM person_links WHERE source = ? AND source_id = ?"),
                        use(key_source), use(key_id), into(persons), now;
                    if (!persons.empty()) {
                        result = std::move(persons.front());
                    }
                });
    return result;
}

std::vector<PersonLink> SqlStore::personRecords(std::string_view person_id) {
    std::vector<PersonLink> result;
    withSession("read the records of person " + std::string(person_id), [&](Session& session) {
        std::string key(person_id);
        std::vector<std::string> sources;
        std::vector<std::string> ids;
        session << sql("SELECT source, source_id FROM person_links WHERE person_id = ? ORDER BY source, source_id"),
            use(key), into(sources), into(ids), now;
        result.reserve(sources.size());
        for (std::size_t i = 0; i < sources.size(); ++i) {
            result.push_back({std::move(sources[i]), std::move(ids[i]), key});
        }
    });
    return result;
}

void SqlStore::upsertLinks(Session& session, const std::vector<PersonLink>& links, const std::string& at) {
    if (links.empty()) {
        return;
    }
    // As in commitBatch: one bulk load into a stage (whose primary key rejects a record assigned twice), then one
    // set-based upsert in which each row costs a primary-key lookup. An unchanged assignment matches the conflict
    // target but fails its WHERE, so it is not written.
    session << "CREATE TEMP TABLE link_stage (source TEXT NOT NULL, source_id TEXT NOT NULL, "
               "person_id TEXT NOT NULL, PRIMARY KEY (source, source_id))",
        now;
    insertRows(session, linkStageRows(links));
    std::string linked_at = at;
    // Before the upsert, while person_links still holds the old persons: the profile builder turns these into split
    // and merge corrections for the subscribers.
    Statement moves(session);
    moves << sql(
        "INSERT INTO person_moves (source, source_id, from_person, to_person, moved_at) "
        "SELECT s.source, s.source_id, l.person_id, s.person_id, CAST(? AS TEXT) FROM link_stage AS s "
        "JOIN person_links AS l ON l.source = s.source AND l.source_id = s.source_id "
        "WHERE l.person_id <> s.person_id ORDER BY s.source, s.source_id"),
        use(linked_at);
    moves.execute();
    Statement upsert(session);
    upsert << sql(
        "INSERT INTO person_links (source, source_id, person_id, linked_at) "
        "SELECT s.source, s.source_id, s.person_id, CAST(? AS TEXT) FROM link_stage AS s WHERE true "
        "ON CONFLICT (source, source_id) DO UPDATE SET person_id = excluded.person_id, linked_at = excluded.linked_at "
        "WHERE person_links.person_id <> excluded.person_id"),
        use(linked_at);
    upsert.execute();
    session << "DROP TABLE link_stage", now;
}

void SqlStore::commitLinkRun(const LinkRunCommit& run) {
    validateLinkRun(run);
    const std::string at = run.at.empty() ? nowIso() : run.at;
    // The explanations quote the values compared, the model the values several records share (a guardian's phone).
    std::vector<ReviewItem> sealed_review;
    if (sealsPersonalData()) {
        sealed_review = run.review;
        for (ReviewItem& item : sealed_review) {
            item.explanation_json = seal(item.explanation_json, sealed::kExplanationJson, sealedRow({item.pair_id}));
        }
    }
    const std::vector<ReviewItem>& review = sealsPersonalData() ? sealed_review : run.review;
    const std::string sealed_model = seal(run.model_json, sealed::kModelJson, sealedRow({kLinkStateId}));
    withSession("commit a link run", [&](Session& session) {
        WriteTransaction transaction(*this, session);
        // First, so that a concurrent link run or review decision waits here instead of interleaving its rows.
        lockLinkage(session);
        upsertLinks(session, run.assignments, at);

        std::string updated_at = at;
        if (!run.review.empty()) {
            session << "CREATE TEMP TABLE review_stage (ordinal BIGINT NOT NULL, pair_id TEXT PRIMARY KEY, "
                       "left_source TEXT NOT NULL, left_id TEXT NOT NULL, right_source TEXT NOT NULL, "
                       "right_id TEXT NOT NULL, weight DOUBLE PRECISION NOT NULL, reason TEXT NOT NULL, "
                       "explanation_json TEXT NOT NULL, created_at TEXT NOT NULL)",
                now;
            insertRows(session, reviewStageRows(review, at));
            // New pairs take queue positions in the order the matcher listed them. A pair seen before keeps its
            // seq; it is refreshed (and re-opened if an earlier run had made it obsolete) unless a reviewer has
            // decided it.
            Statement upsert(session);
            upsert << sql(
                "INSERT INTO review_pairs (pair_id, left_source, left_id, right_source, right_id, weight, reason, "
                "explanation_json, status, created_at, updated_at) "
                "SELECT s.pair_id, s.left_source, s.left_id, s.right_source, s.right_id, s.weight, s.reason, "
                "s.explanation_json, 'open', s.created_at, CAST(? AS TEXT) FROM review_stage AS s WHERE true "
                "ORDER BY s.ordinal "
                "ON CONFLICT (pair_id) DO UPDATE SET weight = excluded.weight, reason = excluded.reason, "
                "explanation_json = excluded.explanation_json, status = 'open', updated_at = excluded.updated_at "
                "WHERE review_pairs.status <> 'decided'"),
                use(updated_at);
            upsert.execute();
        }
        if (run.replace_open_review) {
            std::string condition = "status = 'open'";
            if (!run.review.empty()) {
                condition += " AND NOT EXISTS (SELECT 1 FROM review_stage AS s WHERE s.pair_id = review_pairs.pair_id)";
            }
            Statement obsolete(session);
            obsolete << sql("UPDATE review_pairs SET status = 'obsolete', updated_at = ? WHERE " + condition),
                use(updated_at);
            obsolete.execute();
        }
        if (!run.review.empty()) {
            session << "DROP TABLE review_stage", now;
        }

        Poco::Int64 through = run.linked_through_batch;
        std::string model = sealed_model;
        std::string linked_at = at;
        session << sql(
            "INSERT INTO link_state (id, linked_through_batch, model_json, linked_at) VALUES (1, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET linked_through_batch = excluded.linked_through_batch, "
            "model_json = excluded.model_json, linked_at = excluded.linked_at"),
            use(through), use(model), use(linked_at), now;

        insertLogEntry(session,
                       {0, at, run.actor, "link.run", "linkage", run.detail_json.empty() ? "{}" : run.detail_json});
        transaction.commit();
    });
}

LinkState SqlStore::linkState() {
    LinkState state;
    withSession("read the link state", [&](Session& session) {
        std::vector<Poco::Int64> through;
        std::vector<std::string> models;
        std::vector<std::string> times;
        session << "SELECT linked_through_batch, model_json, linked_at FROM link_state WHERE id = 1", into(through),
            into(models), into(times), now;
        if (!through.empty()) {
            state.linked_through_batch = through[0];
            state.model_json = unseal(std::move(models[0]), sealed::kModelJson, sealedRow({kLinkStateId}));
            state.linked_at = std::move(times[0]);
        }
    });
    return state;
}

std::vector<ReviewItem> SqlStore::readReviewItems(Session& session, const std::string& tail,
                                                  const std::function<void(Statement&)>& bind) {
    std::vector<Poco::Int64> seqs;
    std::vector<std::string> pair_ids;
    std::vector<std::string> left_sources;
    std::vector<std::string> left_ids;
    std::vector<std::string> right_sources;
    std::vector<std::string> right_ids;
    std::vector<double> weights;
    std::vector<std::string> reasons;
    std::vector<std::string> explanations;
    std::vector<std::string> statuses;
    std::vector<std::string> created;
    std::vector<std::string> decisions;
    std::vector<std::string> reviewers;
    std::vector<std::string> comments;
    std::vector<std::string> decided;
    Statement select(session);
    select << sql("SELECT " + std::string(kReviewColumns) + " FROM review_pairs " + tail);
    bind(select);
    select, into(seqs), into(pair_ids), into(left_sources), into(left_ids), into(right_sources), into(right_ids),
        into(weights), into(reasons), into(explanations), into(statuses), into(created), into(decisions),
        into(reviewers), into(comments), into(decided);
    select.execute();
    std::vector<ReviewItem> items(seqs.size());
    for (std::size_t i = 0; i < seqs.size(); ++i) {
        ReviewItem& item = items[i];
        item.seq = seqs[i];
        item.pair_id = std::move(pair_ids[i]);
        item.left_source = std::move(left_sources[i]);
        item.left_id = std::move(left_ids[i]);
        item.right_source = std::move(right_sources[i]);
        item.right_id = std::move(right_ids[i]);
        item.weight = weights[i];
        item.reason = std::move(reasons[i]);
        item.explanation_json = unseal(std::move(explanations[i]), sealed::kExplanationJson, sealedRow({item.pair_id}));
        item.status = std::move(statuses[i]);
        item.created_at = std::move(created[i]);
        item.decision = std::move(decisions[i]);
        item.reviewer = std::move(reviewers[i]);
        item.comment = std::move(comments[i]);
        item.decided_at = std::move(decided[i]);
    }
    return items;
}

std::vector<ReviewItem> SqlStore::reviewQueue(std::string_view status, std::int64_t after_seq, std::size_t limit) {
    std::vector<ReviewItem> result;
    withSession("read the review queue", [&](Session& session) {
        std::string wanted(status);
        Poco::Int64 after = after_seq;
        Poco::Int64 max_rows = rowLimit(limit);
        if (wanted.empty()) {
            result = readReviewItems(session, "WHERE seq > ? ORDER BY seq LIMIT ?",
                                     [&](Statement& statement) { statement, use(after), use(max_rows); });
        } else {
            result = readReviewItems(session, "WHERE status = ? AND seq > ? ORDER BY seq LIMIT ?",
                                     [&](Statement& statement) { statement, use(wanted), use(after), use(max_rows); });
        }
    });
    return result;
}

std::optional<ReviewItem> SqlStore::reviewItem(std::string_view pair_id) {
    std::optional<ReviewItem> result;
    withSession("read review pair " + std::string(pair_id), [&](Session& session) {
        std::string key(pair_id);
        auto items = readReviewItems(session, "WHERE pair_id = ?", [&](Statement& statement) { statement, use(key); });
        if (!items.empty()) {
            result = std::move(items.front());
        }
    });
    return result;
}

ReviewItem SqlStore::openReviewPair(const ReviewItem& item) {
    validateReviewItem(item);
    ReviewItem result;
    withSession("open review pair " + item.pair_id, [&](Session& session) {
        WriteTransaction transaction(*this, session);
        lockLinkage(session);
        std::string pair_id = item.pair_id;
        std::string left_source = item.left_source;
        std::string left_id = item.left_id;
        std::string right_source = item.right_source;
        std::string right_id = item.right_id;
        double weight = item.weight;
        std::string reason = item.reason;
        std::string explanation = seal(item.explanation_json, sealed::kExplanationJson, sealedRow({pair_id}));
        std::string at = item.created_at.empty() ? nowIso() : item.created_at;
        std::string updated_at = at;
        session << sql(
            "INSERT INTO review_pairs (pair_id, left_source, left_id, right_source, right_id, weight, "
            "reason, explanation_json, status, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) ON CONFLICT (pair_id) DO NOTHING"),
            use(pair_id), use(left_source), use(left_id), use(right_source), use(right_id), use(weight), use(reason),
            use(explanation), use(at), use(updated_at), now;
        auto items =
            readReviewItems(session, "WHERE pair_id = ?", [&](Statement& statement) { statement, use(pair_id); });
        if (items.size() != 1) {
            throw GatewayError(ErrorCode::Internal, "review pair " + item.pair_id + " vanished after it was opened");
        }
        result = std::move(items.front());
        transaction.commit();
    });
    return result;
}

std::vector<ReviewItem> SqlStore::reviewDecisions() {
    std::vector<ReviewItem> result;
    withSession("read the review decisions", [&](Session& session) {
        result = readReviewItems(session, "WHERE status = 'decided' ORDER BY seq", [](Statement&) {});
    });
    return result;
}

ReviewItem SqlStore::decideReview(const ReviewDecision& given, const std::vector<PersonLink>& assignments) {
    validateDecision(given);
    // The comment is kept in review_pairs and chained into the exchange log, neither of which is sealed.
    ReviewDecision decision = given;
    decision.comment = redactPersonalNumbers(given.comment);
    validateLinks(assignments);
    const std::string at = decision.at.empty() ? nowIso() : decision.at;
    ReviewItem result;
    withSession("record the decision on review pair " + decision.pair_id, [&](Session& session) {
        WriteTransaction transaction(*this, session);
        lockLinkage(session);
        std::string pair_id = decision.pair_id;
        std::string verdict = decision.decision;
        std::string reviewer = decision.reviewer;
        std::string comment = decision.comment;
        std::string decided_at = at;
        std::string updated_at = at;
        Statement update(session);
        update << sql(
            "UPDATE review_pairs SET status = 'decided', decision = ?, reviewer = ?, comment = ?, decided_at = ?, "
            "updated_at = ? WHERE pair_id = ?"),
            use(verdict), use(reviewer), use(comment), use(decided_at), use(updated_at), use(pair_id);
        if (update.execute() != 1) {
            throw GatewayError(ErrorCode::NotFound, "no review pair " + utf8::quote(decision.pair_id));
        }
        upsertLinks(session, assignments, at);
        auto items =
            readReviewItems(session, "WHERE pair_id = ?", [&](Statement& statement) { statement, use(pair_id); });
        if (items.size() != 1) {
            throw GatewayError(ErrorCode::Internal,
                               "review pair " + utf8::quote(decision.pair_id) + " vanished inside its own transaction");
        }
        result = std::move(items.front());
        insertLogEntry(session, {0, at, decision.reviewer, "review.decision", decision.pair_id,
                                 decisionDetail(decision, result, assignments.size())});
        transaction.commit();
    });
    return result;
}

}  // namespace gateway::store
