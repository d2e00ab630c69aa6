// Placeholder: the bindings helper replaces this file.
#include <emscripten/bind.h>
#include <string>
#include "core/json.h"
static std::string version() { return "0.1.0"; }
EMSCRIPTEN_BINDINGS(relance) { emscripten::function("version", &version); }
