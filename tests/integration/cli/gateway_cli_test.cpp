#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

#include <Poco/File.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <thread>

namespace gateway::testing {
namespace {

std::pair<int, std::string> httpGet(int port, const std::string& path) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    Poco::Net::HTTPRequest request("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::string body;
    Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
    return {response.getStatus(), body};
}

int countLines(const std::string& text) {
    int lines = 0;
    for (const char c : text) {
        lines += c == '\n' ? 1 : 0;
    }
    return lines;
}

TEST(GatewayCliTest, ListsCommandsAndRejectsUnknownOnes) {
    const auto help = runGateway({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    for (const char* command : {"serve", "config", "version"}) {
        EXPECT_NE(help.out.find(command), std::string::npos) << command;
    }
    const auto unknown = runGateway({"frobnicate"});
    EXPECT_EQ(unknown.exit_code, 64);
    EXPECT_NE(unknown.err.find("unknown command 'frobnicate'"), std::string::npos);
    EXPECT_EQ(runGateway({}).exit_code, 64);
}

TEST(GatewayCliTest, ReconcileRefusesWhatItCannotRunWithAPreciseMessage) {
    const auto help = runGateway({"reconcile", "--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("--repair"), std::string::npos) << help.out;
    for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"reconcile"}, "give either --source NAME or --all"},
             {{"reconcile", "--all", "--source", "x"}, "give either --source NAME or --all"},
             {{"reconcile", "--all", "--as-of", "2026-02-30"}, "--as-of 2026-02-30 is not a date"},
             {{"reconcile", "--all", "--max-retire-share", "1.5"}, "--max-retire-share 1.5 is not a share from 0 to 1"},
             {{"reconcile", "--all", "--max-retire-share", "0.1x"}, "is not a share"},
             {{"reconcile", "--all", "--frobnicate"}, "frobnicate"}}) {
        const auto result = runGateway(args);
        EXPECT_EQ(result.exit_code, 64) << args.back();
        EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
    }
    const auto bad_time = runGateway({"config", "check", "--set", "reconcile.schedule=25:00"});
    EXPECT_EQ(bad_time.exit_code, 78);
    EXPECT_NE(bad_time.err.find("is not a time of day HH:MM"), std::string::npos) << bad_time.err;
}

TEST(GatewayCliTest, VersionPrintsTheVersion) {
    const auto version = runGateway({"version"});
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_TRUE(std::regex_search(version.out, std::regex("^gateway \\d+\\.\\d+\\.\\d+\n"))) << version.out;
    EXPECT_NE(version.out.find("Poco 1."), std::string::npos);
}

TEST(GatewayCliTest, EveryCommandHasHelp) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"serve", "--help"}, {"config", "--help"}, {"config", "check", "--help"}, {"version", "--help"}}) {
        const auto result = runGateway(args);
        EXPECT_EQ(result.exit_code, 0) << args[0];
        EXPECT_NE(result.out.find("usage"), std::string::npos) << args[0] << ": " << result.out;
    }
}

TEST(GatewayCliTest, ConfigCheckAcceptsTheShippedExample) {
    const auto result = runGateway({"config", "check", "--config", "config/gateway.properties"}, GATEWAY_SOURCE_DIR);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out, "configuration OK: config/gateway.properties\n");
}

TEST(GatewayCliTest, WrongKeyStopsStartUpWithOneLineNamingKeyAndFile) {
    TempDir dir;
    writeFile(dir.file("bad.properties"), "server.port = 8080\nstore.sqlite.pth = x.db\n");
    for (const char* command : {"serve", "check"}) {
        const auto result = std::string(command) == "serve"
                                ? runGateway({"serve", "--config", dir.file("bad.properties")})
                                : runGateway({"config", "check", "--config", dir.file("bad.properties")});
        EXPECT_EQ(result.exit_code, 78) << command;
        EXPECT_EQ(countLines(result.err), 1) << result.err;
        EXPECT_NE(result.err.find(dir.file("bad.properties")), std::string::npos) << result.err;
        EXPECT_NE(result.err.find("store.sqlite.pth"), std::string::npos) << result.err;
    }
}

