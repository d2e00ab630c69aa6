// Personalization: compiled from the "personalization" section of the site configuration, then
// consulted by the engine on every observed signal. See docs/configuration.md.
#ifndef RELANCE_CORE_PERSONALIZATION_H_
#define RELANCE_CORE_PERSONALIZATION_H_

#include <memory>
#include <string>
#include <vector>

#include "core/decision_step.h"
#include "core/error.h"
#include "core/json.h"

namespace relance {

class ConditionFormWriter;

class PersonalizationConfig;
class CompiledReader;

// Compiles the "personalization" section (`section` may be null: nothing configured).
// Appends every error, with its JSON Pointer under `path`, to `errors`.
// Returns null when there were errors.
std::shared_ptr<const PersonalizationConfig> compilePersonalization(const Json& section, const std::string& path,
                                                   PathErrors& errors);

// The section as the browser receives it in GET /v1/config (normalised, defaults filled;
// compiles again to the same configuration). Null when nothing is configured.
// Conditions are written by `conditions` (core/condition_form.h), which
// numbers their paths and regexes for the whole configuration.
Json personalizationToJson(const PersonalizationConfig& config, ConditionFormWriter& conditions);

// Loads the section from its compiled form (personalizationToJson's output; `section`
// null when absent), checking only what keeps the engine safe; a fault is
// recorded in `in` (core/compiled_reader.h). Null after a fault.
std::shared_ptr<const PersonalizationConfig> loadPersonalization(const Json& section, const std::string& path, CompiledReader& in);

// Every slot some rule may change: the host hides them until the page_view
// answer arrives (anti-flicker, 300 ms at most).
std::vector<std::string> personalizationSlots(const PersonalizationConfig& config);

// Takes the decisions of this module for one signal: on page_view, the rules
// that hold (highest priority wins each slot or selector) add their variant's
// actions to actions["personalize"] and emit personalization_exposed once;
// actions["reveal"] lists every configured slot (all decided now).
void decidePersonalization(const PersonalizationConfig& config, DecisionStep& step);

}  // namespace relance

#endif  // RELANCE_CORE_PERSONALIZATION_H_
