// The first-party visitor cookie `rl_id`, set by the collector on the answer
// to the event request, so a visitor stays recognised past Safari's 7-day cap
// on cookies written by scripts.
#ifndef RELANCE_COLLECTOR_IDENTITY_H_
#define RELANCE_COLLECTOR_IDENTITY_H_

#include <string>
#include <string_view>

namespace relance::collector {

constexpr std::string_view kIdentityCookie = "rl_id";
// 13 months is the longest lifetime European regulators accept for such a
// cookie: 395 days.
constexpr long kIdentityMaxAgeSeconds = 395L * 24 * 3600;

// The value of `rl_id` in a Cookie header when it is one the collector could
// have made (32 lowercase hex digits), else "".
std::string readIdentityCookie(std::string_view cookie_header);

// A fresh random identity: 32 lowercase hex digits (128 bits).
std::string newIdentity();

// The Set-Cookie value: rl_id=<id>; Path=/; Max-Age=...; HttpOnly;
// SameSite=Lax, plus Secure when `secure`.
std::string identitySetCookie(const std::string& id, bool secure);

// The Set-Cookie value that removes the visitor cookie from a browser (the
// answer to POST /v1/forget): the attributes of identitySetCookie with an
// empty value and Max-Age=0.
std::string identityClearCookie(bool secure);

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_IDENTITY_H_
