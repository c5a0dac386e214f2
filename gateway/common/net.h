#pragma once

#include <string_view>

namespace gateway {

/// True when `host` can only mean this machine: "localhost", an IPv4 address in 127.0.0.0/8, ::1 (bracketed or not)
/// or an IPv4-mapped 127 address. A name that merely starts with "127." is a name like any other, resolved by DNS.
/// Plain HTTP, which carries children's data in clear text, is allowed to such hosts only.
bool isLoopbackHost(std::string_view host);

/// True for a plain http:// URL that leaves this machine (or cannot be read): the one check on every URL the gateway
/// sends secrets or children's data to, so that plain HTTP goes to loopback only.
bool isPlainHttpOffMachine(const std::string& url);

}  // namespace gateway
