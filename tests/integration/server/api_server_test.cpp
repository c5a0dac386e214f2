#include "gateway/api/api_server.h"
#include "gateway/common/error.h"
#include "gateway/common/utf8.h"

#include <Poco/Event.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

namespace gateway::api {
namespace {

struct Reply {
    int status = 0;
    std::string body;
    std::string allow;
};

Reply call(int port, const std::string& method, const std::string& uri, const std::string& body = "",
           bool chunked = false) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest request(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
    if (chunked) {
        request.setChunkedTransferEncoding(true);
    } else if (!body.empty()) {
        request.setContentLength64(static_cast<Poco::Int64>(body.size()));
    }
    Reply reply;
    try {
        std::ostream& out = session.sendRequest(request);
        out << body;
        Poco::Net::HTTPResponse response;
        std::istream& in = session.receiveResponse(response);
        reply.status = response.getStatus();
        reply.allow = response.get("Allow", "");
        Poco::StreamCopier::copyToString(in, reply.body);
    } catch (const Poco::IOException& e) {
        // The server may close the connection while a refused body is still being sent (a NetException, or a
        // plain I/O error from the stream).
        reply.status = -1;
        reply.body = e.displayText();
    }
    return reply;
}

std::string errorCode(const Reply& reply) {
    rapidjson::Document doc;
    doc.Parse(reply.body.c_str());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("error")) {
        return "<not an error document: " + reply.body + ">";
    }
    return doc["error"]["code"].GetString();
}

class ApiServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        router_.add({"GET", "/ping", "ping", [](const Request&) { return jsonResponse(200, R"({"pong":true})"); }});
        router_.add({"POST", "/echo", "echo",
                     [](const Request& r) { return jsonResponse(200, std::to_string(r.body.size())); }});
        router_.add({"GET", "/items/{id}", "item", [](const Request& r) -> Response {
                         if (r.path_params.at("id") == "missing") {
                             throw GatewayError(ErrorCode::NotFound, "no item missing");
                         }
                         return jsonResponse(200, "\"" + r.path_params.at("id") + "\"");
                     }});
        router_.add({"GET", "/query", "query", [](const Request& r) {
                         auto it = r.query.find("name");
                         return jsonResponse(200, it == r.query.end() ? "null" : "\"" + it->second + "\"");
                     }});
        router_.add({"GET", "/bug", "bug", [](const Request&) -> Response { throw std::logic_error("boom"); }});
        router_.add({"GET", "/slow", "slow", [this](const Request&) {
                         entered_.set();
                         release_.wait();
                         return jsonResponse(200, R"({"finished":true})");
                     }});
        settings_.port = 0;
        settings_.max_body_bytes = 4096;
        settings_.threads = 4;
        server_ = std::make_unique<ApiServer>(settings_, router_);
        server_->start();
        ASSERT_GT(server_->port(), 0);
    }

    Router router_;
    ServerSettings settings_;
    std::unique_ptr<ApiServer> server_;
    Poco::Event entered_;
    Poco::Event release_;
};

TEST_F(ApiServerTest, ServesRoutesOnTheChosenPort) {
    const auto reply = call(server_->port(), "GET", "/ping");
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body, R"({"pong":true})");
    EXPECT_EQ(call(server_->port(), "GET", "/items/42").body, "\"42\"");
}

TEST_F(ApiServerTest, AnswersUnknownPathsAndMethodsWithJsonErrors) {
    const auto missing = call(server_->port(), "GET", "/nope");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(errorCode(missing), "not_found");
    const auto wrong_method = call(server_->port(), "DELETE", "/ping");
    EXPECT_EQ(wrong_method.status, 405);
    EXPECT_EQ(wrong_method.allow, "GET");
    EXPECT_EQ(errorCode(wrong_method), "method_not_allowed");
}

TEST_F(ApiServerTest, HandlerErrorsBecomeTheirStatus) {
    const auto missing = call(server_->port(), "GET", "/items/missing");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(errorCode(missing), "not_found");
    const auto bug = call(server_->port(), "GET", "/bug");
    EXPECT_EQ(bug.status, 500);
    EXPECT_EQ(errorCode(bug), "internal");
    EXPECT_EQ(bug.body.find("boom"), std::string::npos) << "internal details must not leak";
}

