// libFuzzer target: validateEventText on arbitrary bytes must never crash,
// hang or leak, and must answer consistently (scripts/fuzz runs it). The
// collector's fast path (scanEventBatch) on the same bytes, as a batch, must
// never accept what the parser refuses nor prove valid what validateEvent
// refuses, and must keep the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/event.h"
#include "core/event_scan.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  relance::PathErrors errors = relance::validateEventText(text);
  for (const auto& e : errors) {
    // Every error must be reportable: a JSON Pointer ("" or starting with
    // '/'), a message, and serializable back to the host.
    if (!e.path.empty() && e.path[0] != '/') std::abort();
    if (e.message.empty()) std::abort();
  }
  if (!errors.empty()) (void)relance::toJson(errors).dump();
  // A valid text is a valid value: both entry points agree.
  if (errors.empty()) {
    auto parsed = relance::parseJson(text);
    if (!parsed.ok || !relance::validateEvent(parsed.value).empty()) std::abort();
  }
  std::string body = "{\"events\":[" + std::string(text) + "]}";
  relance::ScannedBatch batch = relance::scanEventBatch(body);
  if (batch.ok) {
    if (!relance::parseJson(body).ok) std::abort();
    for (const auto& event : batch.events) {
      if (!event.valid) continue;
      auto sent = relance::parseJson(event.text);
      auto kept = relance::parseJson(event.compact);
      if (!sent.ok || !kept.ok || !(sent.value == kept.value)) std::abort();
      if (!relance::validateEvent(sent.value).empty()) std::abort();
    }
  }
  return 0;
}
