#include "ops/sim/sink_ledger.h"

#include "ops/sim/json_out.h"

#include <rapidjson/document.h>

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace deptsim {

namespace {

bool isSuccess(int status) {
    return status >= 200 && status < 300;
}

[[noreturn]] void throwErrno(const std::string& what) {
    throw std::runtime_error(what + ": " + std::strerror(errno));
}

void syncDirectoryOf(const std::string& path) {
    const std::filesystem::path parent = std::filesystem::absolute(path).parent_path();
    const int fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        throwErrno("cannot open " + parent.string());
    }
    const int synced = ::fsync(fd);
    ::close(fd);
    if (synced != 0) {
        throwErrno("cannot sync " + parent.string());
    }
}

std::string recordLine(const HookRecord& record, bool duplicate) {
    JsonOut out;
    out.beginObject()
        .field("name", record.name)
        .field("received_at", record.received_at)
        .fieldOrNull("idempotency_key", record.idempotency_key)
        .key("signature_valid")
        .boolean(record.signature_valid)
        .key("duplicate")
        .boolean(duplicate)
        .field("status", static_cast<std::int64_t>(record.status))
        .key("body");
    if (record.body) {
        out.raw(*record.body);
    } else {
        out.null();
    }
    out.endObject();
    return out.str() + "\n";
}

}  // namespace

SinkLedger::SinkLedger(const std::string& path) {
    const bool cut_short = load(path);
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
        throwErrno("cannot open " + path);
    }
    syncDirectoryOf(path);
    if (cut_short) {
        append("\n", true);  // a line cut short by a crash must not run into the next one
    }
}

SinkLedger::~SinkLedger() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

bool SinkLedger::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    while (std::getline(in, line)) {
        rapidjson::Document document;
        document.Parse(line.c_str(), line.size());
        if (document.HasParseError() || !document.IsObject() || !document.HasMember("name") ||
            !document["name"].IsString() || !document.HasMember("status") || !document["status"].IsInt()) {
            continue;  // a line cut short by a crash
        }
        std::string key;
        if (document.HasMember("idempotency_key") && document["idempotency_key"].IsString()) {
            key = document["idempotency_key"].GetString();
        }
        count(document["name"].GetString(), key, document["status"].GetInt());
    }
    std::ifstream tail(path, std::ios::binary);
    char last = '\n';
    if (tail.seekg(-1, std::ios::end)) {
        tail.get(last);
    }
    return last != '\n';
}

void SinkLedger::count(const std::string& name, const std::string& key, int status) {
    Subscriber& subscriber = subscribers_[name];
    ++subscriber.count;
    const bool duplicate = !key.empty() && subscriber.accepted.count(key) > 0;
    if (isSuccess(status) && !key.empty()) {
        if (duplicate) {
            ++subscriber.duplicates;
        } else {
            subscriber.accepted.insert(key);
            accepted_order_.emplace_back(name, key);
        }
    }
}

void SinkLedger::append(const std::string& line, bool sync) {
    std::size_t written = 0;
    while (written < line.size()) {
        const ssize_t n = ::write(fd_, line.data() + written, line.size() - written);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throwErrno("cannot write received.jsonl");
        }
        written += static_cast<std::size_t>(n);
    }
    if (sync && ::fsync(fd_) != 0) {
        throwErrno("cannot sync received.jsonl");
    }
}

bool SinkLedger::record(const HookRecord& record) {
    const std::lock_guard lock(mutex_);
    const auto found = subscribers_.find(record.name);
    const bool duplicate = !record.idempotency_key.empty() && found != subscribers_.end() &&
                           found->second.accepted.count(record.idempotency_key) > 0;
    append(recordLine(record, duplicate), isSuccess(record.status));
    count(record.name, record.idempotency_key, record.status);
    return duplicate;
}

ReceivedSummary SinkLedger::summary(const std::optional<std::string>& name) const {
    const std::lock_guard lock(mutex_);
    ReceivedSummary summary;
    for (const auto& [subscriber_name, subscriber] : subscribers_) {
        if (!name || *name == subscriber_name) {
            summary.count += subscriber.count;
            summary.duplicates += subscriber.duplicates;
            summary.accepted += static_cast<std::int64_t>(subscriber.accepted.size());
        }
    }
    for (const auto& [subscriber_name, key] : accepted_order_) {
        if (!name || *name == subscriber_name) {
            summary.keys.push_back(key);
        }
    }
    return summary;
}

std::string receivedAtNow() {
    const auto now = std::chrono::system_clock::now();
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    char text[128];  // room for any int the compiler cannot rule out
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1,
                  parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, static_cast<int>(millis % 1000));
    return text;
}

}  // namespace deptsim
