#pragma once

#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>

#include <memory>
#include <string>
#include <vector>

namespace gateway::testing {

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs `program` (a path) with `args` in `working_dir`, with `env` added to its environment, and waits for it.
RunResult runProgram(const std::string& program, const std::vector<std::string>& args,
                     const std::string& working_dir = ".", const Poco::Process::Env& env = {});

/// Runs the gateway executable with `args` in `working_dir`, with `env` added to its environment, and waits for it.
RunResult runGateway(const std::vector<std::string>& args, const std::string& working_dir = ".",
                     const Poco::Process::Env& env = {});

/// A gateway process running in the background; killed (SIGKILL) on destruction if still running.
class GatewayProcess {
public:
    /// `env` is added to the process's environment (e.g. GATEWAY_CLOCK_START, TZ).
    GatewayProcess(const std::vector<std::string>& args, const std::string& working_dir = ".",
                   const Poco::Process::Env& env = {});
    ~GatewayProcess();
    GatewayProcess(const GatewayProcess&) = delete;
    GatewayProcess& operator=(const GatewayProcess&) = delete;

    /// The next line the process writes to standard output ("" at end of output).
    std::string readLine();
    /// Sends SIGTERM and waits for the exit code.
    int terminate();
    /// Sends SIGHUP: reload.
    void hangUp();
    /// Sends SIGKILL, as a crash would, and waits for the process to go.
    void kill();
    /// Waits for the exit code, then returns what was left on standard error.
    int wait();
    std::string remainingStderr();

private:
    Poco::Pipe out_pipe_;
    Poco::Pipe err_pipe_;
    std::unique_ptr<Poco::ProcessHandle> handle_;
    std::unique_ptr<Poco::PipeInputStream> out_;
    std::unique_ptr<Poco::PipeInputStream> err_;
    bool finished_ = false;
};

}  // namespace gateway::testing
