#pragma once

#include <cstdio>
#include <cstdlib>

namespace gateway::fuzz {

/// Stops the run when a property of the code under test does not hold, so that libFuzzer keeps the input as a
/// crash; sanitizers only see memory errors and undefined behaviour, not wrong answers.
inline void check(bool holds, const char* what) {
    if (!holds) {
        std::fprintf(stderr, "fuzz property broken: %s\n", what);
        std::abort();
    }
}

}  // namespace gateway::fuzz
