#pragma once

#include "ops/sim/renderers.h"

#include <Poco/Data/Session.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace deptsim {

/// Where the school's front-end exchange table lives.
struct SchoolDbSettings {
    bool postgresql = false;
    std::string sqlite_path;    // DIR/school.db
    std::string pg_connection;  // libpq connection string

    /// What deptsim.json reports as school_db: the SQLite path or the connection string.
    const std::string& location() const { return postgresql ? pg_connection : sqlite_path; }
};

/// What a row of the table shows now, as far as a silent edit needs to know: the values it may edit and the
/// watermark it must keep.
struct SchoolShown {
    int wgqk_ts = 0;
    std::string jhrdh;
    std::int64_t updated_seq = 0;
};

/// What a row of the table says about who the student is and whether the student attends: the columns the gap
/// rules read (ops/sim/gap_rules.h).
struct SchoolStatus {
    std::int64_t id = 0;
    std::string xb;
    std::string csrq;
    std::string xjzt;
    std::int64_t updated_seq = 0;
};

/// The student_register table (PROTOCOL.md), written through Poco::Data so that the same code fills SQLite and
/// PostgreSQL. Rows go in as multi-row statements with literal values: PostgreSQL through Poco::Data costs a
/// round trip per bound row, and the rows are generated here, so quoting them is safe.
class SchoolTable {
public:
    explicit SchoolTable(const SchoolDbSettings& settings);

    /// Drops the table if it exists and creates it empty.
    void recreate();
    /// Inserts the rows in one transaction.
    void insert(const std::vector<SchoolRow>& rows);
    /// Rewrites the rows (matched by id), each with the updated_seq it carries, and deletes the rows with the
    /// `removed` ids, all in one transaction.
    void update(const std::vector<SchoolRow>& rows, const std::vector<std::int64_t>& removed = {});
    /// The rows with these ids, by id; an id the table does not hold is left out.
    std::map<std::int64_t, SchoolShown> shown(const std::vector<std::int64_t>& ids);
    std::int64_t maxSeq();
    /// Every row the table holds now, in id order, read a batch at a time.
    void eachStatus(const std::function<void(const SchoolStatus& row)>& visit);

private:
    SchoolDbSettings settings_;
    std::unique_ptr<Poco::Data::Session> session_;
};

}  // namespace deptsim
