#include "gateway/audit/index_terms.h"

#include <algorithm>

namespace gateway::audit {

std::string indexTerm(char kind, std::string_view value) {
    std::size_t size = std::min(value.size(), kMaxTermBytes);
    while (size < value.size() && size > 0 && (static_cast<unsigned char>(value[size]) & 0xC0) == 0x80) {
        --size;
    }
    std::string term{kind, ' '};
    term.append(value.substr(0, size));
    return term;
}

std::vector<std::string> indexTerms(const LogEntry& entry) {
    std::vector<std::string> terms;
    terms.reserve(3 + entry.persons.size());
    terms.push_back(indexTerm('a', entry.actor));
    terms.push_back(indexTerm('x', entry.action));
    if (!entry.subject.empty()) {
        terms.push_back(indexTerm('p', entry.subject));
    }
    for (const std::string& person : entry.persons) {
        terms.push_back(indexTerm('p', person));
    }
    std::sort(terms.begin(), terms.end());
    terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
    return terms;
}

}  // namespace gateway::audit
