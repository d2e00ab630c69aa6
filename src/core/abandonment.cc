// Stub: replaced by the decisions work (issue 5). Accepts an empty section.
#include "core/abandonment.h"

namespace relance {

class AbandonmentConfig {
 public:
  Json source;
};

std::shared_ptr<const AbandonmentConfig> compileAbandonment(const Json& section, const std::string& path,
                                                   PathErrors& errors) {
  (void)path;
  (void)errors;
  auto config = std::make_shared<AbandonmentConfig>();
  config->source = section;
  return config;
}

Json abandonmentToJson(const AbandonmentConfig& config) { return config.source; }

void decideAbandonment(const AbandonmentConfig& config, DecisionStep& step) {
  (void)config;
  (void)step;
}

}  // namespace relance
