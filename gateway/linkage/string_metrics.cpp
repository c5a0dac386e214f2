#include "gateway/linkage/string_metrics.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdlib>
#include <vector>

namespace gateway::linkage {
namespace {

// Names are short: both metrics keep their working rows on the stack up to this many code points.
constexpr std::size_t kInlineLength = 64;

/// Room for `size` values: on the stack up to N, on the heap beyond. The values start uninitialised.
template <typename T, std::size_t N>
class SmallBuffer {
public:
    explicit SmallBuffer(std::size_t size) {
        if (size <= N) {
            data_ = local_.data();
        } else {
            heap_.resize(size);
            data_ = heap_.data();
        }
    }
    SmallBuffer(const SmallBuffer&) = delete;
    SmallBuffer& operator=(const SmallBuffer&) = delete;

    T* data() { return data_; }
    T& operator[](std::size_t i) { return data_[i]; }

private:
    std::array<T, N> local_;
    std::vector<T> heap_;
    T* data_ = nullptr;
};

}  // namespace

int damerauDistance(std::u32string_view a, std::u32string_view b, int limit) {
    // A common prefix or suffix never changes the distance, transpositions included.
    const std::size_t shorter = std::min(a.size(), b.size());
    std::size_t prefix = 0;
    while (prefix < shorter && a[prefix] == b[prefix]) {
        ++prefix;
    }
    a.remove_prefix(prefix);
    b.remove_prefix(prefix);
    while (!a.empty() && !b.empty() && a.back() == b.back()) {
        a.remove_suffix(1);
        b.remove_suffix(1);
    }
    if (a.size() < b.size()) {
        std::swap(a, b);
    }
    const std::size_t rows = a.size();
    const std::size_t columns = b.size();
    if (limit < 0 || rows - columns > static_cast<std::size_t>(limit)) {
        return limit + 1;
    }
    if (columns == 0) {
        return static_cast<int>(rows);
    }

    // Three rows of the OSA matrix over the shorter string: the one before last is needed for transpositions.
    SmallBuffer<int, kInlineLength + 1> buffer_a(columns + 1);
    SmallBuffer<int, kInlineLength + 1> buffer_b(columns + 1);
    SmallBuffer<int, kInlineLength + 1> buffer_c(columns + 1);
    int* before = buffer_a.data();
    int* previous = buffer_b.data();
    int* current = buffer_c.data();
    for (std::size_t j = 0; j <= columns; ++j) {
        previous[j] = static_cast<int>(j);
        before[j] = 0;
    }
    // A cell plus the difference of the lengths still to go bounds the final distance from below. Every alignment
    // passes through row i or, by a transposition, through row i - 1, so both rows' bounds must exceed the limit.
    const auto bound = [rows, columns](std::size_t i, std::size_t j, int cell) {
        const auto remaining = static_cast<std::ptrdiff_t>(rows - i) - static_cast<std::ptrdiff_t>(columns - j);
        return cell + static_cast<int>(remaining < 0 ? -remaining : remaining);
    };
    int previous_bound = static_cast<int>(rows - columns);  // row 0's
    for (std::size_t i = 1; i <= rows; ++i) {
        current[0] = static_cast<int>(i);
        int row_bound = bound(i, 0, current[0]);
        const char32_t ai = a[i - 1];
        for (std::size_t j = 1; j <= columns; ++j) {
            const char32_t bj = b[j - 1];
            int cell = std::min(previous[j - 1] + (ai == bj ? 0 : 1), std::min(previous[j], current[j - 1]) + 1);
            if (i > 1 && j > 1 && ai == b[j - 2] && a[i - 2] == bj) {
                cell = std::min(cell, before[j - 2] + 1);
            }
            current[j] = cell;
            row_bound = std::min(row_bound, bound(i, j, cell));
        }
        if (std::min(row_bound, previous_bound) > limit) {
            return limit + 1;
        }
        previous_bound = row_bound;
        int* const recycled = before;
        before = previous;
        previous = current;
        current = recycled;
    }
    const int distance = previous[columns];
    return distance > limit ? limit + 1 : distance;
}

double jaroWinkler(std::u32string_view a, std::u32string_view b) {
    if (a.empty() && b.empty()) {
        return 1.0;
    }
    if (a.empty() || b.empty()) {
        return 0.0;
    }
    const std::size_t half = std::max(a.size(), b.size()) / 2;
    const std::size_t window = half > 0 ? half - 1 : 0;
    SmallBuffer<unsigned char, kInlineLength> a_matched(a.size());
    SmallBuffer<unsigned char, kInlineLength> b_matched(b.size());
    std::fill_n(a_matched.data(), a.size(), 0);
    std::fill_n(b_matched.data(), b.size(), 0);

    std::size_t matches = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::size_t from = i > window ? i - window : 0;
        const std::size_t to = std::min(b.size(), i + window + 1);
        for (std::size_t j = from; j < to; ++j) {
            if (!b_matched[j] && a[i] == b[j]) {
                a_matched[i] = 1;
                b_matched[j] = 1;
                ++matches;
                break;
            }
        }
    }
    if (matches == 0) {
        return 0.0;
    }
    std::size_t out_of_order = 0;
    for (std::size_t i = 0, j = 0; i < a.size(); ++i) {
        if (!a_matched[i]) {
            continue;
        }
        while (!b_matched[j]) {
            ++j;
        }
        if (a[i] != b[j]) {
            ++out_of_order;
        }
        ++j;
    }
    const double m = static_cast<double>(matches);
    const double transpositions = static_cast<double>(out_of_order) / 2.0;
    const double jaro =
        (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) + (m - transpositions) / m) / 3.0;

    constexpr double kPrefixScale = 0.1;
    constexpr std::size_t kMaxPrefix = 4;
    const std::size_t max_prefix = std::min({kMaxPrefix, a.size(), b.size()});
    std::size_t prefix = 0;
    while (prefix < max_prefix && a[prefix] == b[prefix]) {
        ++prefix;
    }
    return jaro + static_cast<double>(prefix) * kPrefixScale * (1.0 - jaro);
}

}  // namespace gateway::linkage
