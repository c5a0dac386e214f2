#pragma once

#include <memory>
#include <mutex>

namespace gateway::security {

/// Something a running server reads on every request and SIGHUP replaces (the clients file, the bearer-token
/// settings), so that a key is revoked or rotated without a restart. Each request works with the value that was
/// current when it asked; a replacement never changes one under it.
template <typename T>
class Reloadable {
public:
    explicit Reloadable(T value) : value_(std::make_shared<const T>(std::move(value))) {}

    std::shared_ptr<const T> current() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return value_;
    }

    void replace(T value) {
        auto next = std::make_shared<const T>(std::move(value));
        std::lock_guard<std::mutex> lock(mutex_);
        value_ = std::move(next);
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const T> value_;
};

}  // namespace gateway::security
