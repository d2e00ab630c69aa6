// The visitor state v1: what the browser keeps between pages (in
// localStorage), versioned and bounded. Shape: docs/engine.md, "The visitor
// state". The engine (engine.h) owns it; the decision modules keep their own
// parts under "score", "offers", "abandonment" and set "subscribed".
#ifndef RELANCE_CORE_VISITOR_STATE_H_
#define RELANCE_CORE_VISITOR_STATE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"

namespace relance {

constexpr int kVisitorStateVersion = 1;
constexpr std::size_t kMaxStateBytes = 16 * 1024;  // serialised
constexpr std::size_t kMaxViewed = 50;             // viewed products kept
constexpr std::size_t kMaxCartItems = 50;
constexpr std::size_t kMaxOrders = 20;             // recent orders kept (totals are kept apart)
constexpr std::size_t kMaxTraits = 30;
constexpr std::size_t kMaxTraitBytes = 256;        // a string trait value
constexpr std::size_t kMaxTabs = 10;               // tabs whose visibility is kept

// A fresh state for a visitor never seen (anonymous_id null until the first
// signal gives one).
Json newVisitorState();

// The "page" member of a new state: what a page_view starts the page from
// (path and url null until the event context gives them).
Json newPageState();

// The outcome of reading persisted state text.
struct RestoredState {
  Json state;                      // always a valid v1 state
  std::vector<std::string> notes;  // what was repaired, migrated or reset (for the console)
};

// Reads the text a host persisted. Empty text: a new visitor. Corrupt JSON,
// an unknown or newer version: a new visitor and a note. Version 0 (the
// pre-release shape, see docs/engine.md): migrated. A v1 state with a field of
// the wrong type: that field reset, with a note. Never throws.
RestoredState parseVisitorState(std::string_view text);

// Makes `state` fit in kMaxStateBytes once serialised by dropping the oldest
// entries of its lists, least useful first: browse abandonment marks, scoring
// rule counters, viewed products, orders, offers, traits, cart items. Lists
// are first capped (viewed 50, cart 50, orders 20). Returns the serialised size.
std::size_t boundVisitorState(Json& state);

// Tabs. Every open tab of a site runs its own engine on one shared state: a
// tab saves it and the others adopt it (restore) so that sessions, counts,
// the cart and consent do not fork. Two parts of the state belong to one tab
// only and are never taken from another tab's state (docs/design/
// engine-contract.md, "Tabs"):
// - "page" (path, url, scroll, time, idle, exit intent, visibility, the
//   one-pop-up-per-page cap, the product shown): the facts of the page this
//   tab shows; another tab's page is not this one.
// - abandonment's "session.product" and "session.page_ms" (the product this
//   tab's page shows and how much of its time was counted).
// And one part is merged: "tabs" maps each tab (the id of the first signal
// its engine observed) to the time it was hidden since (0: visible), so the
// visitor counts as hidden only when every tab is.

// Sets the entry of `tab` in state["tabs"] (0: visible), keeping at most
// kMaxTabs entries.
void setTabHiddenSince(Json& state, const std::string& tab, std::int64_t hidden_since);

// Since when every tab of the visitor is hidden: the latest of their times;
// 0 while any tab is visible, or when no tab has said anything.
std::int64_t visitorHiddenSince(const Json& state);

// A tab adopts `adopted` (another tab's state, parsed): puts this tab's own
// parts back from `own` (its state until now, consumed) and writes this tab's
// entry in "tabs" (`tab` empty: none yet, the engine has observed nothing).
void keepOwnTabParts(Json& adopted, Json& own, const std::string& tab);

// The text to persist.
std::string serializeVisitorState(const Json& state);

}  // namespace relance

#endif  // RELANCE_CORE_VISITOR_STATE_H_
