#include "ops/sim/school_table.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Types.h>

#include <algorithm>
#include <limits>
#include <mutex>

namespace deptsim {

namespace {

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

constexpr std::size_t kRowsPerStatement = 500;

std::string quoted(const std::string& text) {
    std::string out = "'";
    for (const char c : text) {
        out += c;
        if (c == '\'') {
            out += '\'';
        }
    }
    out += '\'';
    return out;
}

std::string values(const SchoolRow& r) {
    std::string out = "(" + std::to_string(r.id);
    for (const std::string* text : {&r.xjh, &r.xm, &r.xb, &r.csrq}) {
        out += "," + quoted(*text);
    }
    out += "," + (r.sfzh ? quoted(*r.sfzh) : std::string("NULL"));
    for (const std::string* text : {&r.mz, &r.xxdm, &r.xxmc, &r.nj, &r.xjzt}) {
        out += "," + quoted(*text);
    }
    out += "," + std::to_string(r.wgqk_ts);
    for (const std::string* text : {&r.jhrxm, &r.jhrdh, &r.jhrgx, &r.hjdz_qhdm, &r.xzz_qhdm}) {
        out += "," + quoted(*text);
    }
    out += "," + std::to_string(r.updated_seq) + ")";
    return out;
}

/// "3,17,42": up to kRowsPerStatement ids from `from` on, for an IN list.
std::string idList(const std::vector<std::int64_t>& ids, std::size_t from) {
    std::string out;
    for (std::size_t i = from; i < std::min(ids.size(), from + kRowsPerStatement); ++i) {
        out += (i == from ? "" : ",") + std::to_string(ids[i]);
    }
    return out;
}

constexpr const char* kColumns =
    "id, xjh, xm, xb, csrq, sfzh, mz, xxdm, xxmc, nj, xjzt, wgqk_ts, jhrxm, jhrdh, jhrgx, hjdz_qhdm, xzz_qhdm, "
    "updated_seq";

}  // namespace

SchoolTable::SchoolTable(const SchoolDbSettings& settings) : settings_(settings) {
    static std::once_flag registered;
    std::call_once(registered, [] {
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::PostgreSQL::Connector::registerConnector();
    });
    if (settings_.postgresql) {
        session_ = std::make_unique<Poco::Data::Session>("PostgreSQL", settings_.pg_connection);
    } else {
        session_ = std::make_unique<Poco::Data::Session>("SQLite", settings_.sqlite_path);
        // WAL lets an adapter poll the table while the simulator updates it.
        std::string mode;
        *session_ << "PRAGMA journal_mode=WAL", into(mode), now;
        *session_ << "PRAGMA synchronous=NORMAL", now;
    }
}

void SchoolTable::recreate() {
    const std::string id_type = settings_.postgresql ? "BIGINT" : "INTEGER";
    *session_ << "DROP TABLE IF EXISTS student_register", now;
    *session_ << "CREATE TABLE student_register (id " + id_type +
                     " PRIMARY KEY, xjh TEXT, xm TEXT, xb TEXT, csrq TEXT, sfzh TEXT, mz TEXT, xxdm TEXT, "
                     "xxmc TEXT, nj TEXT, xjzt TEXT, wgqk_ts INTEGER, jhrxm TEXT, jhrdh TEXT, jhrgx TEXT, "
                     "hjdz_qhdm TEXT, xzz_qhdm TEXT, updated_seq " +
                     id_type + " NOT NULL)",
        now;
    *session_ << "CREATE UNIQUE INDEX student_register_seq ON student_register (updated_seq)", now;
}

void SchoolTable::insert(const std::vector<SchoolRow>& rows) {
    if (rows.empty()) {
        return;
    }
    session_->begin();
    for (std::size_t from = 0; from < rows.size(); from += kRowsPerStatement) {
        std::string sql = std::string("INSERT INTO student_register (") + kColumns + ") VALUES ";
        for (std::size_t i = from; i < std::min(rows.size(), from + kRowsPerStatement); ++i) {
            sql += (i == from ? "" : ",") + values(rows[i]);
        }
        *session_ << sql, now;
    }
    session_->commit();
}

void SchoolTable::update(const std::vector<SchoolRow>& rows, const std::vector<std::int64_t>& removed) {
    if (rows.empty() && removed.empty()) {
        return;
    }
    session_->begin();
    for (std::size_t from = 0; from < removed.size(); from += kRowsPerStatement) {
        *session_ << "DELETE FROM student_register WHERE id IN (" + idList(removed, from) + ")", now;
    }
    for (const SchoolRow& row : rows) {
        // Delete and insert rather than a long UPDATE: the same literal row format, and still one transaction.
        *session_ << "DELETE FROM student_register WHERE id = " + std::to_string(row.id), now;
        *session_ << std::string("INSERT INTO student_register (") + kColumns + ") VALUES " + values(row), now;
    }
    session_->commit();
}

std::map<std::int64_t, SchoolShown> SchoolTable::shown(const std::vector<std::int64_t>& ids) {
    std::map<std::int64_t, SchoolShown> shown;
    for (std::size_t from = 0; from < ids.size(); from += kRowsPerStatement) {
        std::vector<Poco::Int64> row_ids;
        std::vector<int> days;
        std::vector<std::string> phones;
        std::vector<Poco::Int64> seqs;
        *session_ << "SELECT id, wgqk_ts, jhrdh, updated_seq FROM student_register WHERE id IN (" + idList(ids, from) +
                         ")",
            into(row_ids), into(days), into(phones), into(seqs), now;
        for (std::size_t i = 0; i < row_ids.size(); ++i) {
            shown[row_ids[i]] = SchoolShown{days[i], phones[i], seqs[i]};
        }
    }
    return shown;
}

std::int64_t SchoolTable::maxSeq() {
    Poco::Int64 value = 0;
    *session_ << "SELECT COALESCE(MAX(updated_seq), 0) FROM student_register", into(value), now;
    return value;
}

void SchoolTable::eachStatus(const std::function<void(const SchoolStatus& row)>& visit) {
    Poco::Int64 after = std::numeric_limits<Poco::Int64>::min();
    while (true) {
        std::vector<Poco::Int64> ids;
        std::vector<std::string> sexes;
        std::vector<std::string> births;
        std::vector<std::string> statuses;
        std::vector<Poco::Int64> seqs;
        *session_ << "SELECT id, COALESCE(xb, ''), COALESCE(csrq, ''), COALESCE(xjzt, ''), updated_seq "
                     "FROM student_register WHERE id > " +
                         std::to_string(after) + " ORDER BY id LIMIT " + std::to_string(kRowsPerStatement * 10),
            into(ids), into(sexes), into(births), into(statuses), into(seqs), now;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            visit(SchoolStatus{ids[i], sexes[i], births[i], statuses[i], seqs[i]});
        }
        if (ids.size() < kRowsPerStatement * 10) {
            return;
        }
        after = ids.back();
    }
}

}  // namespace deptsim
