#include "tests/support/fake_checks.h"

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"

namespace gateway::testing {

void requireText(std::string_view field, std::string_view value, const std::string& where) {
    if (!utf8::isValid(value)) {
        utf8::DecodeError error;
        utf8::decode(value, &error);
        throw GatewayError(ErrorCode::InvalidArgument,
                           std::string(field) + " of " + where + " is not well-formed UTF-8: " + error.reason);
    }
}

void requireNonEmptyText(std::string_view field, std::string_view value, const std::string& where) {
    if (value.empty()) {
        throw GatewayError(ErrorCode::InvalidArgument, std::string(field) + " of " + where + " is empty");
    }
    requireText(field, value, where);
}

void requireDivisionPrefix(std::string_view prefix) {
    if (prefix.find_first_not_of("0123456789") != std::string_view::npos) {
        throw GatewayError(ErrorCode::InvalidArgument,
                           "division prefix " + utf8::quote(prefix) + " must consist of digits only");
    }
}

}  // namespace gateway::testing
