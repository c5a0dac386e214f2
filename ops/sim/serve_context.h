#pragma once

#include "ops/sim/change_applier.h"
#include "ops/sim/city_params.h"
#include "ops/sim/city_paths.h"
#include "ops/sim/drift_applier.h"
#include "ops/sim/fault_plan.h"
#include "ops/sim/gap_planter.h"
#include "ops/sim/school_table.h"
#include "ops/sim/sim_state.h"
#include "ops/sim/token_registry.h"
#include "ops/sim/truth_files.h"

#include <Poco/Event.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace deptsim {

/// Read-only state connections for the server threads, lent out one request at a time.
class ReaderPool {
public:
    explicit ReaderPool(std::string path) : path_(std::move(path)) {}

    struct Returner {
        ReaderPool* pool;
        void operator()(PageReader* reader) const;
    };
    using Lease = std::unique_ptr<PageReader, Returner>;

    Lease acquire();

private:
    std::string path_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<PageReader>> idle_;
};

/// The credentials a client needs, drawn from the seed so that a test can know them in advance.
struct Credentials {
    std::string police_api_key;
    std::string civil_client_id;
    std::string civil_client_secret;
};

Credentials credentialsFor(std::uint64_t seed);

/// What the request handlers share. Lives as long as the server.
struct ServeContext {
    ServeContext(const CityParams& params, const CityPaths& paths, const SchoolDbSettings& school,
                 const Credentials& credentials, ChangeApplier& changer, DriftApplier& drifter, GapPlanter& planter,
                 std::chrono::seconds token_lifetime)
        : params(params),
          paths(paths),
          school(school),
          credentials(credentials),
          tokens(params.seed, token_lifetime),
          faults(params.seed),
          readers(paths.state_db),
          changer(changer),
          drifter(drifter),
          planter(planter),
          drift_log(paths.truth_dir) {}

    const CityParams params;
    const CityPaths paths;
    const SchoolDbSettings school;
    const Credentials credentials;
    TokenRegistry tokens;
    FaultState faults;
    ReaderPool readers;
    ChangeApplier& changer;
    DriftApplier& drifter;
    GapPlanter& planter;
    DriftLog drift_log;                                    // drift.csv: drifts, plants and lost pages append to it
    std::mutex change_mutex;                               // one change, drift, plant or gaps reading at a time
    Poco::Event stopping{Poco::Event::EVENT_MANUALRESET};  // set at shutdown: ends hangs and delays at once
};

}  // namespace deptsim
