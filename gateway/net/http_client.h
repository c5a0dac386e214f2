#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gateway::net {

/// How a client verifies the server and proves itself to it.
struct ClientTls {
    std::string ca_file;      // PEM bundle to verify the server with; empty: the system's
    std::string client_cert;  // PEM, for mutual TLS; with client_key
    std::string client_key;
    bool verify = true;
};

struct HttpResponse {
    long status = 0;
    std::string body;
    /// The Retry-After header as sent (seconds or an HTTP date), when present.
    std::optional<std::string> retry_after;
};

/// One libcurl easy handle, reused for every request so that connections stay open between pages. Not
/// thread-safe.
class HttpClient {
public:
    struct Options {
        ClientTls tls;
        std::chrono::milliseconds connect_timeout{10000};
        std::chrono::milliseconds total_timeout{60000};
        std::size_t max_body_bytes = std::size_t{64} << 20;
    };

    explicit HttpClient(Options options);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    using Headers = std::vector<std::pair<std::string, std::string>>;

    /// Any HTTP status is a response. A transport failure (refused or dropped connection, timeout, a body cut short)
    /// throws TransientFailure(SourceUnavailable); a TLS verification failure or a body over max_body_bytes throws
    /// GatewayError(SourceError). Messages name the URL, never a header.
    HttpResponse get(const std::string& url, const Headers& headers);
    /// POSTs an application/x-www-form-urlencoded body.
    HttpResponse postForm(const std::string& url, const Headers& headers, const std::string& body);

    /// POSTs `body` as `content_type`.
    HttpResponse post(const std::string& url, const Headers& headers, const std::string& body,
                      std::string_view content_type);

    /// Percent-encodes everything but RFC 3986 unreserved characters.
    std::string escape(const std::string& text) const;

private:
    HttpResponse perform(const std::string& url, const Headers& headers, const std::string* form_body,
                         std::string_view content_type);

    static std::size_t onBody(char* data, std::size_t size, std::size_t count, void* self);
    static std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* self);

    Options options_;
    void* curl_;  // CURL*, kept out of this header so that users need not include curl.h
    HttpResponse response_;
    bool oversized_ = false;
};

}  // namespace gateway::net
