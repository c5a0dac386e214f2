#pragma once

// A source re-pulled whole sends its rows in its own order (pages, file lines), not by key. The sorter takes them in
// any order, in bounded memory: rows are sorted in runs of a fixed size, each run written to a file, and the files
// are merged back as one stream in key order.

#include "gateway/reconcile/stream_diff.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gateway::reconcile {

class KeySorter {
public:
    /// Runs go to new files in `folder` (which must exist), removed when the sorter and its stream are gone.
    /// `run_rows` rows at most are held in memory.
    KeySorter(std::string folder, std::size_t run_rows = 200000);
    ~KeySorter();
    KeySorter(const KeySorter&) = delete;
    KeySorter& operator=(const KeySorter&) = delete;

    /// Takes one row. A key given again replaces the earlier row, as a later copy of a record replaces the staged one.
    void add(KeyHash row);

    /// The rows in key order, each key once (the last given). Call once, after the last add(); the stream reads the
    /// run files, so it must not outlive the sorter.
    std::unique_ptr<KeyHashStream> sorted();

    /// Rows given so far, and run files written.
    std::int64_t added() const { return added_; }
    std::size_t runs() const { return runs_.size(); }

private:
    void sortBuffer();
    void spill();

    std::string folder_;
    std::size_t run_rows_;
    std::vector<std::pair<KeyHash, std::int64_t>> buffer_;  // with the order it was added in, for "the last wins"
    std::vector<std::string> runs_;
    std::int64_t added_ = 0;
    bool finished_ = false;
};

}  // namespace gateway::reconcile
