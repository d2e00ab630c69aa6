// Stub: replaced by the engine work. Accepts the top-level sections.
#include "core/site_config.h"

#include "core/abandonment.h"
#include "core/offers.h"
#include "core/personalization.h"
#include "core/scoring.h"

namespace relance {

Json SiteConfig::toBrowserJson() const {
  return Json{{"version", 1}, {"site", {{"id", site_id}, {"currency", currency}}}};
}

CompileSiteConfigResult compileSiteConfig(const Json& source) {
  CompileSiteConfigResult result;
  if (!source.is_object()) {
    result.errors.push_back({"", "must be a JSON object"});
    return result;
  }
  auto config = std::make_shared<SiteConfig>();
  auto site = source.find("site");
  if (site != source.end() && site->is_object()) {
    auto origins = site->find("allowed_origins");
    if (origins != site->end() && origins->is_array()) {
      for (const auto& o : *origins)
        if (o.is_string()) config->allowed_origins.push_back(o.get<std::string>());
    }
  }
  result.config = config;
  return result;
}

}  // namespace relance
