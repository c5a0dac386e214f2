#include "gateway/common/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <string>

namespace gateway {

bool isLoopbackHost(std::string_view host) {
    if (host == "localhost") {
        return true;
    }
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    const std::string text(host);
    in_addr v4{};
    if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) {
        return (ntohl(v4.s_addr) >> 24) == 127;
    }
    in6_addr v6{};
    if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
        return IN6_IS_ADDR_LOOPBACK(&v6) || (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
    }
    return false;
}

bool isPlainHttpOffMachine(const std::string& url) {
    if (!url.starts_with("http://")) {
        return false;
    }
    try {
        return !isLoopbackHost(Poco::URI(url).getHost());
    } catch (const Poco::SyntaxException&) {
        return true;
    }
}

}  // namespace gateway
