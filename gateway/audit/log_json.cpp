#include "gateway/audit/log_json.h"

#include "gateway/common/error.h"
#include "gateway/common/json_writer.h"

#include <Poco/RegularExpression.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace gateway::audit {

namespace {

void writeEntry(rapidjson::Writer<rapidjson::StringBuffer>& writer, const audit::ExchangeLogEntry& entry) {
    writer.StartObject();
    writer.Key("seq");
    writer.Int64(entry.seq);
    json::field(writer, "at", entry.at);
    json::field(writer, "actor", entry.actor);
    json::field(writer, "action", entry.action);
    json::field(writer, "subject", entry.subject);
    // The exact text the hash covers, so that anyone can recompute it from an export.
    json::field(writer, "detail_json", entry.detail_json);
    writer.Key("persons");
    writer.StartArray();
    for (const std::string& person : entry.persons) {
        json::string(writer, person);
    }
    writer.EndArray();
    json::field(writer, "hash", entry.hash);
    writer.EndObject();
}

void writeCheckpoint(rapidjson::Writer<rapidjson::StringBuffer>& writer, const audit::Checkpoint& checkpoint) {
    writer.StartObject();
    writer.Key("size");
    writer.Uint64(checkpoint.size);
    json::field(writer, "at", checkpoint.at);
    json::field(writer, "algorithm", checkpoint.algorithm);
    json::field(writer, "root", checkpoint.root);
    json::field(writer, "head", checkpoint.head);
    json::field(writer, "key_id", checkpoint.key_id);
    json::field(writer, "signature", checkpoint.signature);
    writer.Key("version");
    writer.Int(checkpoint.version);
    if (checkpoint.version >= 2) {
        json::field(writer, "previous", checkpoint.previous);
        writer.Key("persons_from");
        writer.Int64(checkpoint.persons_from);
    }
    writer.EndObject();
}

std::string requiredString(const rapidjson::Value& object, const char* key, const std::string& where) {
    if (!object.IsObject() || !object.HasMember(key) || !object[key].IsString()) {
        throw GatewayError(ErrorCode::InvalidArgument, where + " has no string \"" + key + "\"");
    }
    return {object[key].GetString(), object[key].GetStringLength()};
}

std::int64_t requiredInteger(const rapidjson::Value& object, const char* key, const std::string& where) {
    if (!object.IsObject() || !object.HasMember(key) || !object[key].IsInt64() || object[key].GetInt64() < 0) {
        throw GatewayError(ErrorCode::InvalidArgument, where + " has no whole number \"" + key + "\"");
    }
    return object[key].GetInt64();
}

audit::Checkpoint readCheckpoint(const rapidjson::Value& object, const std::string& where) {
    audit::Checkpoint checkpoint;
    checkpoint.size = static_cast<std::uint64_t>(requiredInteger(object, "size", where));
    checkpoint.at = requiredString(object, "at", where);
    checkpoint.algorithm = requiredString(object, "algorithm", where);
    checkpoint.root = requiredString(object, "root", where);
    checkpoint.head = requiredString(object, "head", where);
    checkpoint.key_id = requiredString(object, "key_id", where);
    checkpoint.signature = requiredString(object, "signature", where);
    // Absent from checkpoints printed before they were chained, which were signed in the first form.
    checkpoint.version = object.HasMember("version") ? static_cast<int>(requiredInteger(object, "version", where)) : 1;
    if (checkpoint.version >= 2) {
        checkpoint.previous = requiredString(object, "previous", where);
        checkpoint.persons_from = requiredInteger(object, "persons_from", where);
    }
    return checkpoint;
}

}  // namespace

std::string renderEntry(const audit::ExchangeLogEntry& entry) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writeEntry(writer, entry);
    return buffer.GetString();
}

std::string renderCheckpoint(const audit::Checkpoint& checkpoint) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writeCheckpoint(writer, checkpoint);
    return buffer.GetString();
}

std::string renderStatus(const CheckpointStatus& status, const std::optional<std::string>& signing_key_id) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    const auto nullable = [&writer](const char* key, const std::optional<std::string>& value) {
        writer.Key(key);
        if (value) {
            json::string(writer, *value);
        } else {
            writer.Null();
        }
    };
    writer.StartObject();
    writer.Key("entries");
    writer.Int64(status.head);
    json::field(writer, "head_hash", status.head_hash);
    nullable("algorithm", status.algorithm);
    writer.Key("latest_checkpoint");
    if (status.latest) {
        writeCheckpoint(writer, *status.latest);
    } else {
        writer.Null();
    }
    writer.Key("unsigned_entries");
    writer.Int64(status.unsigned_entries);
    writer.Key("unindexed_entries");
    writer.Int64(status.unindexed_entries);
    writer.Key("persons_hashed_from");
    writer.Int64(status.persons_hashed_from);
    nullable("signing_key_id", signing_key_id);
    writer.EndObject();
    return buffer.GetString();
}

