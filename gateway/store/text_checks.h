#pragma once

// The checks every implementation of the store's ports makes of the text it is given, with their messages: the SQL
// store's and the in-memory fakes' alike, so that a test passing on a fake passes nothing the store refuses.

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"

#include <string>
#include <string_view>
#include <type_traits>

namespace gateway::store {

/// What `where` names: a callable, called only on failure so that a large batch does not format a message per
/// record, or the text itself.
template <typename Where>
std::string describe(const Where& where) {
    if constexpr (std::is_invocable_v<const Where&>) {
        return where();
    } else {
        return std::string(where);
    }
}

/// Throws InvalidArgument unless `value` is well-formed UTF-8 without NUL bytes (PostgreSQL cannot store NUL in
/// text, and both stores must accept the same data). `where` names the owner (see describe()).
template <typename Where>
void requireText(std::string_view field, std::string_view value, const Where& where) {
    // isValid() does not allocate; decode() runs only to explain a failure.
    if (!utf8::isValid(value)) {
        utf8::DecodeError error;
        utf8::decode(value, &error);
        throw GatewayError(ErrorCode::InvalidArgument, std::string(field) + " of " + describe(where) +
                                                           " is not well-formed UTF-8: " + error.reason);
    }
    if (value.find('\0') != std::string_view::npos) {
        throw GatewayError(ErrorCode::InvalidArgument,
                           std::string(field) + " of " + describe(where) + " contains a NUL byte");
    }
}

/// Like requireText(), and the value may not be empty.
template <typename Where>
void requireNonEmptyText(std::string_view field, std::string_view value, const Where& where) {
    if (value.empty()) {
        throw GatewayError(ErrorCode::InvalidArgument, std::string(field) + " of " + describe(where) + " is empty");
    }
    requireText(field, value, where);
}

/// Division codes are digits; a prefix of anything else would only ever match nothing, or, as a LIKE pattern,
/// the wrong rows.
inline void requireDivisionPrefix(std::string_view prefix) {
    if (prefix.find_first_not_of("0123456789") != std::string_view::npos) {
        throw GatewayError(ErrorCode::InvalidArgument,
                           "division prefix " + utf8::quote(prefix) + " must consist of digits only");
    }
}

}  // namespace gateway::store
