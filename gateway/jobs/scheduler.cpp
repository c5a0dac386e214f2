#include "gateway/jobs/scheduler.h"

#include "gateway/common/error.h"

namespace gateway::jobs {

Scheduler::~Scheduler() {
    stop();
}

void Scheduler::add(Task task) {
    if (!threads_.empty()) {
        throw GatewayError(ErrorCode::Internal, "scheduler: task " + task.name + " added after start");
    }
    tasks_.push_back(std::move(task));
}

void Scheduler::start() {
    for (const auto& task : tasks_) {
        threads_.emplace_back([this, &task] { loop(task); });
    }
}

void Scheduler::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) {
        if (thread.joinable()) {
            thread.join();
        }
    }
    threads_.clear();
}

void Scheduler::loop(const Task& task) {
    for (;;) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (stopping_) {
                return;
            }
        }
        task.run();
        std::unique_lock<std::mutex> lock(mutex_);
        if (wake_.wait_for(lock, task.every, [this] { return stopping_; })) {
            return;
        }
    }
}

}  // namespace gateway::jobs
