#include "ops/sim/truth_files.h"

#include "ops/sim/json_out.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace deptsim {

namespace {

constexpr const char* kDriftHeader = "drift,kind,source,source_id\n";

std::string_view driftKindName(DriftKind kind) {
    switch (kind) {
        case DriftKind::Deleted:
            return "deleted";
        case DriftKind::Silent:
            return "silent";
        case DriftKind::Lost:
            return "lost";
    }
    return "";
}

void open(std::ofstream& out, const std::string& path, bool fresh, const char* header) {
    const bool exists = std::filesystem::exists(path);
    out.open(path, std::ios::binary | (fresh ? std::ios::trunc : std::ios::app));
    if (!out) {
        throw std::runtime_error("cannot open " + path);
    }
    if ((fresh || !exists) && header != nullptr) {
        out << header;
    }
}

}  // namespace

TruthFiles::TruthFiles(const std::string& truth_dir, bool fresh) : dir_(truth_dir) {
    std::filesystem::create_directories(truth_dir);
    open(truth_, truth_dir + "/truth.csv", fresh, "source,source_id,entity_id\n");
    open(children_, truth_dir + "/children.jsonl", fresh, nullptr);
    open(changes_, truth_dir + "/changes.csv", fresh, "change,source,source_id,entity_id\n");
    children_offset_ = static_cast<std::int64_t>(std::filesystem::file_size(truth_dir + "/children.jsonl"));
    if (fresh) {
        // Present from the start, so that a test can read it before anything drifted.
        std::ofstream drift;
        open(drift, truth_dir + "/drift.csv", true, kDriftHeader);
    }
}

void TruthFiles::addRow(Source source, std::string_view source_id, std::uint32_t entity) {
    truth_ << sourceName(source) << ',' << source_id << ',' << entityId(entity) << '\n';
}

std::pair<std::int64_t, std::int64_t> TruthFiles::addChild(const std::string& json_line) {
    const std::int64_t offset = children_offset_;
    children_ << json_line << '\n';
    children_offset_ += static_cast<std::int64_t>(json_line.size()) + 1;
    return {offset, static_cast<std::int64_t>(json_line.size())};
}

void TruthFiles::addChange(std::int64_t generation, Source source, std::string_view source_id, std::uint32_t entity) {
    changes_ << generation << ',' << sourceName(source) << ',' << source_id << ',' << entityId(entity) << '\n';
}

void TruthFiles::flush() {
    truth_.flush();
    children_.flush();
    changes_.flush();
    if (!truth_ || !children_ || !changes_) {
        throw std::runtime_error("cannot write the truth files in " + dir_);
    }
}

void DriftLog::append(const std::vector<DriftLine>& lines) {
    if (lines.empty()) {
        return;
    }
    std::string text;
    for (const DriftLine& line : lines) {
        text += std::to_string(line.drift) + ',' + std::string(driftKindName(line.kind)) + ',' +
                std::string(sourceName(line.source)) + ',' + line.source_id + '\n';
    }
    const std::lock_guard lock(mutex_);
    const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw std::runtime_error("cannot open " + path_ + ": " + std::strerror(errno));
    }
    struct stat status {};
    if (::fstat(fd, &status) == 0 && status.st_size == 0) {
        text.insert(0, kDriftHeader);  // a city generated before drift.csv existed
    }
    std::string_view rest = text;
    bool ok = true;
    while (ok && !rest.empty()) {
        const ssize_t written = ::write(fd, rest.data(), rest.size());
        if (written < 0 && errno == EINTR) {
            continue;
        }
        ok = written > 0;
        if (ok) {
            rest.remove_prefix(static_cast<std::size_t>(written));
        }
    }
    ok = ok && ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    if (!ok) {
        throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(saved));
    }
}

std::string servedJson(const ServedCounts& counts) {
    JsonOut out;
    out.beginObject();
    for (const Source source : kSources) {
        const SourceCounts& c = counts.of(source);
        out.key(sourceName(source))
            .beginObject()
            .field("rows", c.rows)
            .field("unmappable", c.unmappable)
            .field("duplicates", c.duplicates);
        if (source == Source::Health) {
            out.field("file_rows", c.file_rows);
        }
        out.endObject();
    }
    out.key("city")
        .beginObject()
        .field("children", counts.children)
        .field("households", counts.households)
        .field("changes", counts.changes)
        .field("drifts", counts.drifts)
        .endObject();
    out.endObject();
    return out.str();
}

void writeFileAtomically(const std::string& path, const std::string& content) {
    const std::string temporary = path + ".tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << content;
        out.close();
        if (!out) {
            throw std::runtime_error("cannot write " + temporary);
        }
    }
    std::filesystem::rename(temporary, path);
}

}  // namespace deptsim
