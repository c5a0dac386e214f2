#pragma once

// What a benchmark measures of a phase besides wall time: this process's CPU time and system-call I/O, and figures
// printed with thousands separators.

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <utility>

namespace gateway::bench {

inline double secondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// CPU time of this process (every thread, user and system) so far: what a phase cost whatever else the machine
/// was running. PostgreSQL's own work is in the server's processes, not here.
inline double cpuSeconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto seconds = [](const timeval& time) {
        return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
    };
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// Bytes this process has read and written through system calls so far (/proc/self/io rchar, wchar; 0 if not there):
/// what SQLite moves between its cache, the WAL and the database file.
inline std::pair<std::int64_t, std::int64_t> ioBytes() {
    std::ifstream file("/proc/self/io");
    std::string key;
    std::int64_t value = 0;
    std::pair<std::int64_t, std::int64_t> bytes{0, 0};
    while (file >> key >> value) {
        if (key == "rchar:") {
            bytes.first = value;
        } else if (key == "wchar:") {
            bytes.second = value;
        }
    }
    return bytes;
}

inline std::string thousands(std::int64_t value) {
    std::string digits = std::to_string(value);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

}  // namespace gateway::bench
