// Request bodies are parsed by one function: a JSON object or a 400, whatever the body holds; a deeply nested body
// is refused before any recursive code sees it.

#include "gateway/api/parameters.h"
#include "gateway/common/error.h"

#include <gtest/gtest.h>

#include <vector>

namespace gateway::api {
namespace {

Request withBody(std::string body) {
    Request request;
    request.method = "POST";
    request.body = std::move(body);
    return request;
}

ErrorCode refusal(const std::string& body) {
    try {
        objectBody(withBody(body));
    } catch (const GatewayError& e) {
        return e.code();
    }
    return ErrorCode::Internal;  // accepted
}

TEST(ObjectBody, AcceptsAnObjectAndRefusesEverythingElse) {
    const auto body = objectBody(withBody(R"({"decision": "link", "comment": "same child"})"));
    EXPECT_STREQ(body["decision"].GetString(), "link");
    const std::vector<std::string> bad_bodies{"",  "[]",       "\"text\"", "42",
                                              "{", "{\"a\":}", "{} {}",    std::string("{\0}", 3)};
    for (const std::string& bad : bad_bodies) {
        EXPECT_EQ(refusal(bad), ErrorCode::InvalidArgument) << bad;
    }
}

TEST(ObjectBody, DeepNestingIsRefusedWithoutExhaustingTheStack) {
    const std::string deep = "{\"a\":" + std::string(1'000'000, '[') + std::string(1'000'000, ']') + "}";
    EXPECT_EQ(refusal(deep), ErrorCode::InvalidArgument);
    std::string nested = "{\"a\":" + std::string(30, '[') + std::string(30, ']') + "}";
    EXPECT_NO_THROW(objectBody(withBody(nested))) << "32 levels are enough for any real body";
}

TEST(ObjectBody, BracketsInsideStringsDoNotCount) {
    const std::string text =
        "{\"comment\": \"" + std::string(100, '[') + "\\\" still text " + std::string(100, '{') + "\"}";
    const auto body = objectBody(withBody(text));
    EXPECT_EQ(body["comment"].GetStringLength(), 100u + 13u + 100u);
}

}  // namespace
}  // namespace gateway::api
