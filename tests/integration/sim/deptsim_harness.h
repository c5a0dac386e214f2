#pragma once

// Helpers for the simulator's own tests: run deptsim as a process, talk to it over HTTP, read its files.
// Header-only, since only *_test.cpp files in this folder are compiled.

#include "tests/support/encoding.h"
#include "tests/support/temp_dir.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <rapidjson/document.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace gateway::testing::sim {

struct DeptsimResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs deptsim to completion.
inline DeptsimResult runDeptsim(const std::vector<std::string>& args) {
    Poco::Pipe out_pipe;
    Poco::Pipe err_pipe;
    Poco::ProcessHandle handle = Poco::Process::launch(DEPTSIM_BINARY, args, ".", nullptr, &out_pipe, &err_pipe);
    Poco::PipeInputStream out(out_pipe);
    Poco::PipeInputStream err(err_pipe);
    DeptsimResult result;
    std::thread err_reader([&] { Poco::StreamCopier::copyToString(err, result.err); });
    Poco::StreamCopier::copyToString(out, result.out);
    err_reader.join();
    result.exit_code = handle.wait();
    return result;
}

inline rapidjson::Document parseJson(const std::string& text) {
    rapidjson::Document document;
    document.Parse(text.c_str(), text.size());
    if (document.HasParseError()) {
        throw std::runtime_error("not JSON: " + text.substr(0, 200));
    }
    return document;
}

inline std::string readText(const std::string& path) {
    return readFile(path);
}

struct HttpReply {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;

    rapidjson::Document json() const { return parseJson(body); }
};

/// One HTTP request on a fresh connection. `timeout_ms` bounds each socket wait.
inline HttpReply httpRequest(const std::string& url, const std::string& method, const std::string& path_and_query,
                             const std::map<std::string, std::string>& headers = {}, const std::string& body = "",
                             int timeout_ms = 10000) {
    const Poco::URI uri(url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(static_cast<long>(timeout_ms) * 1000));
    Poco::Net::HTTPRequest request(method, path_and_query, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) {
        request.set(name, value);
    }
    if (method == "POST") {
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        if (!request.has("Content-Type")) {
            request.setContentType("application/x-www-form-urlencoded");
        }
    }
    std::ostream& out = session.sendRequest(request);
    out << body;
    Poco::Net::HTTPResponse response;
    HttpReply reply;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), reply.body);
    reply.status = response.getStatus();
    for (const auto& [name, value] : response) {
        reply.headers[name] = value;
    }
    return reply;
}

/// A `deptsim serve` process on port 0 in its own folder (or a given one); stopped with SIGTERM at the end.
class DeptsimServer {
public:
    explicit DeptsimServer(std::vector<std::string> extra_args = {}, int children = 200, std::uint64_t seed = 11,
                           const std::string& dir = "")
        : dir_(dir.empty() ? owned_.path() + "/city" : dir) {
        std::vector<std::string> args{
            "serve",  "--dir", dir_, "--children", std::to_string(children), "--seed", std::to_string(seed),
            "--port", "0"};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        handle_ = std::make_unique<Poco::ProcessHandle>(
            Poco::Process::launch(DEPTSIM_BINARY, args, ".", nullptr, &out_pipe_, &err_pipe_));
        out_ = std::make_unique<Poco::PipeInputStream>(out_pipe_);
        err_reader_ = std::thread([this] {
            Poco::PipeInputStream err(err_pipe_);
            Poco::StreamCopier::copyToString(err, err_text_);
        });
        // The process prints one line once it listens and deptsim.json is written.
        std::string line;
        std::getline(*out_, line);
        if (line.find("deptsim: serving") == std::string::npos) {
            stop();
            throw std::runtime_error("deptsim did not start: " + line + " " + err_text_);
        }
        info_ = parseJson(readFile(dir_ + "/deptsim.json"));
        url_ = info_["url"].GetString();
    }

    ~DeptsimServer() { stop(); }
    DeptsimServer(const DeptsimServer&) = delete;
    DeptsimServer& operator=(const DeptsimServer&) = delete;

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
    std::string info(const char* key) const { return info_[key].GetString(); }
    std::int64_t served(const char* source, const char* field = "rows") const {
        const auto served = parseJson(readFile(dir_ + "/truth/served.json"));
        return served[source][field].GetInt64();
    }

    HttpReply get(const std::string& path, const std::map<std::string, std::string>& headers = {},
                  int timeout_ms = 10000) const {
        return httpRequest(url_, "GET", path, headers, "", timeout_ms);
    }
    HttpReply post(const std::string& path, const std::string& body = "",
                   const std::map<std::string, std::string>& headers = {}) const {
        return httpRequest(url_, "POST", path, headers, body);
    }
    HttpReply police(const std::string& query) const {
        return get("/police/v1/persons" + query, {{"X-API-Key", info("police_api_key")}});
    }
    std::string token() const {
        const auto reply = post("/oauth/token", "grant_type=client_credentials&client_id=" + info("civil_client_id") +
                                                    "&client_secret=" + info("civil_client_secret"));
        if (reply.status != 200) {
            throw std::runtime_error("no token: " + reply.body);
        }
        return reply.json()["access_token"].GetString();
    }
    HttpReply civil(const std::string& query, const std::string& token) const {
        return get("/civil/v1/cases" + query, {{"Authorization", "Bearer " + token}});
    }
    HttpReply setFaults(const std::string& spec) const { return post("/control/faults", spec); }

private:
    TempDir owned_;
    std::string dir_;
    Poco::Pipe out_pipe_;
    Poco::Pipe err_pipe_;
    std::unique_ptr<Poco::ProcessHandle> handle_;
    std::unique_ptr<Poco::PipeInputStream> out_;
    std::thread err_reader_;
    std::string err_text_;
    rapidjson::Document info_;
    std::string url_;
    bool stopped_ = false;
    int exit_code_ = -1;
};

