// Offers: compiled from the "offers" section of the site configuration, then
// consulted by the engine on every observed signal. See docs/configuration.md.
#ifndef RELANCE_CORE_OFFERS_H_
#define RELANCE_CORE_OFFERS_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/decision_step.h"
#include "core/error.h"
#include "core/json.h"

namespace relance {

class ConditionFormWriter;

class OffersConfig;
class CompiledReader;

// Compiles the "offers" section (`section` may be null: nothing configured).
// Appends every error, with its JSON Pointer under `path`, to `errors`.
// Returns null when there were errors.
std::shared_ptr<const OffersConfig> compileOffers(const Json& section, const std::string& path,
                                                   PathErrors& errors);

// The section as the browser receives it in GET /v1/config (normalised, defaults filled;
// compiles again to the same configuration). Null when nothing is configured.
// Conditions are written by `conditions` (core/condition_form.h), which
// numbers their paths and regexes for the whole configuration.
Json offersToJson(const OffersConfig& config, ConditionFormWriter& conditions);

// Loads the section from its compiled form (offersToJson's output; `section`
// null when absent), checking only what keeps the engine safe; a fault is
// recorded in `in` (core/compiled_reader.h). Null after a fault.
std::shared_ptr<const OffersConfig> loadOffers(const Json& section, const std::string& path, CompiledReader& in);

// True when `config` defines an offer whose id is `offer_id` (the collector
// refuses an opt-in for any other).
bool definesOffer(const OffersConfig& config, std::string_view offer_id);

// Takes the decisions of this module for one signal.
void decideOffers(const OffersConfig& config, DecisionStep& step);

}  // namespace relance

#endif  // RELANCE_CORE_OFFERS_H_
