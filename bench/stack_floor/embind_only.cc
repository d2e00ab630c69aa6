// The floor of the tag's stack, part 1: Embind and one function over
// std::string, built as the tag is (CMake: relance_floor_embind_only). What
// any Embind module costs before it does anything. Measured by bench/tag.mjs.
#include <emscripten/bind.h>

#include <string>

std::string echo(std::string text) { return text + "!"; }

EMSCRIPTEN_BINDINGS(floor) { emscripten::function("echo", &echo); }
