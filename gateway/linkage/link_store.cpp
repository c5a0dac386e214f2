#include "gateway/linkage/link_store.h"

#include "gateway/common/hash.h"

#include <utility>

namespace gateway::linkage {

std::string reviewPairId(std::string_view a_source, std::string_view a_id, std::string_view b_source,
                         std::string_view b_id) {
    // The unit and record separators are control characters no source name or record id uses, so two different
    // pairs never hash the same text.
    std::string a = std::string(a_source) + '\x1f' + std::string(a_id);
    std::string b = std::string(b_source) + '\x1f' + std::string(b_id);
    if (b < a) {
        std::swap(a, b);
    }
    return sha256Hex(a + '\x1e' + b).substr(0, 16);
}

}  // namespace gateway::linkage
