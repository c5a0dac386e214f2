#include "gateway/audit/chain.h"

namespace gateway::audit {

namespace {

void putNumber(Digest& digest, std::uint64_t value, int bytes) {
    std::uint8_t buffer[8];
    for (int i = 0; i < bytes; ++i) {
        buffer[i] = static_cast<std::uint8_t>(value >> (8 * (bytes - 1 - i)));
    }
    digest.update(buffer, static_cast<std::size_t>(bytes));
}

void putText(Digest& digest, std::string_view text) {
    putNumber(digest, text.size(), 4);
    digest.update(text);
}

}  // namespace

Hash entryHash(Digest& digest, const Hash& previous, const LogEntry& entry, bool with_persons) {
    digest.begin();
    digest.update(previous);
    putNumber(digest, static_cast<std::uint64_t>(entry.seq), 8);
    putText(digest, entry.at);
    putText(digest, entry.actor);
    putText(digest, entry.action);
    putText(digest, entry.subject);
    putText(digest, entry.detail_json);
    if (with_persons) {
        putNumber(digest, entry.persons.size(), 4);
        for (const std::string& person : entry.persons) {
            putText(digest, person);
        }
    }
    return digest.final();
}

void chainEntries(Digest& digest, std::int64_t last_seq, const Hash& last_hash, std::vector<LogEntry>& entries,
                  const ChainFormat& format) {
    Hash previous = last_hash;
    std::int64_t seq = last_seq;
    for (LogEntry& entry : entries) {
        entry.seq = ++seq;
        previous = entryHash(digest, previous, entry, format.coversPersons(entry.seq));
        entry.hash = toHex(previous);
    }
}

}  // namespace gateway::audit
