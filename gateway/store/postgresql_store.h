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
    void stageRecords(Poco::Data::Session& session, const std::vector<StagedRecord>& records) override;
    void insertQuarantine(Poco::Data::Session& session, std::int64_t batch_id,
                          const std::vector<QuarantinedRecord>& rows) override;
    void stageLinks(Poco::Data::Session& session, const std::vector<PersonLink>& links) override;
    void stageReview(Poco::Data::Session& session, const std::vector<ReviewItem>& items,
                     const std::string& created_at) override;
    void stageProfiles(Poco::Data::Session& session, const std::vector<ProfileVersion>& profiles,
                       const std::vector<std::string>& id_indexes, const std::string& built_at) override;
    void insertProfileCodes(Poco::Data::Session& session, const std::vector<ProfileCode>& codes) override;
    void insertLogRows(Poco::Data::Session& session, const std::vector<ExchangeLogEntry>& entries) override;
    void insertLogTerms(Poco::Data::Session& session, std::vector<std::string> terms,
                        std::vector<Poco::Int64> seqs) override;
    ErrorCode classify(const Poco::Exception& error, Poco::Data::Session* session) const override;
    std::string errorDetail(const Poco::Exception& error) const override;
};

}  // namespace gateway::store
