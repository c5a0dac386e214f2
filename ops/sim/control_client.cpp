#include "ops/sim/control_client.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>
#include <rapidjson/document.h>

#include <fstream>
#include <sstream>

namespace deptsim {

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

std::optional<std::pair<int, std::string>> postToServer(const std::string& url, const std::string& path_and_query) {
    return askServer(url, Poco::Net::HTTPRequest::HTTP_POST, path_and_query);
}

std::optional<std::pair<int, std::string>> askServer(const std::string& url, const std::string& method,
                                                     const std::string& path_and_query) {
    try {
        const Poco::URI uri(url);
        Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
        // A change of a large city takes a while; the server answers once it is done.
        session.setTimeout(Poco::Timespan(600, 0));
        Poco::Net::HTTPRequest request(method, path_and_query, Poco::Net::HTTPMessage::HTTP_1_1);
        if (method == Poco::Net::HTTPRequest::HTTP_POST) {
            request.setContentLength(0);
        }
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

}  // namespace deptsim