/// Every id a paged source serves from `cursor` on: follows next cursors until has_more is false. Returns the
/// ids in order and the last cursor.
struct PagedRun {
    std::vector<std::string> ids;
    std::string last_cursor;
    int pages = 0;
};

inline PagedRun pagePolice(const DeptsimServer& server, int limit, const std::string& cursor = "") {
    PagedRun run;
    run.last_cursor = cursor;
    while (true) {
        const std::string query =
            "?limit=" + std::to_string(limit) + (run.last_cursor.empty() ? "" : "&cursor=" + run.last_cursor);
        const auto reply = server.police(query);
        if (reply.status != 200) {
            throw std::runtime_error("police page failed: " + std::to_string(reply.status) + " " + reply.body);
        }
        const auto page = reply.json();
        ++run.pages;
        for (const auto& item : page["data"].GetArray()) {
            run.ids.emplace_back(item["person_id"].GetString());
        }
        if (page["next_cursor"].IsString()) {
            run.last_cursor = page["next_cursor"].GetString();
        }
        if (!page["has_more"].GetBool()) {
            return run;
        }
    }
}

inline PagedRun pageCivil(const DeptsimServer& server, const std::string& token, int page_size,
                          const std::string& cursor = "") {
    PagedRun run;
    run.last_cursor = cursor;
    while (true) {
        const std::string query =
            "?page_size=" + std::to_string(page_size) + (run.last_cursor.empty() ? "" : "&since=" + run.last_cursor);
        const auto reply = server.civil(query, token);
        if (reply.status != 200) {
            throw std::runtime_error("civil page failed: " + std::to_string(reply.status) + " " + reply.body);
        }
        const auto page = reply.json();
        ++run.pages;
        for (const auto& item : page["records"].GetArray()) {
            run.ids.emplace_back(item["case_id"].GetString());
        }
        if (page["next"].IsString()) {
            run.last_cursor = page["next"].GetString();
        }
        if (!page["has_more"].GetBool()) {
            return run;
        }
    }
}

/// truth.csv as (source, source_id) → entity_id.
inline std::map<std::pair<std::string, std::string>, std::string> readTruth(const std::string& dir) {
    std::map<std::pair<std::string, std::string>, std::string> truth;
    std::istringstream in(readFile(dir + "/truth/truth.csv"));
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "source,source_id,entity_id");
    while (std::getline(in, line)) {
        const auto first = line.find(',');
        const auto second = line.find(',', first + 1);
        const bool fresh =
            truth
                .emplace(std::make_pair(line.substr(0, first), line.substr(first + 1, second - first - 1)),
                         line.substr(second + 1))
                .second;
        EXPECT_TRUE(fresh) << "truth.csv repeats " << line;
    }
    return truth;
}

inline std::vector<std::string> truthIds(const std::map<std::pair<std::string, std::string>, std::string>& truth,
                                         const std::string& source) {
    std::vector<std::string> ids;
    for (const auto& [key, entity] : truth) {
        if (key.first == source) {
            ids.push_back(key.second);
        }
    }
    return ids;
}

/// changes.csv rows of one change and source.
inline std::vector<std::string> changedIds(const std::string& dir, int change, const std::string& source) {
    std::vector<std::string> ids;
    std::istringstream in(readFile(dir + "/truth/changes.csv"));
    std::string line;
    std::getline(in, line);
    const std::string prefix = std::to_string(change) + "," + source + ",";
    while (std::getline(in, line)) {
        if (line.rfind(prefix, 0) == 0) {
            const std::string rest = line.substr(prefix.size());
            ids.push_back(rest.substr(0, rest.find(',')));
        }
    }
    return ids;
}

/// Converts with glibc iconv; nullopt when the bytes are not valid in `from`.
inline std::optional<std::string> convert(const std::string& bytes, const char* from, const char* to = "UTF-8") {
    return convertEncoding(bytes, from, to);
}

/// A health drop decoded to UTF-8: UTF-8 after a BOM, GB18030 otherwise.
inline std::optional<std::string> decodeDrop(const std::string& bytes) {
    if (bytes.rfind("\xEF\xBB\xBF", 0) == 0) {
        return convert(bytes.substr(3), "UTF-8");
    }
    return convert(bytes, "GB18030");
}

/// RFC 4180 records (quoted fields, doubled quotes, CRLF).
inline std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            record.push_back(field);
            field.clear();
        } else if (c == '\r') {
            continue;
        } else if (c == '\n') {
            record.push_back(field);
            field.clear();
            records.push_back(record);
            record.clear();
        } else {
            field += c;
        }
    }
    if (!field.empty() || !record.empty()) {
        record.push_back(field);
        records.push_back(record);
    }
    return records;
}

inline const std::string kHealthHeader =
    "出生医学证明编号,新生儿姓名,性别,出生日期,出生体重,母亲姓名,母亲身份证号,父亲姓名,父亲身份证号,户籍登记状态,"
    "居住地区划,残疾,重大疾病,更新时间";

/// The CSV files of a health drop folder, sorted by name.
inline std::vector<std::string> dropFiles(const std::string& folder) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        const std::string name = entry.path().filename().string();
        if (name.size() > 4 && name.substr(name.size() - 4) == ".csv") {
            names.push_back(name);
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace gateway::testing::sim
