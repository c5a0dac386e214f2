#pragma once

#include "ops/sim/health_drop.h"
#include "ops/sim/time_format.h"

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace deptsim {

/// The health drops of the initial export: one file per quarter of 更新时间, named by the last second of the
/// quarter (or the city's now for the current one). Every fourth quarter's file is UTF-8 with a BOM, the others
/// GB18030. All files stay open while the city is generated.
class QuarterlyDrops {
public:
    QuarterlyDrops(std::string folder, EpochSeconds now) : folder_(std::move(folder)), now_(now) {}

    void add(EpochSeconds updated, const std::vector<std::string>& fields);
    /// Closes every file, then marks each complete.
    void finish();

private:
    struct Bucket {
        std::string name;
        std::ofstream file;
        std::unique_ptr<DropWriter> writer;
    };

    std::string folder_;
    EpochSeconds now_;
    std::map<int, std::unique_ptr<Bucket>> buckets_;
};

}  // namespace deptsim
