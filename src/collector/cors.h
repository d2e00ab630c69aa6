// Cross-origin rules: only the site's own origins may call the API from a
// browser, with credentials (the rl_id cookie).
#ifndef RELANCE_COLLECTOR_CORS_H_
#define RELANCE_COLLECTOR_CORS_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace relance::collector {

class CorsPolicy {
 public:
  // `origins` like "https://shop.example" (scheme, host, port; no path).
  explicit CorsPolicy(const std::vector<std::string>& origins);

  // True when a request carrying `origin` may use the API: the origin is
  // listed, or it is the collector's own (same scheme and Host).
  bool allows(std::string_view origin, std::string_view host, bool https) const;

 private:
  std::set<std::string, std::less<>> origins_;
};

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_CORS_H_
