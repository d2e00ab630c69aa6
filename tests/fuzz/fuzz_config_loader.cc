// libFuzzer target for the compiled configuration loader (core/config_loader.h):
// what the browser's tag reads from GET /v1/config, possibly truncated or
// altered on the way. The input is JSON text; when it parses, it is loaded,
// and when it loads, an engine built on it must restore and observe a page
// view. Crashes, sanitizer reports and hangs are the failures; the seeds
// are compiled forms the collector serves.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/config_loader.h"
#include "core/engine.h"
#include "core/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  relance::ParsedJson parsed = relance::parseJson(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed.ok) return 0;
  relance::CompileSiteConfigResult loaded = relance::loadCompiledConfig(parsed.value);
  if (!loaded.config) {
    if (loaded.errors.empty()) __builtin_trap();  // a refusal always says why
    return 0;
  }
  relance::Engine engine(loaded.config);
  engine.restore("", 1767225600000);
  static const relance::Json kPageView = relance::parseJson(
      R"({"type": "page_view", "id": "f1", "ts": 1767225601000,
          "context": {"page": {"url": "https://shop.example/products/42", "path": "/products/42"}}})").value;
  engine.observe(kPageView, 1767225601000);
  return 0;
}
