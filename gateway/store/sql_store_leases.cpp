// The leases' port (LeaseStore): one row per job in job_leases.

#include "gateway/store/sql_store.h"

#include "gateway/store/sql_store_internal.h"

#include <Poco/Data/Statement.h>

namespace gateway::store {

using Poco::Data::Session;
using Poco::Data::Statement;
using namespace Poco::Data::Keywords;

bool SqlStore::claimLease(std::string_view job, std::string_view holder, std::string_view now_iso,
                          std::string_view expires_at) {
    std::size_t claimed = 0;
    withSession("claim the lease on " + std::string(job), [&](Session& session) {
        WriteTransaction transaction(*this, session);
        std::string key(job);
        std::string who(holder);
        std::string until(expires_at);
        std::string current(now_iso);
        std::string who_again(holder);
        Statement upsert(session);
        upsert << sql(
            "INSERT INTO job_leases (job, holder, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at "
            "WHERE job_leases.expires_at < ? OR job_leases.holder = ?"),
            use(key), use(who), use(until), use(current), use(who_again);
        claimed = upsert.execute();
        transaction.commit();
    });
    return claimed == 1;
}

void SqlStore::releaseLease(std::string_view job, std::string_view holder) {
    withSession("release the lease on " + std::string(job), [&](Session& session) {
        WriteTransaction transaction(*this, session);
        std::string key(job);
        std::string who(holder);
        session << sql("DELETE FROM job_leases WHERE job = ? AND holder = ?"), use(key), use(who), now;
        transaction.commit();
    });
}

std::optional<std::string> SqlStore::leaseHolder(std::string_view job) {
    std::optional<std::string> holder;
    withSession("read the lease on " + std::string(job), [&](Session& session) {
        std::string key(job);
        std::vector<std::string> holders;
        session << sql("SELECT holder FROM job_leases WHERE job = ?"), use(key), into(holders), now;
        if (!holders.empty()) {
            holder = holders.front();
        }
    });
    return holder;
}

bool SqlStore::takeOverLease(std::string_view job, std::string_view from_holder, std::string_view to_holder,
                             std::string_view expires_at) {
    std::size_t moved = 0;
    withSession("take over the lease on " + std::string(job), [&](Session& session) {
        WriteTransaction transaction(*this, session);
        std::string key(job);
        std::string from(from_holder);
        std::string to(to_holder);
        std::string until(expires_at);
        Statement update(session);
        update << sql("UPDATE job_leases SET holder = ?, expires_at = ? WHERE job = ? AND holder = ?"), use(to),
            use(until), use(key), use(from);
        moved = update.execute();
        transaction.commit();
    });
    return moved == 1;
}

}  // namespace gateway::store
