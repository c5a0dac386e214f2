#include "ops/sim/city_params.h"

#include "ops/sim/time_format.h"

namespace deptsim {

std::string describe(const CityParams& params) {
    return "seed=" + std::to_string(params.seed) + ";children=" + std::to_string(params.children) +
           ";district=" + params.district + ";as_of=" + params.as_of.toIso() +
           ";errors=" + formatErrorRates(params.errors);
}

std::int64_t cityNow(const CityParams& params) {
    return epochSeconds(params.as_of, 8 * 3600);
}

}  // namespace deptsim
