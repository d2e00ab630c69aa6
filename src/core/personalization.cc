// Stub: replaced by the decisions work (issue 5). Accepts an empty section.
#include "core/personalization.h"

namespace relance {

class PersonalizationConfig {
 public:
  Json source;
};

std::shared_ptr<const PersonalizationConfig> compilePersonalization(const Json& section, const std::string& path,
                                                   PathErrors& errors) {
  (void)path;
  (void)errors;
  auto config = std::make_shared<PersonalizationConfig>();
  config->source = section;
  return config;
}

Json personalizationToJson(const PersonalizationConfig& config) { return config.source; }

void decidePersonalization(const PersonalizationConfig& config, DecisionStep& step) {
  (void)config;
  (void)step;
}

}  // namespace relance
