// Stub: replaced by the decisions work (issue 5). Accepts an empty section.
#include "core/offers.h"

namespace relance {

class OffersConfig {
 public:
  Json source;
};

std::shared_ptr<const OffersConfig> compileOffers(const Json& section, const std::string& path,
                                                   PathErrors& errors) {
  (void)path;
  (void)errors;
  auto config = std::make_shared<OffersConfig>();
  config->source = section;
  return config;
}

Json offersToJson(const OffersConfig& config) { return config.source; }

void decideOffers(const OffersConfig& config, DecisionStep& step) {
  (void)config;
  (void)step;
}

}  // namespace relance
