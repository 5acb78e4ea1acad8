// Sets an environment variable for one scope and restores what was there before (value or
// absence). The kernels read AUCRECALL_THREADS / AUCRECALL_ARCH on every call, so tests and the
// benchmark force them per check or per row with this. Not thread-safe (setenv is not): use it
// only while no other thread runs library calls.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) previous_ = old;
        ::setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (previous_) ::setenv(name_, previous_->c_str(), 1);
        else ::unsetenv(name_);
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> previous_;
};
