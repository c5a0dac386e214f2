#include "ops/sim/token_registry.h"

#include "ops/sim/random.h"

#include <cstdio>

namespace deptsim {

std::string TokenRegistry::issue() {
    const std::lock_guard lock(mutex_);
    const std::uint64_t n = ++issued_;
    char text[40];
    std::snprintf(text, sizeof text, "%016llx%016llx",
                  static_cast<unsigned long long>(derive(seed_, labelHash("token"), n)),
                  static_cast<unsigned long long>(derive(seed_, labelHash("token-tail"), n)));
    tokens_[text] = Token{std::chrono::steady_clock::now(), 0};
    return text;
}

TokenRegistry::Check TokenRegistry::use(const std::string& token, int max_uses) {
    const std::lock_guard lock(mutex_);
    const auto it = tokens_.find(token);
    if (it == tokens_.end()) {
        return Check::Unknown;
    }
    Token& t = it->second;
    ++t.uses;
    if (std::chrono::steady_clock::now() - t.issued >= lifetime_ || (max_uses > 0 && t.uses > max_uses)) {
        return Check::Expired;
    }
    return Check::Valid;
}

}  // namespace deptsim
