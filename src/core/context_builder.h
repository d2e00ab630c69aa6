// The condition context: the object every condition of the configuration
// (segments, personalization, offers, scoring) is evaluated against. Built
// once per signal from the signal, the visitor state and the time. Its shape
// is a public contract: docs/engine.md, "The context".
#ifndef RELANCE_CORE_CONTEXT_BUILDER_H_
#define RELANCE_CORE_CONTEXT_BUILDER_H_

#include <cstdint>

#include "core/json.h"
#include "core/site_config.h"

namespace relance {

// What the engine knows about the signal beyond the state.
struct ContextInputs {
  const Json& signal;         // the validated signal {"type", "id", "props", "context"}
  const Json& event_context;  // page, utm, device, locale of the happening
  const Json* event;          // {"type", "properties"} of the event the signal produced, or null
  bool new_session;           // this signal opened a session
  std::int64_t now_ms;
};

// Builds the context, segments included (each compiled segment of `config`
// evaluated against the rest of the context).
Json buildContext(const SiteConfig& config, const Json& state, const ContextInputs& inputs);

// Whole days between two times in milliseconds (floor, never negative).
std::int64_t daysBetween(std::int64_t from_ms, std::int64_t to_ms);

}  // namespace relance

#endif  // RELANCE_CORE_CONTEXT_BUILDER_H_
