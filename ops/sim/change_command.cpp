#include "ops/sim/change_applier.h"
#include "ops/sim/city_builder.h"
#include "ops/sim/command_line.h"
#include "ops/sim/commands.h"
#include "ops/sim/spec_list.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <rapidjson/document.h>

#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>

namespace deptsim {

namespace {

constexpr const char* kUsage =
    "usage: deptsim change --dir DIR [--fraction 0.05] [--seed S]\n"
    "Changes that fraction of every source's rows. While `deptsim serve` runs on DIR the change is made by the\n"
    "server (POST /control/change); otherwise it is applied to DIR directly. Prints what changed.\n";

/// The server's URL from DIR/deptsim.json, or "" when there is none.
std::string serverUrl(const CityPaths& paths) {
    std::ifstream in(paths.deptsim_json, std::ios::binary);
    if (!in) {
        return {};
    }
    std::ostringstream text;
    text << in.rdbuf();
    rapidjson::Document document;
    document.Parse(text.str().c_str());
    if (document.HasParseError() || !document.IsObject() || !document.HasMember("url") || !document["url"].IsString()) {
        return {};
    }
    return document["url"].GetString();
}

/// Asks the running server to make the change; nullopt when no server answers.
std::optional<std::pair<int, std::string>> changeThroughServer(const std::string& url, const std::string& query) {
    try {
        const Poco::URI uri(url);
        Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
        session.setTimeout(Poco::Timespan(600, 0));
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/control/change?" + query,
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setContentLength(0);
        session.sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::string body;
        Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
        return std::make_pair(static_cast<int>(response.getStatus()), body);
    } catch (const Poco::Net::ConnectionRefusedException&) {
        return std::nullopt;
    } catch (const Poco::Net::NetException&) {
        return std::nullopt;
    }
}

}  // namespace

int runChange(const std::vector<std::string>& args) {
    if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << kUsage;
        return kExitOk;
    }
    try {
        const Options options(args, {"dir", "fraction", "seed"}, {});
        const CityPaths paths(options.require("dir"));
        const std::string fraction_text = options.get("fraction").value_or("0.05");
        const auto fraction = parseProbability(fraction_text);
        if (!fraction || *fraction <= 0) {
            throw UsageError("option '--fraction' must be above 0 and at most 1");
        }
        std::optional<std::uint64_t> seed;
        if (options.has("seed")) {
            seed = static_cast<std::uint64_t>(options.number("seed", 0, 0, std::numeric_limits<long long>::max()));
        }
        if (const std::string url = serverUrl(paths); !url.empty()) {
            const std::string query = "fraction=" + fraction_text + (seed ? "&seed=" + std::to_string(*seed) : "");
            if (const auto reply = changeThroughServer(url, query)) {
                std::cout << reply->second << std::endl;
                return reply->first == 200 ? kExitOk : kExitFailure;
            }
        }
        const auto params = generatedCity(paths);
        const auto school = generatedSchoolDb(paths);
        if (!params || !school) {
            std::cerr << "deptsim change: " << paths.dir << " holds no generated city" << std::endl;
            return kExitUsage;
        }
        const Geography geography = Geography::forDistrict(params->district);
        ChangeApplier changer(*params, paths, *school, geography, NamePools::builtin());
        std::cout << changeResultJson(changer.apply(*fraction, seed, false)) << std::endl;
        return kExitOk;
    } catch (const UsageError& e) {
        std::cerr << "deptsim change: " << e.what() << "\n" << kUsage;
        return kExitUsage;
    } catch (const Poco::Exception& e) {
        std::cerr << "deptsim change: " << e.displayText() << std::endl;
        return kExitUnavailable;
    } catch (const std::exception& e) {
        std::cerr << "deptsim change: " << e.what() << std::endl;
        return kExitFailure;
    }
}

}  // namespace deptsim
