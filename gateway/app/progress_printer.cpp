#include "gateway/app/progress_printer.h"

#include "gateway/common/format.h"

#include <unistd.h>

#include <iomanip>
#include <iostream>
#include <sstream>

namespace gateway::app {

std::string formatDuration(double seconds) {
    const auto total = static_cast<long long>(seconds + 0.5);
    std::ostringstream out;
    if (total >= 3600) {
        out << total / 3600 << "h" << std::setw(2) << std::setfill('0') << (total % 3600) / 60 << "m";
    } else if (total >= 60) {
        out << total / 60 << "m" << std::setw(2) << std::setfill('0') << total % 60 << "s";
    } else {
        out << total << "s";
    }
    return out.str();
}

std::string rateLine(std::int64_t rows, std::int64_t remaining, double seconds) {
    const double rate = seconds > 0 ? static_cast<double>(rows) / seconds : 0.0;
    std::ostringstream out;
    out << withThousands(rows) << " rows  " << withThousands(static_cast<std::int64_t>(rate)) << "/s  ";
    if (remaining >= 0 && rate > 0) {
        out << "ETA " << formatDuration(static_cast<double>(remaining) / rate);
    } else if (remaining == 0) {
        out << "ETA 0s";
    } else {
        out << "ETA unknown";
    }
    return out.str();
}

ProgressPrinter::ProgressPrinter() : terminal_(isatty(STDERR_FILENO) != 0) {}

void ProgressPrinter::update(const std::string& item, const std::string& line, const std::string& brief) {
    std::lock_guard<std::mutex> lock(mutex_);
    brief_[item] = brief;
    const auto now = std::chrono::steady_clock::now();
    if (terminal_) {
        std::string shown;
        if (brief_.size() == 1) {
            shown = line;
        } else {
            for (const auto& [name, text] : brief_) {
                shown += (shown.empty() ? "" : " | ") + text;
            }
        }
        std::cerr << "\r\x1b[K" << shown << std::flush;
        drawn_ = true;
    } else if (now - last_[item] >= std::chrono::seconds(5)) {
        std::cerr << line << "\n";
        last_[item] = now;
    }
}

void ProgressPrinter::finish() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (drawn_) {
        std::cerr << "\n";
        drawn_ = false;
    }
}

}  // namespace gateway::app
