#pragma once

#include "gateway/app/settings.h"

namespace gateway::app {

/// Sends every logger to standard error as "time level source: text", at the configured level.
void configureLogging(const LoggingSettings& settings);

}  // namespace gateway::app
