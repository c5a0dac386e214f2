#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace deptsim {

/// SplitMix64's output function: spreads every input bit over the whole word.
constexpr std::uint64_t finalise64(std::uint64_t x) noexcept {
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

constexpr std::uint64_t kGolden64 = 0x9e3779b97f4a7c15ULL;

/// FNV-1a, so that streams are named ("police", "noise") rather than numbered.
constexpr std::uint64_t labelHash(std::string_view label) noexcept {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : label) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    }
    return hash;
}

/// A value that depends on the seed and on every key and nothing else. Every part of the city is drawn from
/// such a value, so that it comes out the same whatever else was generated before it.
constexpr std::uint64_t derive(std::uint64_t seed, std::uint64_t key) noexcept {
    return finalise64(seed ^ finalise64(key + kGolden64));
}

template <typename... Keys>
constexpr std::uint64_t derive(std::uint64_t seed, std::uint64_t key, Keys... keys) noexcept {
    return derive(derive(seed, key), static_cast<std::uint64_t>(keys)...);
}

/// A derived value as a draw in [0, 1).
constexpr double unitInterval(std::uint64_t x) noexcept {
    return static_cast<double>(x >> 11) * (1.0 / 9007199254740992.0);
}

/// A small, fast, seeded generator (SplitMix64). Its results are fixed by the seed on every platform, unlike
/// the standard distributions, whose algorithms are left to the library.
class Random {
public:
    explicit Random(std::uint64_t seed) noexcept : state_(seed) {}

    std::uint64_t next() noexcept {
        state_ += kGolden64;
        return finalise64(state_);
    }
    /// In [0, 1).
    double uniform() noexcept { return unitInterval(next()); }
    bool chance(double probability) noexcept { return uniform() < probability; }
    /// In [0, n); 0 when n is 0.
    std::size_t below(std::size_t n) noexcept;
    /// In [low, high], both included.
    int between(int low, int high) noexcept;
    /// Normally distributed (Box–Muller).
    double normal(double mean, double deviation) noexcept;

    template <typename T>
    const T& pick(const std::vector<T>& items) noexcept {
        return items[below(items.size())];
    }

private:
    std::uint64_t state_;
};

/// Draws an index with probability proportional to its weight.
class WeightedPicker {
public:
    WeightedPicker() = default;
    explicit WeightedPicker(const std::vector<double>& weights);

    std::size_t pick(Random& random) const noexcept;
    std::size_t size() const noexcept { return cumulative_.size(); }

private:
    std::vector<double> cumulative_;
};

}  // namespace deptsim