std::string renderVerifyReport(const VerifyReport& report, bool index_checked,
                               const std::optional<std::string>& key_id) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("ok");
    writer.Bool(report.ok());
    writer.Key("first_seq");
    writer.Int64(report.first_seq);
    writer.Key("last_seq");
    writer.Int64(report.last_seq);
    writer.Key("entries");
    writer.Int64(report.entries);
    writer.Key("checkpoints");
    writer.Int64(report.checkpoints);
    writer.Key("unsigned_entries");
    writer.Int64(report.unsigned_entries);
    writer.Key("index_checked");
    if (index_checked) {
        writer.Int64(report.index_checked);
    } else {
        writer.Null();
    }
    writer.Key("newest_checkpoint");
    if (report.newest_checkpoint) {
        writer.StartObject();
        writer.Key("size");
        writer.Uint64(report.newest_checkpoint->size);
        json::field(writer, "at", report.newest_checkpoint->at);
        writer.EndObject();
    } else {
        writer.Null();
    }
    writer.Key("trusted_checkpoint");
    if (report.trusted_checkpoint) {
        writer.Uint64(report.trusted_checkpoint->size);
    } else {
        writer.Null();
    }
    writer.Key("signatures_checked");
    writer.Bool(key_id.has_value());
    if (key_id) {
        json::field(writer, "key_id", *key_id);
    }
    writer.Key("findings");
    writer.StartArray();
    for (const Finding& finding : report.findings) {
        writer.StartObject();
        writer.Key("seq");
        writer.Int64(finding.seq);
        json::field(writer, "problem", finding.problem);
        writer.EndObject();
    }
    writer.EndArray();
    writer.Key("more_findings");
    writer.Int64(report.more_findings);
    writer.EndObject();
    return buffer.GetString();
}

std::string renderProof(const InclusionProof& proof) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    writer.Key("entry");
    writeEntry(writer, proof.entry);
    writer.Key("persons_hashed");
    writer.Bool(proof.persons_hashed);
    json::field(writer, "previous_hash", proof.previous_hash);
    writer.Key("leaf_index");
    writer.Int64(proof.entry.seq - 1);
    writer.Key("tree_size");
    writer.Uint64(proof.checkpoint.size);
    writer.Key("path");
    writer.StartArray();
    for (const std::string& step : proof.path) {
        json::string(writer, step);
    }
    writer.EndArray();
    writer.Key("checkpoint");
    writeCheckpoint(writer, proof.checkpoint);
    writer.EndObject();
    return buffer.GetString();
}

InclusionProof parseProof(std::string_view json) {
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    if (document.HasParseError() || !document.IsObject()) {
        throw GatewayError(ErrorCode::InvalidArgument, "the proof is not a JSON object");
    }
    InclusionProof proof;
    if (!document.HasMember("entry") || !document.HasMember("checkpoint") || !document.HasMember("path") ||
        !document["path"].IsArray()) {
        throw GatewayError(ErrorCode::InvalidArgument, "the proof needs \"entry\", \"checkpoint\" and \"path\"");
    }
    const rapidjson::Value& entry = document["entry"];
    proof.entry.seq = requiredInteger(entry, "seq", "the proof's entry");
    proof.entry.at = requiredString(entry, "at", "the proof's entry");
    proof.entry.actor = requiredString(entry, "actor", "the proof's entry");
    proof.entry.action = requiredString(entry, "action", "the proof's entry");
    proof.entry.subject = requiredString(entry, "subject", "the proof's entry");
    proof.entry.detail_json = requiredString(entry, "detail_json", "the proof's entry");
    proof.entry.hash = requiredString(entry, "hash", "the proof's entry");
    if (entry.HasMember("persons")) {
        if (!entry["persons"].IsArray()) {
            throw GatewayError(ErrorCode::InvalidArgument, "the proof's entry has \"persons\" that are not a list");
        }
        for (const auto& person : entry["persons"].GetArray()) {
            if (!person.IsString()) {
                throw GatewayError(ErrorCode::InvalidArgument, "the proof's entry names a person that is not a string");
            }
            proof.entry.persons.emplace_back(person.GetString(), person.GetStringLength());
        }
    }
    // Absent from proofs made before hashes covered persons, which did not.
    if (document.HasMember("persons_hashed")) {
        if (!document["persons_hashed"].IsBool()) {
            throw GatewayError(ErrorCode::InvalidArgument, "the proof's \"persons_hashed\" is not true or false");
        }
        proof.persons_hashed = document["persons_hashed"].GetBool();
    } else {
        proof.persons_hashed = false;
    }
    proof.previous_hash = requiredString(document, "previous_hash", "the proof");
    for (const auto& step : document["path"].GetArray()) {
        if (!step.IsString()) {
            throw GatewayError(ErrorCode::InvalidArgument, "the proof's path holds a value that is not a string");
        }
        proof.path.emplace_back(step.GetString(), step.GetStringLength());
    }
    proof.checkpoint = readCheckpoint(document["checkpoint"], "the proof's checkpoint");
    return proof;
}

audit::Checkpoint parseCheckpoint(std::string_view json) {
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    if (document.HasParseError() || !document.IsObject()) {
        throw GatewayError(ErrorCode::InvalidArgument, "the checkpoint is not a JSON object");
    }
    // As `gateway audit checkpoint --json` and `status --json` print it, or the bare object.
    for (const char* wrapper : {"checkpoint", "latest_checkpoint"}) {
        if (!document.HasMember("size") && document.HasMember(wrapper) && document[wrapper].IsObject()) {
            return readCheckpoint(document[wrapper], "the checkpoint");
        }
    }
    return readCheckpoint(document, "the checkpoint");
}

std::optional<std::string> logTimeBound(const std::string& text) {
    static const Poco::RegularExpression pattern(
        "^[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}(:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?)?)?)?)?Z?$");
    if (!pattern.match(text)) {
        return std::nullopt;
    }
    return text.ends_with('Z') ? text.substr(0, text.size() - 1) : text;
}

}  // namespace gateway::audit
