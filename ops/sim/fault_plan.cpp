#include "ops/sim/fault_plan.h"

#include "ops/sim/random.h"
#include "ops/sim/spec_list.h"

#include <algorithm>
#include <locale>
#include <sstream>

namespace deptsim {

std::optional<FaultSpec> parseFaultSpec(std::string_view text, std::string& error) {
    const auto items = splitSpec(text, error);
    if (!items) {
        return std::nullopt;
    }
    FaultSpec spec;
    for (const auto& item : *items) {
        const std::string& name = item.name;
        auto probability = [&](double& target) {
            const auto value = item.value ? parseProbability(*item.value) : std::nullopt;
            if (!value) {
                error = "fault '" + name + "' needs a probability between 0 and 1";
                return false;
            }
            target = *value;
            return true;
        };
        auto whole = [&](int& target, long long minimum, long long maximum) {
            const auto value = item.value ? parseWholeNumber(*item.value, minimum, maximum) : std::nullopt;
            if (!value) {
                error = "fault '" + name + "' needs a whole number from " + std::to_string(minimum) + " to " +
                        std::to_string(maximum);
                return false;
            }
            target = static_cast<int>(*value);
            return true;
        };
        auto flag = [&](bool& target) {
            if (item.value && *item.value != "1" && *item.value != "true") {
                error = "fault '" + name + "' takes no value";
                return false;
            }
            target = true;
            return true;
        };
        bool ok = false;
        if (name == "http500") {
            ok = probability(spec.http500);
        } else if (name == "timeout") {
            ok = probability(spec.timeout);
        } else if (name == "truncate") {
            ok = probability(spec.truncate);
        } else if (name == "duplicate_page") {
            ok = probability(spec.duplicate_page);
        } else if (name == "slow") {
            ok = whole(spec.slow_ms, 0, 600000);
        } else if (name == "hang_ms") {
            ok = whole(spec.hang_ms, 0, 600000);
        } else if (name == "token_expiry") {
            ok = whole(spec.token_expiry, 1, 1000000000);
        } else if (name == "lose_page") {
            ok = whole(spec.lose_page, 0, 1000000000);
        } else if (name == "half_csv") {
            ok = flag(spec.half_csv);
        } else if (name == "down") {
            ok = flag(spec.down);
        } else {
            error = "unknown fault '" + name +
                    "' (known: http500, timeout, slow, truncate, duplicate_page, token_expiry, lose_page, half_csv, "
                    "down, hang_ms)";
        }
        if (!ok) {
            return std::nullopt;
        }
    }
    return spec;
}

std::string formatFaultSpec(const FaultSpec& spec) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    const char* separator = "";
    auto item = [&](const char* name, auto value) {
        out << separator << name << '=' << value;
        separator = ",";
    };
    if (spec.http500 > 0) {
        item("http500", spec.http500);
    }
    if (spec.timeout > 0) {
        item("timeout", spec.timeout);
        item("hang_ms", spec.hang_ms);
    }
    if (spec.slow_ms > 0) {
        item("slow", spec.slow_ms);
    }
    if (spec.truncate > 0) {
        item("truncate", spec.truncate);
    }
    if (spec.duplicate_page > 0) {
        item("duplicate_page", spec.duplicate_page);
    }
    if (spec.token_expiry > 0) {
        item("token_expiry", spec.token_expiry);
    }
    if (spec.lose_page > 0) {
        item("lose_page", spec.lose_page);
    }
    if (spec.half_csv) {
        out << separator << "half_csv";
        separator = ",";
    }
    if (spec.down) {
        out << separator << "down";
    }
    return out.str();
}

void FaultState::set(const FaultSpec& spec) {
    const std::lock_guard lock(mutex_);
    spec_ = spec;
    pages_to_lose_ = {spec.lose_page, spec.lose_page};
}

FaultSpec FaultState::spec() const {
    const std::lock_guard lock(mutex_);
    FaultSpec spec = spec_;
    spec.lose_page = std::max(pages_to_lose_[0], pages_to_lose_[1]);
    return spec;
}

std::uint64_t FaultState::occurrence(const std::string& request_key) {
    const std::lock_guard lock(mutex_);
    return occurrences_[request_key]++;
}

bool FaultState::draw(std::string_view fault, const std::string& request_key, std::uint64_t occurrence,
                      double probability) const {
    if (probability <= 0) {
        return false;
    }
    return unitInterval(derive(seed_, labelHash(fault), labelHash(request_key), occurrence)) < probability;
}

bool FaultState::takeLostPage(Source source) {
    const std::lock_guard lock(mutex_);
    int& left = pages_to_lose_[source == Source::Civil ? 1 : 0];
    if (left <= 0) {
        return false;
    }
    --left;
    return true;
}

bool FaultState::takeHalfCsv() {
    const std::lock_guard lock(mutex_);
    const bool half = spec_.half_csv;
    spec_.half_csv = false;
    return half;
}

}  // namespace deptsim
