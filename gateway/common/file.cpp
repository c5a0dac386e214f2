#include "gateway/common/file.h"

#include "gateway/common/error.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gateway {

std::string readFileContent(const std::string& path, std::string_view what) {
    // errno says whether the file is missing or not ours to read, which is the operator's next step.
    const auto fail = [&] {
        return GatewayError(ErrorCode::InvalidConfig,
                            path + ": cannot read the " + std::string(what) + ": " + std::strerror(errno));
    };
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw fail();
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        throw fail();
    }
    return text.str();
}

}  // namespace gateway
