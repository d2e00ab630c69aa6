// The engine: one browser happening (a signal) in, the actions the host must
// carry out. It owns the visitor state (visitor_state.h) and hands each signal
// to the decision modules (scoring, abandonment, personalization, offers).
// Contract: docs/design/engine-contract.md; reference: docs/engine.md.
#ifndef RELANCE_CORE_ENGINE_H_
#define RELANCE_CORE_ENGINE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/site_config.h"

namespace relance {

class Engine {
 public:
  // `config` must not be null (compile it with compileSiteConfig first).
  explicit Engine(std::shared_ptr<const SiteConfig> config);

  // Restores the persisted visitor state (text from localStorage, may be
  // empty, corrupt or of an older version: migrated or reset, never a crash).
  // Returns actions: {"state", "persist"} and "notes" when something was
  // repaired, migrated or reset.
  Json restore(std::string_view state_text, std::int64_t now_ms);

  // One browser happening in, the actions the host must carry out (see
  // docs/engine.md, "Signals" and "Actions"). A malformed signal changes
  // nothing and answers {"errors": [...]} naming the faulty field. Never throws.
  Json observe(const Json& signal, std::int64_t now_ms);

  // The visitor state as persisted.
  const Json& state() const { return state_; }

  const SiteConfig& config() const { return *config_; }

 private:
  std::shared_ptr<const SiteConfig> config_;
  Json state_;
  std::string state_text_;  // state_ as last answered: tells whether an observe changed it
  Json last_context_;  // event context of the last signal that had one (not persisted)
  // This tab: the id of the first signal observed (visitor_state.h, "Tabs").
  // Kept across restore, which adopts another tab's state but not its page.
  std::string tab_id_;
};

}  // namespace relance

#endif  // RELANCE_CORE_ENGINE_H_
