#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace deptsim {

/// A keyset position: the last (stamp, id) served. The start of a source is ("", "").
struct Cursor {
    std::string stamp;
    std::string id;
};

/// Opaque to clients: "c1" and the hex of "stamp|id". Stable across restarts and changes, since it names a
/// position in the sort order rather than an offset.
std::string encodeCursor(const Cursor& cursor);

/// nullopt when the text is not a cursor encodeCursor made.
std::optional<Cursor> decodeCursor(std::string_view text);

}  // namespace deptsim
