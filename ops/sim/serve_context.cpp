#include "ops/sim/serve_context.h"

#include "ops/sim/random.h"

#include <cstdio>

namespace deptsim {

void ReaderPool::Returner::operator()(PageReader* reader) const {
    const std::lock_guard lock(pool->mutex_);
    pool->idle_.emplace_back(reader);
}

ReaderPool::Lease ReaderPool::acquire() {
    {
        const std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            PageReader* reader = idle_.back().release();
            idle_.pop_back();
            return Lease(reader, Returner{this});
        }
    }
    return Lease(std::make_unique<PageReader>(path_).release(), Returner{this});
}

Credentials credentialsFor(std::uint64_t seed) {
    char key[40];
    std::snprintf(key, sizeof key, "pk-%016llx", static_cast<unsigned long long>(derive(seed, labelHash("api-key"))));
    char secret[40];
    std::snprintf(secret, sizeof secret, "cs-%016llx",
                  static_cast<unsigned long long>(derive(seed, labelHash("client-secret"))));
    return Credentials{key, "gateway", secret};
}

}  // namespace deptsim
