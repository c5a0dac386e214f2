#include "ops/sim/sink_failures.h"

#include "ops/sim/random.h"
#include "ops/sim/spec_list.h"

#include <locale>
#include <sstream>

namespace deptsim {

std::optional<SinkFailSpec> parseSinkFailSpec(std::string_view text, std::string& error) {
    const auto items = splitSpec(text, error);
    if (!items) {
        return std::nullopt;
    }
    SinkFailSpec spec;
    for (const auto& item : *items) {
        const std::string& name = item.name;
        if (name == "down") {
            if (item.value && *item.value != "1" && *item.value != "true") {
                error = "failure 'down' takes no value";
                return std::nullopt;
            }
            spec.down = true;
        } else if (name == "http500") {
            const auto value = item.value ? parseProbability(*item.value) : std::nullopt;
            if (!value) {
                error = "failure 'http500' needs a probability between 0 and 1";
                return std::nullopt;
            }
            spec.http500 = *value;
        } else if (name == "slow") {
            const auto value = item.value ? parseWholeNumber(*item.value, 0, 600000) : std::nullopt;
            if (!value) {
                error = "failure 'slow' needs a whole number of milliseconds from 0 to 600000";
                return std::nullopt;
            }
            spec.slow_ms = static_cast<int>(*value);
        } else if (name == "name") {
            if (!item.value || item.value->empty() || item.value->find('/') != std::string::npos) {
                error = "failure 'name' needs a subscriber name (the NAME of /hooks/NAME)";
                return std::nullopt;
            }
            spec.name = *item.value;
        } else {
            error = "unknown failure '" + name + "' (known: down, http500, slow, name)";
            return std::nullopt;
        }
    }
    return spec;
}

std::string formatSinkFailSpec(const SinkFailSpec& spec) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    const char* separator = "";
    auto item = [&](const char* name) -> std::ostream& {
        out << separator << name;
        separator = ",";
        return out;
    };
    if (spec.down) {
        item("down");
    }
    if (spec.http500 > 0) {
        item("http500") << '=' << spec.http500;
    }
    if (spec.slow_ms > 0) {
        item("slow") << '=' << spec.slow_ms;
    }
    if (!spec.name.empty()) {
        item("name") << '=' << spec.name;
    }
    return out.str();
}

void SinkFailState::set(const SinkFailSpec& spec) {
    const std::lock_guard lock(mutex_);
    spec_ = spec;
}

SinkFailSpec SinkFailState::spec() const {
    const std::lock_guard lock(mutex_);
    return spec_;
}

SinkFailure SinkFailState::decide(const std::string& name, const std::string& idempotency_key) {
    SinkFailSpec spec;
    std::uint64_t occurrence = 0;
    {
        const std::lock_guard lock(mutex_);
        spec = spec_;
        if (!spec.name.empty() && spec.name != name) {
            return {};
        }
        // The separator cannot occur in a path segment, so distinct (name, key) pairs count apart.
        occurrence = occurrences_[name + "/" + idempotency_key]++;
    }
    SinkFailure failure;
    failure.delay_ms = spec.slow_ms;
    if (spec.down) {
        failure.status = 503;
    } else if (spec.http500 > 0 && unitInterval(derive(seed_, labelHash("sink_http500"), labelHash(name),
                                                       labelHash(idempotency_key), occurrence)) < spec.http500) {
        failure.status = 500;
    }
    return failure;
}

}  // namespace deptsim