TEST_F(ApiServerTest, EnforcesTheBodyLimitOnDeclaredAndChunkedBodies) {
    EXPECT_EQ(call(server_->port(), "POST", "/echo", std::string(4096, 'x')).body, "4096");
    // The client sends its whole body after the server has refused it; lingering lets it read the refusal.
    for (int attempt = 0; attempt < 20; ++attempt) {
        const auto declared = call(server_->port(), "POST", "/echo", std::string(300000, 'x'));
        ASSERT_EQ(declared.status, 413) << "attempt " << attempt << ": " << declared.body;
        EXPECT_EQ(errorCode(declared), "payload_too_large");
        const auto chunked = call(server_->port(), "POST", "/echo", std::string(100000, 'y'), true);
        ASSERT_EQ(chunked.status, 413) << "attempt " << attempt << ": " << chunked.body;
        EXPECT_EQ(errorCode(chunked), "payload_too_large");
    }
    EXPECT_EQ(call(server_->port(), "POST", "/echo", std::string(100, 'z'), true).body, "100");
    // The server is still healthy afterwards.
    EXPECT_EQ(call(server_->port(), "GET", "/ping").status, 200);
}

TEST_F(ApiServerTest, RejectsMalformedQueryStringsWith400) {
    EXPECT_EQ(call(server_->port(), "GET", "/query?name=%E5%BC%A0").body, "\"张\"");
    const auto bad = call(server_->port(), "GET", "/query?name=%zz");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(errorCode(bad), "invalid_argument");
}

TEST_F(ApiServerTest, AnOversizedRequestLineOrHeaderIsRefusedWithTheErrorContract) {
    for (int attempt = 0; attempt < 20; ++attempt) {
        // Beyond the 16 kB request line HTTP reads: the server answers before the client has finished sending.
        const auto long_line = call(server_->port(), "GET", "/query?name=" + std::string(40000, 'A'));
        ASSERT_EQ(long_line.status, 400) << "attempt " << attempt << ": " << long_line.body;
        EXPECT_EQ(errorCode(long_line), "invalid_argument");
        EXPECT_NE(long_line.body.find("16384"), std::string::npos) << long_line.body;
    }
    // A header field over 8 kB, and more than 100 fields.
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
    Poco::Net::HTTPRequest request("GET", "/ping", Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("X-Purpose", std::string(9000, 'p'));
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
    EXPECT_EQ(response.getStatus(), 400);
    EXPECT_EQ(errorCode({response.getStatus(), body, ""}), "invalid_argument");
    EXPECT_FALSE(response.getKeepAlive()) << "a connection whose header was not read to its end cannot go on";

    Poco::Net::HTTPClientSession many("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
    Poco::Net::HTTPRequest crowded("GET", "/ping", Poco::Net::HTTPMessage::HTTP_1_1);
    for (int field = 0; field < 150; ++field) {
        crowded.set("X-Field-" + std::to_string(field), "v");
    }
    many.sendRequest(crowded);
    Poco::Net::HTTPResponse crowded_response;
    body.clear();
    Poco::StreamCopier::copyToString(many.receiveResponse(crowded_response), body);
    EXPECT_EQ(crowded_response.getStatus(), 400);
    EXPECT_EQ(errorCode({crowded_response.getStatus(), body, ""}), "invalid_argument");

    // Not HTTP at all: an answer, then the end of the connection.
    Poco::Net::StreamSocket raw(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server_->port())));
    raw.setReceiveTimeout(Poco::Timespan(10, 0));
    const std::string garbage = "\x16\x03\x01 this is not a request\r\n\r\n";
    raw.sendBytes(garbage.data(), static_cast<int>(garbage.size()));
    std::string answer;
    char buffer[4096];
    for (int got = 0; (got = raw.receiveBytes(buffer, sizeof buffer)) > 0;) {
        answer.append(buffer, static_cast<std::size_t>(got));
    }
    EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer;
    EXPECT_NE(answer.find("invalid_argument"), std::string::npos) << answer;

    // The server goes on serving, keep-alive included.
    Poco::Net::HTTPClientSession kept("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
    kept.setKeepAlive(true);
    for (int request_number = 0; request_number < 3; ++request_number) {
        Poco::Net::HTTPRequest ping("GET", "/ping", Poco::Net::HTTPMessage::HTTP_1_1);
        kept.sendRequest(ping);
        Poco::Net::HTTPResponse pong;
        body.clear();
        Poco::StreamCopier::copyToString(kept.receiveResponse(pong), body);
        EXPECT_EQ(pong.getStatus(), 200);
        EXPECT_TRUE(pong.getKeepAlive());
        EXPECT_EQ(body, R"({"pong":true})");
    }
}

TEST_F(ApiServerTest, StopClosesAnIdleKeepAliveConnectionAtOnce) {
    Poco::Net::HTTPClientSession idle("127.0.0.1", static_cast<Poco::UInt16>(server_->port()));
    idle.setKeepAlive(true);
    Poco::Net::HTTPRequest ping("GET", "/ping", Poco::Net::HTTPMessage::HTTP_1_1);
    idle.sendRequest(ping);
    Poco::Net::HTTPResponse pong;
    std::string body;
    Poco::StreamCopier::copyToString(idle.receiveResponse(pong), body);
    ASSERT_TRUE(pong.getKeepAlive());
    // The connection now waits for a next request, for up to the keep-alive timeout (10 s); stop must not.
    const auto started = std::chrono::steady_clock::now();
    server_->stop();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(8));
    EXPECT_EQ(call(server_->port(), "GET", "/ping").status, -1) << "the stopped server still answers";
}

