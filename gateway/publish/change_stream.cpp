#include "gateway/publish/change_stream.h"

#include "gateway/common/hash.h"
#include "gateway/common/json_writer.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>

namespace gateway::publish {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void writeText(Writer& writer, const char* key, const std::string& value) {
    writer.Key(key);
    json::string(writer, value);
}

}  // namespace

ChangeStream::ChangeStream(std::string scope, const profile::ProfileView& view)
    : scope_(std::move(scope)), view_(&view) {}

std::vector<StreamEvent> ChangeStream::read(OutboxStore& store, std::int64_t after_seq, std::size_t limit) const {
    return render(store.outbox(after_seq, scope_, limit));
}

std::vector<StreamEvent> ChangeStream::render(const std::vector<publish::OutboxEntry>& entries) const {
    std::vector<StreamEvent> events;
    events.reserve(entries.size());
    for (const publish::OutboxEntry& entry : entries) {
        // A person whose profile has since left the views (of age, or gone) is retracted by each of its entries: a
        // reader starting now, or a subscriber added now, never receives the content that left.
        const bool retracted = entry.removed || entry.removed_now;
        const bool inside = !retracted && entry.division.starts_with(scope_);
        const char* type = retracted ? "retracted" : inside ? "profile" : "moved_out";
        StreamEvent event;
        event.seq = entry.seq;
        event.idempotency_key = entry.person_id + ":" + std::to_string(entry.version);
        event.person_id = entry.person_id;
        rapidjson::StringBuffer buffer;
        Writer writer(buffer);
        writer.StartObject();
        writer.Key("seq");
        writer.Int64(entry.seq);
        writer.Key("type");
        writer.String(type);
        writeText(writer, "person_id", entry.person_id);
        writer.Key("version");
        writer.Int64(entry.version);
        writeText(writer, "idempotency_key", event.idempotency_key);
        writeText(writer, "at", entry.created_at);
        if (!entry.correction_json.empty()) {
            writer.Key("correction");
            writer.RawValue(entry.correction_json.c_str(), entry.correction_json.size(), rapidjson::kObjectType);
        }
        if (inside) {
            const std::string shown = view_->apply(entry.profile_json);
            writer.Key("profile");
            writer.RawValue(shown.c_str(), shown.size(), rapidjson::kObjectType);
        }
        writer.EndObject();
        event.json.assign(buffer.GetString(), buffer.GetSize());
        events.push_back(std::move(event));
    }
    return events;
}

std::string ChangeStream::cursor(std::int64_t seq) const {
    const std::string position = std::to_string(seq);
    return position + "." + sha256Hex("changes\x1f" + scope_ + "\x1f" + view_->name + "\x1f" + position).substr(0, 12);
}

std::optional<std::int64_t> ChangeStream::parseCursor(const std::string& cursor) const {
    if (cursor.empty()) {
        return 0;
    }
    const std::size_t dot = cursor.find('.');
    if (dot == std::string::npos || dot == 0 || dot > 19) {
        return std::nullopt;
    }
    std::int64_t seq = 0;
    const auto parsed = std::from_chars(cursor.data(), cursor.data() + dot, seq);
    if (parsed.ec != std::errc() || parsed.ptr != cursor.data() + dot || seq < 0) {
        return std::nullopt;
    }
    if (!constantTimeEquals(cursor, this->cursor(seq))) {
        return std::nullopt;
    }
    return seq;
}

}  // namespace gateway::publish
