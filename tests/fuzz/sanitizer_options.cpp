// Built into every fuzz target, so that a run started by hand checks exactly what ctest's runs check.

// Undefined behaviour stops the run like a crash, or libFuzzer would only print it and carry on; only the
// suppressed reports of ubsan.supp are let through.
extern "C" const char* __ubsan_default_options() {
    return "halt_on_error=1:print_stacktrace=1:suppressions=" GATEWAY_FUZZ_UBSAN_SUPPRESSIONS;
}
