// The floor of the tag's stack, part 2: part 1 plus nlohmann/json's parse and
// dump, the cost the issue quotes ("about 33 KB brotli"), built as the tag is
// (CMake: relance_floor_nlohmann_parse_dump). Measured by bench/tag.mjs.
#include <emscripten/bind.h>

#include <nlohmann/json.hpp>
#include <string>

std::string roundTrip(std::string text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_discarded() ? std::string() : value.dump();
}

EMSCRIPTEN_BINDINGS(floor) { emscripten::function("roundTrip", &roundTrip); }
