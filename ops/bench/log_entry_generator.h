#pragma once

#include "gateway/audit/log_store.h"
#include "gateway/common/clock.h"

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace gateway::bench {

/// Entries like those the API writes when a client reads children's files: village, township and district clients,
/// reads of one profile and list pages, each with the filter used and the purpose given. The same seed gives the
/// same entries, so that runs compare.
class EntryGenerator {
    static constexpr std::time_t kStart = 1793520000;  // 2026-11-01T08:00:00Z

public:
    explicit EntryGenerator(std::uint64_t seed) : random_(seed) {}

    void next(std::size_t count, std::vector<audit::ExchangeLogEntry>& out) {
        out.clear();
        out.reserve(count);
        for (std::size_t i = 0; i < count; ++i) {
            out.push_back(make());
        }
    }

private:
    std::uint64_t below(std::uint64_t bound) { return random_() % bound; }

    std::string personId() {
        // P + 12 hex digits, as the linker names persons; a million children.
        static constexpr char kHex[] = "0123456789abcdef";
        std::uint64_t child = below(1'000'000) * 0x9E3779B97F4A7C15ULL;
        std::string id = "P";
        for (int i = 0; i < 12; ++i) {
            id += kHex[(child >> (60 - 4 * i)) & 0xF];
        }
        return id;
    }

    std::string village() {
        // 320411 (a district), 3 digits of township, 3 of village.
        char code[16];
        std::snprintf(code, sizeof code, "320411%03d%03d", 100 + static_cast<int>(below(12)),
                      200 + static_cast<int>(below(40)));
        return code;
    }

    audit::ExchangeLogEntry make() {
        static constexpr const char* kPurposes[] = {
            "routine follow-up of a left-behind child",
            "school attendance check",
            "home visit planned by the village children's director",
            "guardianship review after a parent left for work",
            "health check reminder for a child under 6",
        };
        static constexpr const char* kClassifications[] = {"left_behind", "in_difficulty", "disabled", "orphaned",
                                                           "migrant"};
        audit::ExchangeLogEntry entry;
        clock_ms_ += 500 + static_cast<std::int64_t>(below(3000));
        entry.at = formatIso(Poco::Timestamp::fromEpochTime(kStart) + clock_ms_ * 1000);

        const std::string division = village();
        const std::uint64_t kind = below(10);
        std::string level = "village";
        if (kind < 7) {
            entry.actor = "api:village-" + division;
        } else if (kind < 9) {
            level = "township";
            entry.actor = "api:township-" + division.substr(0, 9);
        } else {
            level = "district";
            entry.actor = "api:district-" + division.substr(0, 6);
        }
        const std::size_t persons = 1 + below(3);
        for (std::size_t i = 0; i < persons; ++i) {
            entry.persons.push_back(personId());
        }
        entry.subject = entry.persons.front();
        const char* purpose = kPurposes[below(std::size(kPurposes))];
        char request[24];
        std::snprintf(request, sizeof request, "%016llx", static_cast<unsigned long long>(random_()));

        std::string detail = "{";
        if (persons == 1) {
            entry.action = "api.read";
            detail +=
                R"("method":"GET","path":"/v1/profiles/)" + entry.subject + R"(","filter":{"view":")" + level + R"("})";
        } else {
            entry.action = "api.list";
            detail += R"("method":"GET","path":"/v1/profiles","filter":{"division":")" + division +
                      R"(","classification":")" + kClassifications[below(std::size(kClassifications))] +
                      R"(","limit":100})";
        }
        detail += R"(,"purpose":")" + std::string(purpose) + R"(","persons":[)";
        for (std::size_t i = 0; i < persons; ++i) {
            detail += (i > 0 ? ",\"" : "\"") + entry.persons[i] + "\"";
        }
        detail += R"(],"status":200,"request_id":")" + std::string(request) + "\"}";
        entry.detail_json = std::move(detail);
        return entry;
    }

    std::mt19937_64 random_;
    std::int64_t clock_ms_ = 0;
};

}  // namespace gateway::bench
