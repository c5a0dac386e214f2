#pragma once

#include <string>
#include <string_view>

namespace gateway {

/// A file's whole content; throws GatewayError(InvalidConfig) "PATH: cannot read the WHAT: REASON" (the system's
/// reason, e.g. "No such file or directory"), also when the read breaks partway (a folder given as a file).
std::string readFileContent(const std::string& path, std::string_view what);

}  // namespace gateway
