#include "gateway/net/http_client.h"

#include "gateway/common/error.h"
#include "gateway/net/retry.h"

#include <curl/curl.h>

#include <Poco/String.h>

#include <cctype>
#include <mutex>

namespace gateway::net {
namespace {

CURL* handle(void* curl) {
    return static_cast<CURL*>(curl);
}

void initialiseCurlOnce() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw GatewayError(ErrorCode::Internal, "libcurl could not be initialised");
        }
    });
}

struct HeaderList {
    curl_slist* list = nullptr;
    ~HeaderList() { curl_slist_free_all(list); }
    void add(const std::string& line) {
        curl_slist* grown = curl_slist_append(list, line.c_str());
        if (grown == nullptr) {
            throw GatewayError(ErrorCode::Internal, "out of memory building request headers");
        }
        list = grown;
    }
};

bool isTransient(CURLcode code) {
    switch (code) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_PARTIAL_FILE:
        case CURLE_GOT_NOTHING:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_AGAIN:
            return true;
        default:
            return false;
    }
}

}  // namespace

HttpClient::HttpClient(Options options) : options_(std::move(options)), curl_(nullptr) {
    initialiseCurlOnce();
    curl_ = curl_easy_init();
    if (curl_ == nullptr) {
        throw GatewayError(ErrorCode::Internal, "libcurl could not create a handle");
    }
    CURL* curl = handle(curl_);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.max_body_bytes));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &HttpClient::onBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &HttpClient::onHeader);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, this);
    // TLS 1.0 and 1.1 are broken and withdrawn (RFC 8996); a server that offers nothing newer is refused.
    curl_easy_setopt(curl, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.tls.verify ? 1L : 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.tls.verify ? 2L : 0L);
    if (!options_.tls.ca_file.empty()) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, options_.tls.ca_file.c_str());
    }
    if (!options_.tls.client_cert.empty()) {
        curl_easy_setopt(curl, CURLOPT_SSLCERT, options_.tls.client_cert.c_str());
        curl_easy_setopt(curl, CURLOPT_SSLKEY, options_.tls.client_key.c_str());
    }
}

HttpClient::~HttpClient() {
    curl_easy_cleanup(handle(curl_));
}

std::string HttpClient::escape(const std::string& text) const {
    char* escaped = curl_easy_escape(handle(curl_), text.data(), static_cast<int>(text.size()));
    if (escaped == nullptr) {
        throw GatewayError(ErrorCode::Internal, "out of memory escaping a query parameter");
    }
    std::string result(escaped);
    curl_free(escaped);
    return result;
}

HttpResponse HttpClient::get(const std::string& url, const Headers& headers) {
    return perform(url, headers, nullptr, {});
}

HttpResponse HttpClient::postForm(const std::string& url, const Headers& headers, const std::string& body) {
    return perform(url, headers, &body, "application/x-www-form-urlencoded");
}

HttpResponse HttpClient::post(const std::string& url, const Headers& headers, const std::string& body,
                              std::string_view content_type) {
    return perform(url, headers, &body, content_type);
}

HttpResponse HttpClient::perform(const std::string& url, const Headers& headers, const std::string* form_body,
                                 std::string_view content_type) {
    CURL* curl = handle(curl_);
    response_ = HttpResponse{};
    oversized_ = false;

    HeaderList header_list;
    for (const auto& [name, value] : headers) {
        header_list.add(name + ": " + value);
    }
    // An empty Expect: keeps curl from waiting for "100 Continue" before sending a body.
    header_list.add("Expect:");
    if (form_body != nullptr) {
        header_list.add("Content-Type: " + std::string(content_type));
    }
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, header_list.list);
    if (form_body != nullptr) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(form_body->size()));
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form_body->data());
    } else {
        curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    }
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);

    const CURLcode code = curl_easy_perform(curl);

    // The handle outlives this call; it must not keep pointers into this frame.
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
    if (form_body != nullptr) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
    }

    if (code == CURLE_FILESIZE_EXCEEDED || (code == CURLE_WRITE_ERROR && oversized_)) {
        response_.body.clear();
        throw GatewayError(ErrorCode::SourceError, url + ": the response body exceeds max_body_bytes (" +
                                                       std::to_string(options_.max_body_bytes) + " bytes)");
    }
    if (code != CURLE_OK) {
        const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
        if (isTransient(code)) {
            throw TransientFailure(ErrorCode::SourceUnavailable, detail);
        }
        throw GatewayError(ErrorCode::SourceError, url + ": " + detail);
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response_.status);
    return std::move(response_);
}

std::size_t HttpClient::onBody(char* data, std::size_t size, std::size_t count, void* self) {
    auto& client = *static_cast<HttpClient*>(self);
    const std::size_t bytes = size * count;
    if (client.response_.body.size() + bytes > client.options_.max_body_bytes) {
        client.oversized_ = true;
        return 0;
    }
    client.response_.body.append(data, bytes);
    return bytes;
}

std::size_t HttpClient::onHeader(char* data, std::size_t size, std::size_t count, void* self) {
    auto& client = *static_cast<HttpClient*>(self);
    const std::size_t bytes = size * count;
    const std::string_view line(data, bytes);
    // A new status line starts a new response (after a 100 Continue); its headers replace the earlier ones.
    if (line.rfind("HTTP/", 0) == 0) {
        client.response_.retry_after.reset();
        return bytes;
    }
    const auto colon = line.find(':');
    if (colon != std::string_view::npos &&
        Poco::icompare(std::string(line.substr(0, colon)), std::string("Retry-After")) == 0) {
        client.response_.retry_after = Poco::trim(std::string(line.substr(colon + 1)));
    }
    return bytes;
}

}  // namespace gateway::net
