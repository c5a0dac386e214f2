#pragma once

#include "gateway/store/store.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

namespace gateway::testing {

/// What backs one test's store: a SQLite file in a temporary folder, or a scratch PostgreSQL database.
/// Destroyed after every store opened on it.
class StoreBackend {
public:
    virtual ~StoreBackend() = default;
    /// Settings for a store on this backend's database; a test may open several stores on it.
    virtual store::StoreSettings settings() const = 0;
    /// Runs one SQL statement on the database directly, not through a store; returns the first value of its first
    /// row ("" if none). Fails the current test on an error.
    virtual std::string query(const std::string& statement) const = 0;
    /// What someone with the database's files would see, for tests that look for plaintext: the SQLite file and its
    /// write-ahead log; for PostgreSQL, `pg_dump` output and the bytea columns decoded.
    virtual std::string dump() const = 0;
};

struct StoreSuiteParam {
    std::string name;
    /// Prepares a fresh, empty database. May skip or fail the current test through gtest, returning nullptr.
    std::function<std::unique_ptr<StoreBackend>()> make_backend;
};

/// The behaviour every store must show, instantiated once per kind (sqlite_store_test.cpp,
/// postgresql_store_test.cpp).
class StoreSuite : public ::testing::TestWithParam<StoreSuiteParam> {
protected:
    void SetUp() override;
    void TearDown() override;

    store::Store& store() { return *store_; }
    /// A second, independent store (its own connections) on the same database.
    std::unique_ptr<store::Store> openAnother() const;

    std::unique_ptr<StoreBackend> backend_;
    std::unique_ptr<store::Store> store_;
};

void PrintTo(const StoreSuiteParam& param, std::ostream* out);

std::string storeSuiteParamName(const ::testing::TestParamInfo<StoreSuiteParam>& info);

}  // namespace gateway::testing