TEST(GatewayCliTest, BadValueStopsStartUp) {
    const auto result = runGateway({"serve", "--set", "server.port=http"});
    EXPECT_EQ(result.exit_code, 78);
    EXPECT_EQ(result.err, "gateway serve: --set: key 'server.port': \"http\" is not a whole number\n");
}

TEST(GatewayCliTest, MalformedDivisionFileStopsStartUp) {
    TempDir dir;
    writeFile(dir.file("divisions.csv"), "code,name,level,parent_code\n3204001,bad,city,\n");
    const auto result =
        runGateway({"config", "check", "--set", "reference.divisions_file=" + dir.file("divisions.csv")});
    EXPECT_EQ(result.exit_code, 78);
    EXPECT_EQ(countLines(result.err), 1) << result.err;
    EXPECT_NE(result.err.find("reference.divisions_file: " + dir.file("divisions.csv")), std::string::npos)
        << result.err;
    const auto missing = runGateway({"serve", "--set", "reference.divisions_file=" + dir.file("none.csv")});
    EXPECT_EQ(missing.exit_code, 78);
    EXPECT_NE(missing.err.find("none.csv: cannot read the division codes (reference.divisions_file): No such file"),
              std::string::npos)
        << missing.err;
}

TEST(GatewayCliTest, UnreadableStorePathStopsStartUpWithOneLine) {
    TempDir dir;
    const auto result =
        runGateway({"serve", "--set", "server.port=0", "--set", "store.sqlite.path=" + dir.file("no/such/dir/gw.db")});
    EXPECT_NE(result.exit_code, 0);
    EXPECT_EQ(countLines(result.err), 1) << result.err;
    EXPECT_NE(result.err.find(dir.file("no/such/dir/gw.db")), std::string::npos) << result.err;
}

TEST(GatewayCliTest, ServeAnswersHealthAndReadinessThenStopsOnSigterm) {
    TempDir dir;
    GatewayProcess gateway({"serve", "--set", "server.port=0", "--set", "store.sqlite.path=gw.db"}, dir.path());
    const std::string banner = gateway.readLine();
    std::smatch match;
    ASSERT_TRUE(std::regex_search(banner, match, std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"))) << banner;
    const int port = std::stoi(match[1]);

    const auto health = httpGet(port, "/healthz");
    EXPECT_EQ(health.first, 200);
    EXPECT_EQ(health.second, R"({"status":"ok"})");
    const auto ready = httpGet(port, "/readyz");
    EXPECT_EQ(ready.first, 200);
    EXPECT_NE(ready.second.find(R"("store":"sqlite")"), std::string::npos) << ready.second;
    const auto openapi = httpGet(port, "/openapi.json");
    EXPECT_EQ(openapi.first, 200);
    EXPECT_NE(openapi.second.find("\"/readyz\""), std::string::npos);
    EXPECT_EQ(httpGet(port, "/v1/nothing").first, 404);

    EXPECT_EQ(gateway.terminate(), 0);
    EXPECT_TRUE(Poco::File(dir.file("gw.db")).exists());
}

TEST(GatewayCliTest, DaemonKeepsRelativePathsOfItsStartDirectory) {
    TempDir dir;
    const auto launched = runGateway({"serve", "--daemon", "--pidfile=" + dir.file("gw.pid"), "--set", "server.port=0",
                                      "--set", "store.sqlite.path=relative.db"},
                                     dir.path());
    EXPECT_EQ(launched.exit_code, 0) << launched.err;
    // The daemon detaches at once; wait (bounded) for its pid file and its database, then stop it.
    bool ready = false;
    for (int attempt = 0; attempt < 400 && !ready; ++attempt) {
        ready = Poco::File(dir.file("gw.pid")).exists() && Poco::File(dir.file("relative.db")).exists();
        if (!ready) {
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        }
    }
    ASSERT_TRUE(ready) << "no pid file or database in the start directory";
    const int pid = std::stoi(readFile(dir.file("gw.pid")));
    Poco::Process::requestTermination(pid);
    for (int attempt = 0; attempt < 400 && Poco::Process::isRunning(pid); ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    EXPECT_FALSE(Poco::Process::isRunning(pid));
}

}  // namespace
}  // namespace gateway::testing
