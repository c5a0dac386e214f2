#pragma once

#include "gateway/store/sql_store.h"

namespace gateway::store {

/// The embedded store: one SQLite file in WAL mode, so that readers never wait for the writer.
class SqliteStore final : public SqlStore {
public:
    /// Opens (creating if missing) settings.sqlite_path and checks that it can be written. Throws
    /// GatewayError(StoreUnavailable) naming the path if it cannot.
    explicit SqliteStore(const StoreSettings& settings);

    StoreKind kind() const override { return StoreKind::Sqlite; }

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
    ErrorCode classify(const Poco::Exception& error, Poco::Data::Session* session) const override;

private:
    void checkDatabaseFile() const;

    std::string path_;
    int busy_timeout_ms_;
};

}  // namespace gateway::store
