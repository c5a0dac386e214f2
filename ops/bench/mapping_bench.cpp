// Prints how many rows per second one core maps with the shipped police mapping (Mapping::applyInto reusing its
// result, and Mapping::apply returning a new one). Run: build/ops/bench/mapping_bench [SOURCE_DIR]

#include "gateway/mapping/mapping.h"
#include "gateway/model/division_directory.h"

#include <chrono>
#include <cstdio>
#include <string>

namespace {

constexpr const char* kPoliceRow =
    R"({"person_id":"P0000123","xm":"张子涵","xb":"2","csrq":"20140305","gmsfhm":"320411201403051248","mz":"01",)"
    R"("hjdz_qhdm":"320411101201","xzz_qhdm":"320411101201","xzz":"江苏省常州市新北区孟河镇孟城社区12号","hh":"H00000456",)"
    R"("fq":{"xm":"张伟","gmsfhm":"320411198506120037","zt":"外出务工","lxdh":"13912345678"},)"
    R"("mq":{"xm":"李娜","gmsfhm":"320411198703040028","zt":"在家","lxdh":"13812345678"},)"
    R"("updated_at":"2026-11-01T08:00:00Z"})";

template <typename Body>
double rowsPerSecond(Body&& body) {
    const auto start = std::chrono::steady_clock::now();
    std::size_t rows = 0;
    auto elapsed = std::chrono::steady_clock::duration::zero();
    while (elapsed < std::chrono::seconds(2)) {
        for (int i = 0; i < 1000; ++i) {
            body();
        }
        rows += 1000;
        elapsed = std::chrono::steady_clock::now() - start;
    }
    return static_cast<double>(rows) / std::chrono::duration<double>(elapsed).count();
}

}  // namespace

int main(int argc, char** argv) {
    using namespace gateway;
    const std::string root = argc > 1 ? argv[1] : GATEWAY_SOURCE_DIR;
    const auto divisions = model::DivisionDirectory::loadBuiltin();
    const mapping::MappingContext context{&divisions, root + "/mappings/codes", model::CalendarDate(2026, 11, 1)};
    const auto police = mapping::Mapping::load(root + "/mappings/police_population.json", context);
    mapping::MappedRecord out;
    police.applyInto(kPoliceRow, out);
    if (out.outcome != mapping::Outcome::Accepted) {
        std::fprintf(stderr, "the sample row did not map: %s\n", out.reason.c_str());
        return 1;
    }
    const double reused = rowsPerSecond([&] { police.applyInto(kPoliceRow, out); });
    std::size_t sink = 0;
    const double fresh = rowsPerSecond([&] { sink += police.apply(kPoliceRow).record.source_id.size(); });
    std::printf("mapping police_population: %.0f rows/s (applyInto), %.0f rows/s (apply) on one core\n", reused, fresh);
    return sink > 0 ? 0 : 1;
}
