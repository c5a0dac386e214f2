#include "ops/sim/source_rows.h"

namespace deptsim {

std::string_view sourceName(Source source) {
    switch (source) {
        case Source::Police:
            return "police_population";
        case Source::School:
            return "school_register";
        case Source::Health:
            return "health_births";
        case Source::Civil:
            return "civil_rescue";
    }
    return "";
}

}  // namespace deptsim
