// What the collector keeps about a visitor's machine: a truncated address, a
// device class instead of the user agent, and whether the agent is a bot;
// and how it forgets a browser whose visitor withdrew consent. Nothing here
// is stored or logged in full.
#ifndef RELANCE_COLLECTOR_PRIVACY_H_
#define RELANCE_COLLECTOR_PRIVACY_H_

#include <string>
#include <string_view>

namespace relance::collector {

// Truncates an IP address before anything is stored: IPv4 to its /24
// ("203.0.113.0"), IPv6 to its /48 ("2001:db8:1::"). IPv4-mapped IPv6 is
// treated as IPv4. Returns "" for text that is not an address.
std::string truncateIp(std::string_view address);

// Reduces a User-Agent header to "bot", "mobile", "tablet", "desktop" or
// "unknown" (empty header).
std::string deviceClass(std::string_view user_agent);

// True when the user agent belongs to a known crawler, monitor or headless
// browser (the list is kBotMarkers in privacy.cc, documented in
// docs/collector.md). Case-insensitive substring match.
bool isBot(std::string_view user_agent);

// The Set-Cookie value that removes the visitor cookie from a browser (the
// answer to POST /v1/forget): rl_id=; Path=/; Max-Age=0; HttpOnly;
// SameSite=Lax, plus Secure when `secure`. A browser replaces a cookie only
// when name, domain and path match, so the attributes are those of
// identitySetCookie (identity.h) with an empty value and no lifetime left.
std::string identityClearCookie(bool secure);

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_PRIVACY_H_
