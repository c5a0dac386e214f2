#include "gateway/app/runtime.h"

#include "gateway/app/logging.h"

#include "gateway/app/keys_command.h"

#include "adapters/plugin_loader.h"

#include "gateway/common/error.h"
#include "gateway/common/utf8.h"
#include "gateway/mapping/mapping.h"
#include "gateway/model/calendar_date.h"

#include <Poco/DateTime.h>
#include <Poco/Environment.h>
#include <Poco/LocalDateTime.h>
#include <Poco/Process.h>

#include <iostream>

namespace gateway::app {

namespace {

/// GATEWAY_CLOCK_START moves the whole process's clock, so that a test or a drill chooses when things happen.
std::shared_ptr<const Clock> processClock() {
    const std::string start = Poco::Environment::get("GATEWAY_CLOCK_START", "");
    if (start.empty()) {
        return std::make_shared<SystemClock>();
    }
    const auto instant = parseIso(start);
    if (!instant) {
        throw GatewayError(ErrorCode::InvalidConfig,
                           "GATEWAY_CLOCK_START is not an ISO-8601 instant: " + utf8::quote(start));
    }
    std::cerr << "gateway: warning: the clock starts at " << formatIso(*instant) << " (GATEWAY_CLOCK_START)"
              << std::endl;
    return std::make_shared<ShiftedClock>(*instant);
}

}  // namespace

Runtime::Runtime(GatewaySettings settings) : settings_(std::move(settings)), clock_(processClock()) {
    settings_.store.clock = clock_;
    divisions_ = loadDivisions(settings_.reference);
    adapters::registerBuiltinAdapters(registry_);
    adapters::PluginLoader plugins;
    for (const auto& path : settings_.intake.plugin_paths) {
        plugins.load(path, registry_);
    }
    sources_ = intake::readSourceConfigs(settings_.intake.sources_dir, settings_.start_dir);
    for (const auto& source : sources_) {
        if (!registry_.contains(source.adapter)) {
            registry_.create(source.adapter);  // throws the message listing the known adapters
        }
    }
    linkage_config_ = settings_.linkage.config_file.empty()
                          ? linkage::LinkageConfig::builtinChild()
                          : linkage::LinkageConfig::load(settings_.linkage.config_file);
    model::CalendarDate as_of = todayUtc();
    if (!settings_.profile.as_of.empty()) {
        const auto parsed = model::parseDate(settings_.profile.as_of);
        if (!parsed) {
            throw GatewayError(ErrorCode::InvalidConfig, "key 'profile.as_of': " + parsed.error());
        }
        as_of = *parsed;
    }
    profile_config_ = std::make_unique<profile::ProfileConfig>(
        settings_.profile.config_dir.empty() ? profile::ProfileConfig::builtin(as_of)
                                             : profile::ProfileConfig::load(settings_.profile.config_dir, as_of));
    for (const auto& source : sources_) {
        profile_config_->checkSource(source.source, source.origin);
    }
    gap_rules_ = std::make_unique<reconcile::GapRules>(settings_.reconcile.rules.empty()
                                                           ? reconcile::GapRules::builtin()
                                                           : reconcile::GapRules::load(settings_.reconcile.rules));
    views_ = std::make_unique<profile::ProfileViews>(settings_.profile.config_dir.empty()
                                                         ? profile::ProfileViews::builtin()
                                                         : profile::ProfileViews::load(settings_.profile.config_dir));
    if (!settings_.api.clients_file.empty()) {
        clients_ = std::make_unique<security::ClientDirectory>(loadClients());
    }
    if (!settings_.push.subscribers_file.empty()) {
        subscribers_ = publish::loadSubscribers(settings_.push.subscribers_file);
    }
    // Straight to standard error, whatever the logging level: an operator must not miss either.
    settings_.store.cipher = loadFieldCipher(
        settings_, [](const std::string& advice) { std::cerr << "gateway: warning: " << advice << std::endl; });
    store_ = store::openStore(settings_.store);
    store_->migrate();
    // Once the store is up, so that a failure to start stays one line.
    if (settings_.store.cipher == nullptr) {
        std::cerr << "gateway: warning: citizen ID numbers and phones are stored unencrypted: set security.keyring "
                     "(gateway keys generate --output FILE) or GATEWAY_KEYRING"
                  << std::endl;
    }
}

model::CalendarDate Runtime::todayUtc() const {
    return model::CalendarDate::fromDaysSinceEpoch(clock_->now().epochTime() / 86400);
}

security::ClientRegistry Runtime::loadClients() const {
    security::ClientRegistry registry = security::ClientRegistry::load(settings_.api.clients_file);
    for (const security::Client& client : registry.clients()) {
        if (!client.view.empty() && views_->find(client.view) == nullptr) {
            throw GatewayError(ErrorCode::InvalidConfig, settings_.api.clients_file + ": client " + client.id +
                                                             " names the unknown view " + client.view);
        }
    }
    return registry;
}

std::size_t Runtime::reloadClients() {
    if (clients_ == nullptr) {
        return 0;
    }
    security::ClientRegistry registry = loadClients();
    const std::size_t count = registry.clients().size();
    clients_->replace(std::move(registry));
    return count;
}

jobs::ProfileJob Runtime::makeProfileJob() {
    if (!settings_.profile.as_of.empty()) {
        return jobs::ProfileJob(*store_, *store_, *store_, *profile_config_);
    }
    return jobs::ProfileJob(*store_, *store_, *store_, *profile_config_, [this] { return todayUtc(); });
}

jobs::PurgeJob Runtime::makePurgeJob() {
    if (!settings_.profile.as_of.empty()) {
        return jobs::PurgeJob(*store_, [as_of = profile_config_->as_of] { return as_of; });
    }
    return jobs::PurgeJob(*store_, [this] { return todayUtc(); });
}

std::unique_ptr<publish::Deliverer> Runtime::makeDeliverer() {
    publish::PushSettings push;
    push.backoff_initial_ms = settings_.push.backoff_initial_ms;
    push.backoff_max_ms = settings_.push.backoff_max_ms;
    push.node = nodeName();
    push.actor = nodeName();
    return std::make_unique<publish::Deliverer>(*store_, *store_, *views_, subscribers_, push, *clock_);
}

Runtime::~Runtime() = default;

const intake::SourceConfig& Runtime::source(const std::string& name) const {
    std::string known;
    for (const auto& source : sources_) {
        if (source.source == name) {
            return source;
        }
        known += (known.empty() ? "" : ", ") + source.source;
    }
    throw GatewayError(ErrorCode::NotFound, "no source named '" + name + "' in " + settings_.intake.sources_dir +
                                                " (configured: " + (known.empty() ? "none" : known) + ")");
}

intake::SyncJob Runtime::makeSyncJob(const intake::SourceConfig& config) const {
    const Poco::LocalDateTime today(Poco::DateTime(clock_->now()));
    mapping::MappingContext context;
    context.divisions = &divisions_;
    context.codes_dir = settings_.intake.codes_dir;
    context.as_of = model::CalendarDate(today.year(), today.month(), today.day());
    auto mapping = mapping::Mapping::load(config.mapping, context);
    return intake::SyncJob(*store_, *store_, registry_, config, std::move(mapping), settings_.intake.state_dir,
                           *clock_);
}

std::string Runtime::nodeName() {
    return Poco::Environment::nodeName() + ":" + std::to_string(Poco::Process::id());
}

std::unique_ptr<Runtime> openRuntime(const ParsedOptions& parsed, const std::string& command, int& exit_code) {
    try {
        auto settings = settingsFromOptions(parsed);
        configureLogging(settings.logging);
        return std::make_unique<Runtime>(std::move(settings));
    } catch (const GatewayError& e) {
        std::cerr << "gateway " << command << ": " << e.message() << "\n";
        exit_code = e.code() == ErrorCode::StoreUnavailable ? kExitUnavailable : kExitConfig;
        return nullptr;
    }
}

}  // namespace gateway::app
