#pragma once

#include <string>

namespace deptsim {

/// The layout of a simulator folder (PROTOCOL.md).
struct CityPaths {
    explicit CityPaths(const std::string& dir)
        : dir(dir),
          state_dir(dir + "/state"),
          state_db(dir + "/state/sim.db"),
          pending_drop(dir + "/state/pending_drop.csv"),
          school_db(dir + "/school.db"),
          health_drop(dir + "/health_drop"),
          truth_dir(dir + "/truth"),
          children_jsonl(dir + "/truth/children.jsonl"),
          served_json(dir + "/truth/served.json"),
          deptsim_json(dir + "/deptsim.json") {}

    std::string dir;
    std::string state_dir;
    std::string state_db;
    std::string pending_drop;  // the whole of a drop the half_csv fault left half-written
    std::string school_db;
    std::string health_drop;
    std::string truth_dir;
    std::string children_jsonl;
    std::string served_json;
    std::string deptsim_json;
};

}  // namespace deptsim
