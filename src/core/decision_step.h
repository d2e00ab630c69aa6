// What the engine hands each decision module (scoring, abandonment,
// personalization, offers) for one observed signal. The engine (engine.cc)
// builds it; the modules read the signal and the context, update the visitor
// state, emit events and add actions.
#ifndef RELANCE_CORE_DECISION_STEP_H_
#define RELANCE_CORE_DECISION_STEP_H_

#include <cstdint>
#include <functional>
#include <string>

#include "core/condition.h"
#include "core/json.h"

namespace relance {

struct DecisionStep {
  const Json& signal;          // {"type", "id", "props", "context"}
  std::int64_t now_ms;         // the host's clock, the only clock
  Json& state;                 // visitor state v1 (see docs/design/engine-contract.md), mutable
  Json& context;               // condition context (docs/configuration.md, "The context"); modules
                               // that change what it shows (the score) update it too
  Json& actions;               // actions being built (engine contract); modules add their keys
  bool debug;                  // add {"kind", "id", "matched", "why"} entries to actions["debug"]

  // Appends an event of `type` with `properties` to actions["events"]; the
  // engine fills id, ts, anonymous_id, session_id, consent and context.
  std::function<void(const std::string& type, Json properties)> emit;
};

}  // namespace relance

#endif  // RELANCE_CORE_DECISION_STEP_H_
