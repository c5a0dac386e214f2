#pragma once

#include "ops/sim/child_facts.h"
#include "ops/sim/sim_state.h"
#include "ops/sim/source_rows.h"

#include <cstdint>
#include <fstream>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace deptsim {

/// The ground truth (DIR/truth/): truth.csv maps every source row ever served to its child, children.jsonl
/// holds each child's true facts (a changed child gets a further line; the last line of an entity is current),
/// changes.csv lists the rows each change rewrote. drift.csv is DriftLog's.
class TruthFiles {
public:
    /// `fresh`: start the files over with their headers (drift.csv too); otherwise append.
    TruthFiles(const std::string& truth_dir, bool fresh);

    void addRow(Source source, std::string_view source_id, std::uint32_t entity);
    /// Appends one line of children.jsonl; returns where it is: {offset, length without the newline}.
    std::pair<std::int64_t, std::int64_t> addChild(const std::string& json_line);
    void addChange(std::int64_t generation, Source source, std::string_view source_id, std::uint32_t entity);
    /// Flushes every file; throws std::runtime_error if a write failed.
    void flush();

private:
    std::string dir_;
    std::ofstream truth_;
    std::ofstream children_;
    std::ofstream changes_;
    std::int64_t children_offset_ = 0;
};

/// How a row got away from what a gateway staged of it (drift.csv's `kind`).
enum class DriftKind {
    Deleted,  // the source no longer holds it
    Silent,   // edited without a newer watermark
    Lost,     // the lose_page fault dropped it from a page whose cursor the client was given
};

/// One line of drift.csv: `drift` numbers the drift call (0 for a lost page).
struct DriftLine {
    std::int64_t drift = 0;
    DriftKind kind = DriftKind::Deleted;
    Source source = Source::Police;
    std::string source_id;
};

/// truth/drift.csv, appended to by the drift command and by page requests that the lose_page fault drops, which
/// may run at the same time: each append is whole, and on disk before it returns, so that a client that got the
/// reply can read its lines. Thread-safe.
class DriftLog {
public:
    explicit DriftLog(const std::string& truth_dir) : path_(truth_dir + "/drift.csv") {}

    /// Appends the lines (the header first if the file is new) and fsyncs; throws std::runtime_error on failure.
    void append(const std::vector<DriftLine>& lines);

private:
    std::string path_;
    std::mutex mutex_;
};

/// served.json: per source {rows, unmappable, duplicates, file_rows}, plus the city's size and changes.
std::string servedJson(const ServedCounts& counts);

/// Writes a file atomically: to a temporary name beside it, then renamed over it.
void writeFileAtomically(const std::string& path, const std::string& content);

}  // namespace deptsim
