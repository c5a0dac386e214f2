#pragma once

#include "gateway/store/sql_store.h"

namespace gateway::store {

/// The production store, shared by several gateway nodes. Cross-node exclusion uses transaction-scoped advisory
/// locks; bulk loads use COPY through libpq, because Poco's PostgreSQL connector sends a vector-bound statement
/// one row per round trip.
class PostgresqlStore final : public SqlStore {
public:
    /// Connects once to check the server answers. Throws GatewayError(StoreUnavailable) if it does not.
    explicit PostgresqlStore(const StoreSettings& settings);

    StoreKind kind() const override { return StoreKind::Postgresql; }

protected:
    void configureSession(Poco::Data::Session& session) override;
    void beginWrite(Poco::Data::Session& session) override;
    void commitWrite(Poco::Data::Session& session) override;
    void rollbackWrite(Poco::Data::Session& session) override;
    void beginSnapshot(Poco::Data::Session& session) override;
    void endSnapshot(Poco::Data::Session& session) override;
    void lockMigrations(Poco::Data::Session& session) override;
    void lockExchangeLog(Poco::Data::Session& session) override;
    void lockLinkage(Poco::Data::Session& session) override;
    void lockProfiles(Poco::Data::Session& session) override;
    DialectTokens tokens() const override;
    std::string_view tableExistsSql() const override;
    std::string sql(std::string_view text) const override;
    void insertRows(Poco::Data::Session& session, BulkRows rows) override;
    ErrorCode classify(const Poco::Exception& error, Poco::Data::Session* session) const override;
    std::string errorDetail(const Poco::Exception& error) const override;
};

}  // namespace gateway::store
