#include "gateway/audit/log_export.h"

#include "gateway/audit/log_json.h"
#include "gateway/audit/log_reads.h"
#include "gateway/common/format.h"

#include <string>

namespace gateway::audit {

std::int64_t exportExchangeLog(audit::LogStore& store, audit::ExchangeLogQuery query, ExportFormat format,
                               std::ostream& out) {
    if (format == ExportFormat::Csv) {
        out << "seq,at,actor,action,subject,persons,detail_json,hash\r\n";
    }
    std::int64_t written = 0;
    query.limit = kLogPage;
    while (true) {
        const auto page = store.searchExchangeLog(query);
        for (const audit::ExchangeLogEntry& entry : page) {
            if (format == ExportFormat::JsonLines) {
                out << renderEntry(entry) << '\n';
            } else {
                std::string persons;
                for (const std::string& person : entry.persons) {
                    persons += persons.empty() ? person : " " + person;
                }
                out << entry.seq << ',' << csvCell(entry.at) << ',' << csvCell(entry.actor) << ','
                    << csvCell(entry.action) << ',' << csvCell(entry.subject) << ',' << csvCell(persons) << ','
                    << csvCell(entry.detail_json) << ',' << entry.hash << "\r\n";
            }
            ++written;
        }
        if (page.size() < kLogPage) {
            break;
        }
        query.after_seq = page.back().seq;
    }
    return written;
}

}  // namespace gateway::audit
