#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gateway::jobs {

/// Runs each task on its own thread (so a long reconcile never delays a sync), first at start and then every
/// `every` after the previous run ended. Several nodes may run the same schedule: the tasks themselves claim a
/// lease in the store before doing anything.
class Scheduler {
public:
    struct Task {
        std::string name;
        std::chrono::milliseconds every;
        std::function<void()> run;  // must not throw; reports its own failures
    };

    Scheduler() = default;
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    /// Before start() only.
    void add(Task task);
    void start();
    /// Wakes every waiting task, lets running ones finish, joins the threads. Idempotent.
    void stop();

    std::size_t size() const { return tasks_.size(); }

private:
    void loop(const Task& task);

    std::vector<Task> tasks_;
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
};

}  // namespace gateway::jobs
