// libFuzzer target: validateEventText on arbitrary bytes must never crash,
// hang or leak, and must answer consistently (scripts/fuzz runs it).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/event.h"

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
  return 0;
}
