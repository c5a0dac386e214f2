#pragma once

// Progress of long commands (sync, reconcile) on standard error: on a terminal one line redrawn in place, shared by
// everything in progress; otherwise a plain line per item at most every few seconds, so that logs stay readable.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace gateway::app {

/// "45s", "2m10s", "1h05m".
std::string formatDuration(double seconds);

/// "12,000 rows  4,100/s  ETA 2m10s": `rows` read in `seconds`, with `remaining` rows left (-1 unknown).
std::string rateLine(std::int64_t rows, std::int64_t remaining, double seconds);

class ProgressPrinter {
public:
    ProgressPrinter();

    /// Where `item` stands: `line` in full, `brief` when it shares the terminal line with other items. Thread-safe.
    void update(const std::string& item, const std::string& line, const std::string& brief);
    /// Ends the redrawn line, if one was drawn.
    void finish();

private:
    bool terminal_;
    bool drawn_ = false;
    std::mutex mutex_;
    std::map<std::string, std::string> brief_;
    std::map<std::string, std::chrono::steady_clock::time_point> last_;
};

}  // namespace gateway::app
