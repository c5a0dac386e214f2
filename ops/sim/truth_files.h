#pragma once

#include "ops/sim/child_facts.h"
#include "ops/sim/sim_state.h"
#include "ops/sim/source_rows.h"

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <utility>

namespace deptsim {

/// The ground truth (DIR/truth/): truth.csv maps every source row ever served to its child, children.jsonl
/// holds each child's true facts (a changed child gets a further line; the last line of an entity is current),
/// changes.csv lists the rows each change rewrote.
class TruthFiles {
public:
    /// `fresh`: start the files over with their headers; otherwise append.
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

/// served.json: per source {rows, unmappable, duplicates, file_rows}, plus the city's size and changes.
std::string servedJson(const ServedCounts& counts);

/// Writes a file atomically: to a temporary name beside it, then renamed over it.
void writeFileAtomically(const std::string& path, const std::string& content);

}  // namespace deptsim
