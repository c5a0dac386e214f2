#include "gateway/common/error.h"

#include <gtest/gtest.h>

#include <rapidjson/document.h>

namespace gateway {
namespace {

TEST(ErrorTest, MapsCodesToStatuses) {
    EXPECT_EQ(httpStatus(ErrorCode::InvalidArgument), 400);
    EXPECT_EQ(httpStatus(ErrorCode::Unauthenticated), 401);
    EXPECT_EQ(httpStatus(ErrorCode::Forbidden), 403);
    EXPECT_EQ(httpStatus(ErrorCode::NotFound), 404);
    EXPECT_EQ(httpStatus(ErrorCode::MethodNotAllowed), 405);
    EXPECT_EQ(httpStatus(ErrorCode::Conflict), 409);
    EXPECT_EQ(httpStatus(ErrorCode::PayloadTooLarge), 413);
    EXPECT_EQ(httpStatus(ErrorCode::RateLimited), 429);
    EXPECT_EQ(httpStatus(ErrorCode::Internal), 500);
    EXPECT_EQ(httpStatus(ErrorCode::StoreUnavailable), 503);
}

TEST(ErrorTest, RendersValidJsonWhateverTheMessageHolds) {
    const std::string json = renderErrorJson(ErrorCode::InvalidArgument, std::string("bad \"\xFF\" \0 here", 14));
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(json.c_str(), json.size());
    ASSERT_FALSE(doc.HasParseError()) << json;
    EXPECT_STREQ(doc["error"]["code"].GetString(), "invalid_argument");
    EXPECT_EQ(std::string(doc["error"]["message"].GetString(), doc["error"]["message"].GetStringLength()),
              std::string("bad \"\xEF\xBF\xBD\" \0 here", 16));
}

TEST(ErrorTest, ExceptionCarriesItsCode) {
    try {
        throw GatewayError(ErrorCode::NotFound, "no such person");
    } catch (const Poco::Exception& e) {
        EXPECT_EQ(e.message(), "no such person");
        EXPECT_STREQ(e.name(), "not_found");
        const auto* gateway_error = dynamic_cast<const GatewayError*>(&e);
        ASSERT_NE(gateway_error, nullptr);
        EXPECT_EQ(gateway_error->code(), ErrorCode::NotFound);
    }
}

}  // namespace
}  // namespace gateway
