#pragma once

#include "adapters/sql/sql_settings.h"

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gateway::adapters::sql {

/// A column as the database's catalog lists it.
struct CatalogColumn {
    std::string name;
    bool binary = false;  // bytea: selected as base64
};

/// What differs between the connectors. Every column is selected as text in a form the dialect decodes exactly,
/// because Poco's typed extraction would silently turn an SQLite INTEGER column holding 'abc' into 0, and
/// refuses declared types it does not know (VARCHAR2, JSONB).
class SqlDialect {
public:
    virtual ~SqlDialect() = default;

    /// Names the database in messages, never with a password: "SQLite database /data/school.db".
    const std::string& description() const { return description_; }

    /// A new session. Throws TransientFailure when the database cannot be reached now, and
    /// GatewayError(SourceError) when it answers in a way retrying cannot fix (not a database, bad password).
    virtual Poco::Data::Session connect() const = 0;

    /// The columns of `table`, in order; empty when there is no such table.
    virtual std::vector<CatalogColumn> catalog(Poco::Data::Session& session, const std::string& schema,
                                               const std::string& table) const = 0;

    /// The n-th (from 1) parameter placeholder.
    virtual std::string placeholder(int n) const = 0;

    /// The select-list expression for a column, whose result value() decodes.
    virtual std::string selectExpression(const CatalogColumn& column) const = 0;

    /// The value at (col, row) of a result of selectExpression()s: nullopt for SQL NULL, else its text (base64 for
    /// binary values).
    virtual std::optional<std::string> value(const Poco::Data::RecordSet& result, std::size_t col, std::size_t row,
                                             const CatalogColumn& column) const = 0;

    /// True when `error` is a lost or busy connection, worth a retry on a fresh session.
    virtual bool isTransient(const Poco::Exception& error, Poco::Data::Session* session) const = 0;

protected:
    std::string description_;
};

/// The dialect for `settings.connector`. Throws GatewayError(InvalidConfig) for a malformed connection string.
std::unique_ptr<SqlDialect> makeDialect(const SqlAdapterSettings& settings, const std::string& origin);

/// Base64 (RFC 4648, with padding, no line breaks).
std::string base64(std::string_view bytes);

}  // namespace gateway::adapters::sql