TEST_F(ApiServerTest, StopLetsTheRequestInProgressFinish) {
    const int port = server_->port();
    auto slow = std::async(std::launch::async, [port] { return call(port, "GET", "/slow"); });
    ASSERT_TRUE(entered_.tryWait(10000));
    auto stopping = std::async(std::launch::async, [this] { server_->stop(); });
    // Wait (bounded) until the listening socket is closed, then let the handler finish.
    bool refused = false;
    for (int attempt = 0; attempt < 2000 && !refused; ++attempt) {
        try {
            Poco::Net::StreamSocket probe;
            probe.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)),
                          Poco::Timespan(0, 100000));
            probe.close();
            std::this_thread::yield();
        } catch (const Poco::Exception&) {
            refused = true;
        }
    }
    EXPECT_TRUE(refused) << "the server kept accepting new connections while stopping";
    release_.set();
    const auto reply = slow.get();
    stopping.get();
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body, R"({"finished":true})");
}

/// Connections that a slow client opens from its own loopback address and then holds, sending half a request head
/// or nothing at all.
class SlowClientTest : public ::testing::Test {
protected:
    void SetUp() override {
        router_.add({"GET", "/healthz", "healthz", [](const Request&) { return jsonResponse(200, R"({"ok":true})"); }});
        settings_.port = 0;
        settings_.threads = 16;  // the defaults a deployment starts with
        settings_.queue = 100;
        settings_.max_connections_per_address = 8;
        settings_.head_timeout_seconds = 2;
        server_ = std::make_unique<ApiServer>(settings_, router_);
        server_->start();
        ASSERT_GT(server_->port(), 0);
    }

    /// A connection from `from` (any 127.x.y.z address is this machine) that has sent `bytes`; nullptr when the
    /// server refused it outright.
    std::unique_ptr<Poco::Net::StreamSocket> open(const std::string& from, const std::string& bytes) {
        auto socket = std::make_unique<Poco::Net::StreamSocket>(Poco::Net::SocketAddress::IPv4);
        socket->impl()->bind(Poco::Net::SocketAddress(from, 0));
        try {
            socket->connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(server_->port())),
                            Poco::Timespan(10, 0));
            if (!bytes.empty()) {
                socket->sendBytes(bytes.data(), static_cast<int>(bytes.size()));
            }
        } catch (const Poco::Exception&) {
            return nullptr;
        }
        return socket;
    }

    /// True when the server ends `socket` (end of stream or a reset) within `limit`; false if it is still open.
    static bool endedWithin(Poco::Net::StreamSocket& socket, Poco::Timespan limit) {
        try {
            socket.setReceiveTimeout(limit);
            char byte = 0;
            return socket.receiveBytes(&byte, 1) <= 0;
        } catch (const Poco::TimeoutException&) {
            return false;
        } catch (const Poco::Exception&) {
            return true;  // reset
        }
    }

    Router router_;
    ServerSettings settings_;
    std::unique_ptr<ApiServer> server_;
};

