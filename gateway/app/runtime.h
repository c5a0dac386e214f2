#pragma once

#include "adapters/adapter.h"
#include "gateway/app/command_line.h"
#include "gateway/app/settings.h"
#include "gateway/common/clock.h"
#include "gateway/intake/source_config.h"
#include "gateway/intake/sync_job.h"
#include "gateway/jobs/link_job.h"
#include "gateway/jobs/profile_job.h"
#include "gateway/jobs/purge_job.h"
#include "gateway/model/division_directory.h"
#include "gateway/profile/profile_view.h"
#include "gateway/publish/deliverer.h"
#include "gateway/reconcile/gap_finder.h"
#include "gateway/security/clients.h"
#include "gateway/store/store.h"

#include <memory>
#include <string>
#include <vector>

namespace gateway::app {

/// What the commands that touch data share: the store, the reference data, the adapters and the sources, built
/// once from the settings. Failures throw GatewayError with a one-line message (InvalidConfig for the
/// configuration, StoreUnavailable for the store).
class Runtime {
public:
    explicit Runtime(GatewaySettings settings);
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    const GatewaySettings& settings() const { return settings_; }
    store::Store& store() { return *store_; }
    const model::DivisionDirectory& divisions() const { return divisions_; }
    const adapters::AdapterRegistry& registry() const { return registry_; }
    const std::vector<intake::SourceConfig>& sources() const { return sources_; }
    /// The system clock, or one started at GATEWAY_CLOCK_START (an ISO-8601 instant) for tests and drills.
    const Clock& clock() const { return *clock_; }

    /// The source named `name`; throws GatewayError(NotFound) listing the configured ones.
    const intake::SourceConfig& source(const std::string& name) const;

    /// A sync job for `config`, with its mapping loaded and checked.
    intake::SyncJob makeSyncJob(const intake::SourceConfig& config) const;

    /// The linkage configuration (linkage.config, or the built-in child configuration), checked at start.
    const linkage::LinkageConfig& linkageConfig() const { return linkage_config_; }
    /// A link job over this runtime's store.
    jobs::LinkJob makeLinkJob() { return jobs::LinkJob(*store_, *store_, *store_, linkage_config_, *clock_); }

    /// The profile configuration (profile.config_dir, or the built-in one) on profile.as_of.
    const profile::ProfileConfig& profileConfig() const { return *profile_config_; }
    /// A profile job over this runtime's store; without profile.as_of, each build takes today's date.
    jobs::ProfileJob makeProfileJob();
    /// A purge job counting from the same date as the profile build.
    jobs::PurgeJob makePurgeJob();

    /// The rules of reconciliation across departments (reconcile.rules, or the built-in ones), checked at start.
    const reconcile::GapRules& gapRules() const { return *gap_rules_; }

    /// The profile views (views.json of profile.config_dir, or the built-in ones).
    const profile::ProfileViews& views() const { return *views_; }
    /// The API's clients (api.clients); nullptr when none are configured.
    const security::ClientDirectory* clients() const { return clients_.get(); }
    /// Reads api.clients again and, if it is sound, serves its clients from now on; returns how many there are.
    /// Throws GatewayError(InvalidConfig) for a file that is not, keeping the clients in use; nothing to do (0)
    /// without api.clients.
    std::size_t reloadClients();
    /// The push subscribers (push.subscribers); empty when none are configured.
    const std::vector<publish::Subscriber>& subscribers() const { return subscribers_; }
    /// A deliverer for the subscribers, over this runtime's store.
    std::unique_ptr<publish::Deliverer> makeDeliverer();

    /// "host:pid", naming this process in leases and run records.
    static std::string nodeName();
    /// The day the clock is on, in UTC.
    model::CalendarDate todayUtc() const;

private:
    /// api.clients, checked against the views.
    security::ClientRegistry loadClients() const;
    GatewaySettings settings_;
    std::shared_ptr<const Clock> clock_;
    std::unique_ptr<store::Store> store_;
    model::DivisionDirectory divisions_;
    adapters::AdapterRegistry registry_;
    std::vector<intake::SourceConfig> sources_;
    linkage::LinkageConfig linkage_config_;
    std::unique_ptr<profile::ProfileConfig> profile_config_;
    std::unique_ptr<profile::ProfileViews> views_;
    std::unique_ptr<reconcile::GapRules> gap_rules_;
    std::unique_ptr<security::ClientDirectory> clients_;
    std::vector<publish::Subscriber> subscribers_;
};

/// The runtime the options describe, with logging configured; on failure prints "gateway COMMAND: why", sets
/// `exit_code` (69 when the store is unavailable, 78 otherwise) and returns null.
std::unique_ptr<Runtime> openRuntime(const ParsedOptions& parsed, const std::string& command, int& exit_code);

}  // namespace gateway::app
