#include "tests/support/process.h"

#include <Poco/Exception.h>
#include <Poco/StreamCopier.h>

#include <csignal>
#include <thread>

namespace gateway::testing {

RunResult runProgram(const std::string& program, const std::vector<std::string>& args, const std::string& working_dir,
                     const Poco::Process::Env& env) {
    Poco::Pipe out_pipe;
    Poco::Pipe err_pipe;
    Poco::ProcessHandle handle = Poco::Process::launch(program, args, working_dir, nullptr, &out_pipe, &err_pipe, env);
    Poco::PipeInputStream out(out_pipe);
    Poco::PipeInputStream err(err_pipe);
    RunResult result;
    // Drain stderr on its own thread so neither pipe can fill up and block the child.
    std::thread err_reader([&] { Poco::StreamCopier::copyToString(err, result.err); });
    Poco::StreamCopier::copyToString(out, result.out);
    err_reader.join();
    result.exit_code = handle.wait();
    return result;
}

RunResult runGateway(const std::vector<std::string>& args, const std::string& working_dir,
                     const Poco::Process::Env& env) {
    return runProgram(GATEWAY_BINARY, args, working_dir, env);
}

GatewayProcess::GatewayProcess(const std::vector<std::string>& args, const std::string& working_dir,
                               const Poco::Process::Env& env) {
    handle_ = std::make_unique<Poco::ProcessHandle>(
        Poco::Process::launch(GATEWAY_BINARY, args, working_dir, nullptr, &out_pipe_, &err_pipe_, env));
    out_ = std::make_unique<Poco::PipeInputStream>(out_pipe_);
    err_ = std::make_unique<Poco::PipeInputStream>(err_pipe_);
}

GatewayProcess::~GatewayProcess() {
    if (!finished_) {
        try {
            Poco::Process::kill(*handle_);
            handle_->wait();
        } catch (const Poco::Exception&) {
            // Already gone.
        }
    }
}

void GatewayProcess::kill() {
    if (!finished_) {
        Poco::Process::kill(*handle_);
        handle_->wait();
        finished_ = true;
    }
}

std::string GatewayProcess::readLine() {
    std::string line;
    std::getline(*out_, line);
    return line;
}

int GatewayProcess::terminate() {
    Poco::Process::requestTermination(handle_->id());
    return wait();
}

void GatewayProcess::hangUp() {
    ::kill(handle_->id(), SIGHUP);
}

int GatewayProcess::wait() {
    const int code = handle_->wait();
    finished_ = true;
    return code;
}

std::string GatewayProcess::remainingStderr() {
    std::string text;
    Poco::StreamCopier::copyToString(*err_, text);
    return text;
}

}  // namespace gateway::testing
