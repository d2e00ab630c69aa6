// Abandonment: compiled from the "abandonment" section of the site configuration, then
// consulted by the engine on every observed signal. See docs/configuration.md.
#ifndef RELANCE_CORE_ABANDONMENT_H_
#define RELANCE_CORE_ABANDONMENT_H_

#include <cstdint>
#include <memory>
#include <string>

#include "core/decision_step.h"
#include "core/error.h"
#include "core/json.h"

namespace relance {

class AbandonmentConfig;
class CompiledReader;

// Compiles the "abandonment" section (`section` may be null: nothing configured).
// Appends every error, with its JSON Pointer under `path`, to `errors`.
// Returns null when there were errors.
std::shared_ptr<const AbandonmentConfig> compileAbandonment(const Json& section, const std::string& path,
                                                   PathErrors& errors);

// The section as the browser receives it in GET /v1/config (normalised, defaults filled;
// compiles again to the same configuration). Null when nothing is configured.
Json abandonmentToJson(const AbandonmentConfig& config);

// Loads the section from its compiled form (abandonmentToJson's output; `section`
// null when absent), checking only what keeps the engine safe; a fault is
// recorded in `in` (core/compiled_reader.h). Null after a fault.
std::shared_ptr<const AbandonmentConfig> loadAbandonment(const Json& section, const std::string& path, CompiledReader& in);

// Records an opt-in (called by offers on conversion) so that decideAbandonment
// emits optin_no_cart if no add_to_cart follows within the configured delay.
void noteOptin(Json& state, const std::string& offer_id, std::int64_t now_ms);

// Takes the decisions of this module for one signal: browse_abandoned when a
// product reaches N views (or T seconds) in a session without add_to_cart
// (once per product per period); cart_abandoned when a non-empty cart sees
// the session end by inactivity or the page hidden too long (once per cart
// state); optin_no_cart after an opt-in with no add_to_cart within the delay.
void decideAbandonment(const AbandonmentConfig& config, DecisionStep& step);

}  // namespace relance

#endif  // RELANCE_CORE_ABANDONMENT_H_
