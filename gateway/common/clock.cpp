#include "gateway/common/clock.h"

#include <Poco/DateTimeFormatter.h>

namespace gateway {

std::string formatIso(const Poco::Timestamp& time) {
    return Poco::DateTimeFormatter::format(time, "%Y-%m-%dT%H:%M:%S.%iZ");
}

}  // namespace gateway
