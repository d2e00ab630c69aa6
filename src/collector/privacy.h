// What the collector keeps about a visitor's machine: a truncated address, a
// device class instead of the user agent, and whether the agent is a bot.
// Nothing here is stored or logged in full. (Forgetting a browser, the
// cleared cookie, is identity.h's identityClearCookie.)
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


}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_PRIVACY_H_
