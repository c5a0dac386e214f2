#include "gateway/api/audit_routes.h"

#include "gateway/api/parameters.h"
#include "gateway/audit/log_json.h"
#include "gateway/audit/log_verify.h"
#include "gateway/audit/proof.h"
#include "gateway/common/clock.h"
#include "gateway/common/error.h"
#include "gateway/common/utf8.h"

#include <Poco/Timespan.h>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>

namespace gateway::api {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

const std::set<security::Role> kAuditors{security::Role::Admin, security::Role::Auditor};

/// A time bound: ISO-8601 UTC or a prefix of it ("2026", "2026-11", "2026-11-23T08"), compared as text with the
/// stored times, so a zone other than Z cannot be accepted.
std::string timeParameter(const Request& request, const std::string& name) {
    const std::string value = queryValue(request, name);
    if (value.empty()) {
        return value;
    }
    const auto bound = audit::logTimeBound(value);
    if (!bound) {
        throw GatewayError(ErrorCode::InvalidArgument,
                           "query parameter " + name +
                               " must be a UTC time or its start, e.g. 2026, 2026-11-23 or 2026-11-23T08:00:00Z");
    }
    return *bound;
}

std::int64_t sequenceNumber(const Request& request) {
    const std::string& text = request.path_params.at("seq");
    std::int64_t seq = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), seq);
    if (result.ec != std::errc() || result.ptr != text.data() + text.size() || seq < 1) {
        throw GatewayError(ErrorCode::NotFound, "no exchange-log entry " + utf8::quote(text, 40));
    }
    return seq;
}

std::string textParameter(const Request& request, const std::string& name) {
    const std::string value = queryValue(request, name);
    if (!utf8::isValid(value)) {
        throw GatewayError(ErrorCode::InvalidArgument, "query parameter " + name + " is not UTF-8");
    }
    return value;
}

}  // namespace

void addAuditRoutes(Router& router, audit::LogStore& store) {
    // Before /v1/audit/{seq}: the first matching route wins.
    router.add({"GET",
                "/v1/audit/status",
                "Where the exchange log stands: entries in the log and the head's hash, the latest signed checkpoint, "
                "the entries appended since (the signing backlog), the entries the log index has not reached yet, and "
                "the first entry whose hash covers the persons it names.",
                [&store](const Request&) {
                    return jsonResponse(200, audit::renderStatus(audit::checkpointStatus(store), std::nullopt));
                },
                {security::Role::Admin, security::Role::Operator, security::Role::Auditor}});

    router.add({"GET",
                "/v1/audit",
                "Exchange-log entries, oldest first, by ?actor=&action= (exact, or a family ending in '.': api.) "
                "&person= (the subject or a person an entry names: who read this child's file) &from=&to= (UTC, "
                "to excluded), cursor-paged (cursor=, limit=1..1000).",
                [&store](const Request& request) {
                    audit::ExchangeLogQuery query;
                    query.actor = textParameter(request, "actor");
                    query.action = textParameter(request, "action");
                    query.person = textParameter(request, "person");
                    query.from = timeParameter(request, "from");
                    query.to = timeParameter(request, "to");
                    query.after_seq = integerParameter(request, "cursor", 0, 0, INT64_MAX);
                    const auto limit = static_cast<std::size_t>(integerParameter(request, "limit", 100, 1, 1000));
                    query.limit = limit + 1;
                    const auto entries = store.searchExchangeLog(query);
                    const std::size_t shown = std::min(entries.size(), limit);
                    rapidjson::StringBuffer buffer;
                    Writer writer(buffer);
                    writer.StartObject();
                    writer.Key("items");
                    writer.StartArray();
                    for (std::size_t i = 0; i < shown; ++i) {
                        const std::string json = audit::renderEntry(entries[i]);
                        writer.RawValue(json.c_str(), json.size(), rapidjson::kObjectType);
                    }
                    writer.EndArray();
                    writer.Key("next_cursor");
                    if (entries.size() > shown) {
                        writer.String(std::to_string(entries[shown - 1].seq).c_str());
                    } else {
                        writer.Null();
                    }
                    writer.EndObject();
                    return jsonResponse(200, buffer.GetString());
                },
                kAuditors,
                false,
                true,
                {"actor", "action", "person", "from", "to", "cursor", "limit"}});

    router.add({"GET", "/v1/audit/{seq}", "One exchange-log entry with its hash and the persons it names.",
                [&store](const Request& request) {
                    const std::int64_t seq = sequenceNumber(request);
                    const auto entry = store.exchangeLogEntry(seq);
                    if (!entry) {
                        throw GatewayError(ErrorCode::NotFound, "no exchange-log entry " + std::to_string(seq));
                    }
                    return jsonResponse(200, audit::renderEntry(*entry));
                },
                kAuditors, false, true});

    router.add({"GET",
                "/v1/audit/{seq}/proof",
                "The entry, the hash it chains to, and its Merkle audit path to a signed checkpoint (?size= names "
                "one; by default the first that covers it): checked with the gateway's public key alone (gateway "
                "audit check-proof). 409 while no checkpoint covers the entry yet.",
                [&store](const Request& request) {
                    const std::int64_t seq = sequenceNumber(request);
                    const std::int64_t size = integerParameter(request, "size", 0, 1, INT64_MAX);
                    const auto proof = audit::proveEntry(
                        store, seq,
                        size > 0 ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(size)) : std::nullopt);
                    return jsonResponse(200, audit::renderProof(proof));
                },
                kAuditors,
                false,
                true,
                {"size"}});

    router.add(
        {"GET",
         "/metrics",
         "Prometheus text: exchange-log entries, the signing and index backlogs and the age of the latest "
         "checkpoint.",
         [&store](const Request&) {
             const audit::CheckpointStatus status = audit::checkpointStatus(store);
             std::string text;
             auto metric = [&text](const char* name, const char* help, const std::string& value) {
                 text += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n" + name + " " +
                         value + "\n";
             };
             metric("gateway_exchange_log_entries", "Entries in the exchange log.", std::to_string(status.head));
             metric("gateway_exchange_log_unsigned_entries", "Entries appended since the latest signed checkpoint.",
                    std::to_string(status.unsigned_entries));
             metric("gateway_exchange_log_unindexed_entries",
                    "Entries the log index has not reached yet (searches read them row by row).",
                    std::to_string(status.unindexed_entries));
             metric("gateway_exchange_log_checkpoint_size", "Entries the latest signed checkpoint covers.",
                    std::to_string(status.latest ? status.latest->size : 0));
             if (status.latest) {
                 const auto signed_at = parseIso(status.latest->at);
                 if (signed_at) {
                     const Poco::Timespan age(SystemClock().now() - *signed_at);
                     metric("gateway_exchange_log_checkpoint_age_seconds",
                            "Seconds since the latest checkpoint was signed.", std::to_string(age.totalSeconds()));
                 }
             }
             Response response = jsonResponse(200, std::move(text));
             response.content_type = "text/plain; version=0.0.4";
             return response;
         },
         {security::Role::Admin, security::Role::Operator, security::Role::Auditor}});
}

}  // namespace gateway::api