TEST_F(SlowClientTest, HealthzAnswersWithinASecondWhileThreeHundredSlowConnectionsAreOpen) {
    // Half a request head each, never finished: without limits the 16 workers would wait on these for 30 s each
    // while the queue of 100 filled up behind them.
    std::vector<std::unique_ptr<Poco::Net::StreamSocket>> slow;
    for (int i = 0; i < 300; ++i) {
        slow.push_back(open("127.0.0.2", i % 2 == 0 ? "GET /healthz HTTP/1.1\r\nHost: gate" : ""));
    }
    for (int attempt = 0; attempt < 3; ++attempt) {
        const auto started = std::chrono::steady_clock::now();
        const Reply reply = call(server_->port(), "GET", "/healthz");
        const auto took = std::chrono::steady_clock::now() - started;
        std::printf("healthz with 300 slow connections open: %lld ms\n",
                    static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()));
        EXPECT_EQ(reply.status, 200) << reply.body;
        EXPECT_LT(took, std::chrono::seconds(1))
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms";
    }
    // The address kept at most its limit: every connection beyond it was closed unread.
    std::size_t open_now = 0;
    for (auto& socket : slow) {
        if (socket != nullptr && !endedWithin(*socket, Poco::Timespan(0, 200000))) {
            ++open_now;
        }
    }
    EXPECT_LE(open_now, 8u);
}

TEST_F(SlowClientTest, AHeadThatDoesNotArriveInTimeEndsItsConnection) {
    for (const std::string& sent : {std::string(), std::string("GET /healthz HTTP/1.1\r\nHost: g")}) {
        auto socket = open("127.0.0.3", sent);
        ASSERT_NE(socket, nullptr);
        // Within the head timeout (2 s) and a generous margin for a busy machine, never the request timeout (30 s).
        EXPECT_TRUE(endedWithin(*socket, Poco::Timespan(20, 0))) << "still open: " << utf8::quote(sent);
    }
    EXPECT_EQ(call(server_->port(), "GET", "/healthz").status, 200);
}

TEST_F(SlowClientTest, AnAddressOverItsLimitIsClosedAndServedAgainOnceItsConnectionsEnd) {
    std::vector<std::unique_ptr<Poco::Net::StreamSocket>> held;
    for (int i = 0; i < 8; ++i) {
        held.push_back(open("127.0.0.4", "GET /healthz HTTP/1.1\r\n"));
        ASSERT_NE(held.back(), nullptr);
    }
    // A ninth one is closed unread, not queued behind the eight. The eight are counted once the workers have taken
    // them; until then the ninth may be taken too, so look until it is refused (bounded).
    bool refused = false;
    for (int attempt = 0; attempt < 50 && !refused; ++attempt) {
        auto ninth = open("127.0.0.4", "GET /healthz HTTP/1.1\r\n\r\n");
        refused = ninth == nullptr || endedWithin(*ninth, Poco::Timespan(5, 0));
    }
    EXPECT_TRUE(refused);
    EXPECT_EQ(call(server_->port(), "GET", "/healthz").status, 200) << "other addresses are served meanwhile";
    held.clear();  // the client closes its connections: the address is free again
    bool served = false;
    for (int attempt = 0; attempt < 200 && !served; ++attempt) {
        auto again = open("127.0.0.4", "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        if (again == nullptr) {
            continue;
        }
        again->setReceiveTimeout(Poco::Timespan(5, 0));
        char buffer[64] = {};
        try {
            const int got = again->receiveBytes(buffer, sizeof buffer - 1);
            served = got > 0 && std::string(buffer, static_cast<std::size_t>(got)).starts_with("HTTP/1.1 200");
        } catch (const Poco::Exception&) {
        }
    }
    EXPECT_TRUE(served);
}

}  // namespace
}  // namespace gateway::api
