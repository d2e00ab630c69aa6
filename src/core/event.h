// The event contract v1: what the browser sends and the collector stores.
// See docs/events.md.
#ifndef RELANCE_CORE_EVENT_H_
#define RELANCE_CORE_EVENT_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/json.h"

namespace relance {

// Limits that protect both hosts.
constexpr std::size_t kMaxEventBytes = 32 * 1024;  // serialized event
constexpr int kMaxEventDepth = 8;                  // nesting levels
constexpr std::size_t kMaxStringBytes = 2048;      // any string value
constexpr std::size_t kMaxProperties = 100;        // keys in `properties`
constexpr std::size_t kMaxIdBytes = 64;            // id, anonymous_id, user_id, session_id

// Accepted `ts` range: 2020-01-01 to 2100-01-01 in milliseconds since the epoch.
constexpr long long kMinTimestampMs = 1577836800000LL;
constexpr long long kMaxTimestampMs = 4102444800000LL;

// True for a known type or `custom.` followed by [a-z][a-z0-9_]{0,63}.
bool isValidEventType(std::string_view type);

// True for the types the engine emits itself (page_view, identify, offer_*,
// optin, score_*, *_abandoned, optin_no_cart, personalization_exposed): a
// site cannot track them, so a `track` signal of one is refused.
bool isEngineEventType(std::string_view type);

// True for a language tag such as "en", "fr-FR", "zh-Hant-TW" or "pt_BR"
// (loosely: 2-3 letters, then subtags of 1-8 letters or digits).
bool isLocaleTag(std::string_view text);

// Checks `event` against the v1 contract and returns every error found (empty
// when valid), each with its JSON Pointer: "/properties/quantity: must be a
// positive integer". Unknown top-level fields are errors; unknown properties
// are kept. Never throws.
PathErrors validateEvent(const Json& event);

// Same, from the raw text (also checks size and UTF-8 before parsing).
PathErrors validateEventText(std::string_view text);

// The part of validateEvent that depends on the event's type: the rules of
// its `properties` (pass an empty object when the event has none).
// `has_user_id`: the event has a user_id that is not null (identify needs
// one). `type` must already be valid (isValidEventType). Used by the
// collector's fast path (core/event_scan.h), which checks everything else.
PathErrors validateTypeProperties(const std::string& type, const Json& properties, bool has_user_id);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool isValidUtf8(std::string_view text);

}  // namespace relance

#endif  // RELANCE_CORE_EVENT_H_
