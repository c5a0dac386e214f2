#include "ops/sim/random.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace deptsim {

std::size_t Random::below(std::size_t n) noexcept {
    if (n == 0) {
        return 0;
    }
    const auto index = static_cast<std::size_t>(uniform() * static_cast<double>(n));
    return std::min(index, n - 1);
}

int Random::between(int low, int high) noexcept {
    if (high <= low) {
        return low;
    }
    return low + static_cast<int>(below(static_cast<std::size_t>(high - low) + 1));
}

double Random::normal(double mean, double deviation) noexcept {
    const double u1 = 1.0 - uniform();  // (0, 1], so the logarithm is finite
    const double u2 = uniform();
    return mean + deviation * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

WeightedPicker::WeightedPicker(const std::vector<double>& weights) {
    cumulative_.reserve(weights.size());
    double total = 0;
    for (const double weight : weights) {
        total += std::max(weight, 0.0);
        cumulative_.push_back(total);
    }
}

std::size_t WeightedPicker::pick(Random& random) const noexcept {
    if (cumulative_.empty()) {
        return 0;
    }
    const double target = random.uniform() * cumulative_.back();
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), target);
    return std::min(static_cast<std::size_t>(it - cumulative_.begin()), cumulative_.size() - 1);
}

}  // namespace deptsim
