#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gateway {

/// "1,234,567": counts as progress lines and reports print them.
std::string withThousands(std::int64_t value);

/// One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break; a cell a spreadsheet would run as a
/// formula (starting with = + - @, a tab or a carriage return) is defused with a leading apostrophe.
std::string csvCell(const std::string& value);

/// `text` with & < > " ' replaced by character references, safe both as element content and inside a quoted
/// attribute value of an HTML (or inline SVG) page. Bytes are otherwise copied as they are.
std::string escapeHtml(std::string_view text);

}  // namespace gateway
