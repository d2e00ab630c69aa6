// Scoring: compiled from the "scoring" section of the site configuration, then
// consulted by the engine on every observed signal. See docs/configuration.md.
#ifndef RELANCE_CORE_SCORING_H_
#define RELANCE_CORE_SCORING_H_

#include <cstdint>
#include <memory>
#include <string>

#include "core/decision_step.h"
#include "core/error.h"
#include "core/json.h"

namespace relance {

class ConditionFormWriter;

class ScoringConfig;
class CompiledReader;

// Compiles the "scoring" section (`section` may be null: nothing configured).
// Appends every error, with its JSON Pointer under `path`, to `errors`.
// Returns null when there were errors.
std::shared_ptr<const ScoringConfig> compileScoring(const Json& section, const std::string& path,
                                                   PathErrors& errors);

// The section as the browser receives it in GET /v1/config (normalised, defaults filled;
// compiles again to the same configuration). Null when nothing is configured.
// Conditions are written by `conditions` (core/condition_form.h), which
// numbers their paths and regexes for the whole configuration.
Json scoringToJson(const ScoringConfig& config, ConditionFormWriter& conditions);

// Loads the section from its compiled form (scoringToJson's output; `section`
// null when absent), checking only what keeps the engine safe; a fault is
// recorded in `in` (core/compiled_reader.h). Null after a fault.
std::shared_ptr<const ScoringConfig> loadScoring(const Json& section, const std::string& path, CompiledReader& in);

// The score `value` stored at `updated_ms`, seen at `now_ms` with a half-life
// of `half_life_days` (0: no decay): value * 0.5^(elapsed days / half-life).
double decayedScore(double value, std::int64_t updated_ms, std::int64_t now_ms, double half_life_days);

// Takes the decisions of this module for one signal: on page_view, track and
// identify, applies every rule whose condition holds (within its daily cap),
// emits score_changed per rule and score_threshold_reached once per upward
// crossing, and sets context.visitor.score.
void decideScoring(const ScoringConfig& config, DecisionStep& step);

}  // namespace relance

#endif  // RELANCE_CORE_SCORING_H_
