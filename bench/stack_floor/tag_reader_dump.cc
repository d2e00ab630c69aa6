// The floor of the tag's stack, part 3: part 2 with the parser the tag really
// uses (core/json_dom_reader.h builds the same nlohmann::json DOM without
// nlohmann's lexer), then nlohmann's dump: the least a module can cost that
// keeps Embind and nlohmann/json, built as the tag is (CMake:
// relance_floor_tag_reader_dump). Measured by bench/tag.mjs.
#include <emscripten/bind.h>

#include <string>

#include "core/json.h"

std::string roundTrip(std::string text) {
  relance::ParsedJson parsed = relance::parseJson(text);
  return parsed.ok ? parsed.value.dump() : std::string();
}

EMSCRIPTEN_BINDINGS(floor) { emscripten::function("roundTrip", &roundTrip); }
