#pragma once

// `deptsim sink` run as a child process for the tests: the webhook receiver the gateway pushes to.

#include "gateway/common/hash.h"
#include "tests/integration/sim/deptsim_harness.h"

#include <fstream>
#include <string>
#include <vector>

namespace gateway::testing::sim {

inline const std::string kSinkSecret = "sink-test-secret";

/// A `deptsim sink` process on `port` (0: any free one) in its own folder (or a given one); stopped with SIGTERM at
/// the end.
class SinkProcess {
public:
    explicit SinkProcess(std::vector<std::string> extra_args = {}, const std::string& dir = "", int port = 0)
        : dir_(dir.empty() ? owned_.path() + "/sink" : dir) {
        std::vector<std::string> args{"sink", "--dir", dir_, "--port", std::to_string(port)};
        if (std::find(extra_args.begin(), extra_args.end(), "--secret-file") == extra_args.end()) {
            args.insert(args.end(), {"--secret", kSinkSecret});
        }
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        handle_ = std::make_unique<Poco::ProcessHandle>(
            Poco::Process::launch(DEPTSIM_BINARY, args, ".", nullptr, &out_pipe_, &err_pipe_));
        out_ = std::make_unique<Poco::PipeInputStream>(out_pipe_);
        err_reader_ = std::thread([this] {
            Poco::PipeInputStream err(err_pipe_);
            Poco::StreamCopier::copyToString(err, err_text_);
        });
        std::string line;
        std::getline(*out_, line);
        if (line.find("deptsim: sink listening on ") == std::string::npos) {
            stop();
            throw std::runtime_error("deptsim sink did not start: " + line + " " + err_text_);
        }
        const auto info = parseJson(readFile(dir_ + "/sink.json"));
        url_ = info["url"].GetString();
        EXPECT_EQ(line, "deptsim: sink listening on " + url_);
        EXPECT_EQ(info["pid"].GetInt64(), handle_->id());
    }

    ~SinkProcess() { stop(); }
    SinkProcess(const SinkProcess&) = delete;
    SinkProcess& operator=(const SinkProcess&) = delete;

    /// SIGTERM, then the exit code.
    int stop() {
        if (stopped_) {
            return exit_code_;
        }
        stopped_ = true;
        try {
            Poco::Process::requestTermination(handle_->id());
            exit_code_ = handle_->wait();
        } catch (const Poco::Exception&) {
            exit_code_ = -1;
        }
        if (err_reader_.joinable()) {
            err_reader_.join();
        }
        return exit_code_;
    }

    const std::string& dir() const { return dir_; }
    const std::string& url() const { return url_; }

    /// A delivery signed with `secret`; an empty key leaves Idempotency-Key out.
    HttpReply deliver(const std::string& name, const std::string& body, const std::string& key,
                      const std::string& secret = kSinkSecret) const {
        std::map<std::string, std::string> headers{{"Content-Type", "application/json"},
                                                   {"X-Gateway-Signature", "sha256=" + hmacSha256Hex(secret, body)}};
        if (!key.empty()) {
            headers["Idempotency-Key"] = key;
        }
        return httpRequest(url_, "POST", "/hooks/" + name, headers, body);
    }
    HttpReply setFail(const std::string& spec) const { return httpRequest(url_, "POST", "/control/fail", {}, spec); }
    rapidjson::Document received(const std::string& name) const {
        const auto reply = httpRequest(url_, "GET", "/control/received?name=" + name);
        EXPECT_EQ(reply.status, 200) << reply.body;
        return reply.json();
    }
    /// received.jsonl, one parsed document per line.
    std::vector<rapidjson::Document> lines() const {
        std::vector<rapidjson::Document> documents;
        std::ifstream in(dir_ + "/received.jsonl");
        std::string line;
        while (std::getline(in, line)) {
            documents.push_back(parseJson(line));
        }
        return documents;
    }

private:
    TempDir owned_;
    std::string dir_;
    Poco::Pipe out_pipe_;
    Poco::Pipe err_pipe_;
    std::unique_ptr<Poco::ProcessHandle> handle_;
    std::unique_ptr<Poco::PipeInputStream> out_;
    std::thread err_reader_;
    std::string err_text_;
    std::string url_;
    bool stopped_ = false;
    int exit_code_ = -1;
};

}  // namespace gateway::testing::sim
