// libFuzzer target for the browser tag's JSON parser (core/json_dom_reader.h):
// the input is a JSON text. readJsonDom must accept exactly what nlohmann's
// parser (parseJson natively) accepts, at both depths the engine uses, and
// build the same value, type for type (nlohmann's == says 1 == 1.0). A
// difference traps (a crash for libFuzzer).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/json.h"
#include "core/json_dom_reader.h"
#include "../native/json_same_value.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int depth : {16, 64}) {
    relance::ParsedJson ours = relance::readJsonDom(text, depth);
    relance::ParsedJson theirs = relance::parseJson(text, depth);
    if (ours.ok != theirs.ok) __builtin_trap();
    if (ours.ok && !relance::sameValue(ours.value, theirs.value)) __builtin_trap();
  }
  return 0;
}
