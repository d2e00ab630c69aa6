#include "collector/identity.h"

#include <sys/random.h>

#include <cstddef>
#include <cstring>

namespace relance::collector {
namespace {

bool isIdentity(std::string_view value) {
  if (value.size() != 32) return false;
  for (char c : value) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string readIdentityCookie(std::string_view header) {
  while (!header.empty()) {
    std::size_t end = header.find(';');
    std::string_view pair = trim(header.substr(0, end));
    header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
    std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (trim(pair.substr(0, eq)) != kIdentityCookie) continue;
    std::string_view value = trim(pair.substr(eq + 1));
    if (isIdentity(value)) return std::string(value);
  }
  return "";
}

std::string newIdentity() {
  // From the kernel's CSPRNG: identities must not be guessable from one
  // another. Fetched 64 identities at a time per thread (one getrandom call
  // per request was a tenth of the collector's system calls); every byte is
  // used once, and the buffer never leaves its thread.
  constexpr std::size_t kIdentityBytes = 16;
  thread_local unsigned char pool[64 * kIdentityBytes];
  thread_local std::size_t used = sizeof pool;
  if (used == sizeof pool) {
    std::size_t got = 0;
    while (got < sizeof pool) {
      ssize_t n = getrandom(pool + got, sizeof pool - got, 0);
      if (n > 0) got += static_cast<std::size_t>(n);
    }
    used = 0;
  }
  unsigned char bytes[kIdentityBytes];
  std::memcpy(bytes, pool + used, kIdentityBytes);
  std::memset(pool + used, 0, kIdentityBytes);  // a used identity does not stay in memory twice
  used += kIdentityBytes;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int i = 0; i < 16; ++i) {
    id[2 * i] = kHex[bytes[i] >> 4];
    id[2 * i + 1] = kHex[bytes[i] & 0xf];
  }
  return id;
}

namespace {

// rl_id=<value>; Path=/; Max-Age=<max_age>; HttpOnly; SameSite=Lax[; Secure]:
// the one place the cookie's attributes are written, since a browser removes
// a cookie (identityClearCookie) only when name, domain and path match the
// ones it was set with.
std::string identityCookie(std::string_view value, std::string_view max_age, bool secure) {
  constexpr std::string_view kPath = "; Path=/; Max-Age=";
  constexpr std::string_view kFlags = "; HttpOnly; SameSite=Lax";
  constexpr std::string_view kSecure = "; Secure";
  std::string cookie;
  cookie.reserve(kIdentityCookie.size() + 1 + value.size() + kPath.size() + max_age.size() + kFlags.size() +
                 kSecure.size());
  cookie += kIdentityCookie;
  cookie += '=';
  cookie += value;
  cookie += kPath;
  cookie += max_age;
  cookie += kFlags;
  if (secure) cookie += kSecure;
  return cookie;
}

}  // namespace

std::string identitySetCookie(const std::string& id, bool secure) {
  static const std::string max_age = std::to_string(kIdentityMaxAgeSeconds);  // written once, not per answer
  return identityCookie(id, max_age, secure);
}

std::string identityClearCookie(bool secure) { return identityCookie("", "0", secure); }

}  // namespace relance::collector
