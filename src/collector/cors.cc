#include "collector/cors.h"

namespace relance::collector {
namespace {

std::string normalise(std::string_view origin) {
  std::string out(origin);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

CorsPolicy::CorsPolicy(const std::vector<std::string>& origins) {
  for (const auto& origin : origins) {
    if (!origin.empty()) origins_.insert(normalise(origin));
  }
}

bool CorsPolicy::allows(std::string_view origin, std::string_view host, bool https) const {
  if (origin.empty() || origin == "null") return false;
  if (origins_.count(origin) > 0) return true;
  if (host.empty()) return false;
  std::string own = std::string(https ? "https://" : "http://") + std::string(host);
  return origin == own;
}

}  // namespace relance::collector
