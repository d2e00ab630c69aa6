// Stub: replaced by the decisions work (issue 5). Accepts an empty section.
#include "core/scoring.h"

namespace relance {

class ScoringConfig {
 public:
  Json source;
};

std::shared_ptr<const ScoringConfig> compileScoring(const Json& section, const std::string& path,
                                                   PathErrors& errors) {
  (void)path;
  (void)errors;
  auto config = std::make_shared<ScoringConfig>();
  config->source = section;
  return config;
}

Json scoringToJson(const ScoringConfig& config) { return config.source; }

void decideScoring(const ScoringConfig& config, DecisionStep& step) {
  (void)config;
  (void)step;
}

}  // namespace relance
