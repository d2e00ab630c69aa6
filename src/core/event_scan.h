// The collector's fast path for event batches: one strict pass over the text
// of {"events":[...]} that finds the bytes of each event and proves the usual
// valid events valid without building a JSON document for them.
//
// It only ever says "valid" or "not sure". Everything it is not sure about
// (any error, duplicate keys, escapes in identifiers, unusual numbers...)
// goes to the reference path: parseJson + validateEvent, which also writes
// the error messages. So answers do not change; only the cost of the common
// case does. tests/native/event_scan_test.cc holds the promise "scanned as
// valid => validateEvent finds no error" over the shared case table.
#ifndef RELANCE_CORE_EVENT_SCAN_H_
#define RELANCE_CORE_EVENT_SCAN_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace relance {

// One element of the "events" array.
struct ScannedEvent {
  std::string_view text;  // its bytes in the body, as sent
  bool valid = false;     // proven valid; false means "ask validateEvent"

  // Set when valid. The strings carry no escapes, so the views are their values.
  std::string compact;           // `text` without insignificant whitespace: the same JSON value
  std::string_view id;
  std::string_view type;
  std::string_view anonymous_id;
  std::int64_t ts = 0;
  bool analytics_refused = false;  // consent.analytics is false
};

struct ScannedBatch {
  // True when the body is well-formed JSON (as strict as parseJson, or
  // stricter) and has the shape {"events":[...]} with no other key. When
  // false, `events` is meaningless: use parseJson on the body.
  bool ok = false;
  std::vector<ScannedEvent> events;
};

// Scans a request body. Never throws; linear in its size; the nesting is
// bounded (deeper bodies are "not ok").
ScannedBatch scanEventBatch(std::string_view body);

}  // namespace relance

#endif  // RELANCE_CORE_EVENT_SCAN_H_
