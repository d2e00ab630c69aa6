// Embind binding of the engine (src/core/engine.h). One JSON string in, one
// JSON string out per call; built with -fno-exceptions, so nothing here
// throws: every failure is an answer.
//
// Free functions over an integer handle, not an Embind class: a bound class
// pulls Embind's whole class machinery into the JavaScript glue and RTTI
// helpers into the wasm (together about 5 KB brotli of the browser tag,
// docs/design/performance.md). js-bindings/src/engine.ts wraps the handle in
// the typed Engine object. JavaScript sees:
//
//   engineCreate(configJson: string) -> handle (a number >= 0; always made)
//                               The browser tag's build (RELANCE_TAG_BUILD)
//                               reads only the compiled form that GET
//                               /v1/config serves (core/config_loader.h);
//                               the npm package's compiles any configuration.
//   engineErrors(h) -> string   "" when the engine is ready, else the JSON
//                               array of {path, message} (the configuration
//                               was refused, or was not JSON); the other
//                               calls then answer '{"errors":[...]}' and do
//                               nothing.
//   engineConfig(h) -> string   the normalised configuration (as GET /v1/config);
//                               not in the browser tag's build (RELANCE_TAG_BUILD)
//   engineRestore(h, stateText: string, nowMs: number) -> string   actions JSON
//   engineObserve(h, signalJson: string, nowMs: number) -> string  actions JSON
//   engineState(h) -> string    the visitor state JSON (what the host persists)
//   engineDelete(h)             frees the engine; h must not be used again
//
// nowMs is a JS number of milliseconds since the epoch (Date.now()). An
// unknown or deleted handle answers '{"errors":[...]}' (or does nothing).
#include <emscripten/bind.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config_loader.h"
#include "core/engine.h"
#include "core/error.h"
#include "core/json.h"
#include "core/site_config.h"

namespace relance {
namespace {

// Never fails: invalid UTF-8 in a string becomes U+FFFD.
std::string dumpSafe(const Json& v) { return v.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::int64_t toMillis(double now) { return std::isfinite(now) ? static_cast<std::int64_t>(now) : 0; }

CompileSiteConfigResult compileText(const std::string& config_json) {
  ParsedJson parsed = parseJson(config_json);
  if (!parsed.ok) {
    CompileSiteConfigResult failed;
    failed.errors.push_back({"", "the configuration is not valid JSON: " + parsed.message});
    return failed;
  }
#ifdef RELANCE_TAG_BUILD
  // The collector validated it: the tag's wasm carries only the loader, not
  // the validator and its messages (docs/design/compiled-config.md).
  return loadCompiledConfig(parsed.value);
#else
  return compileSiteConfig(parsed.value);
#endif
}

class WasmEngine {
 public:
  explicit WasmEngine(const std::string& config_json) {
    CompileSiteConfigResult result = compileText(config_json);
    if (result.errors.empty() && result.config) {
      engine_ = std::make_unique<Engine>(result.config);
    } else {
      errors_ = dumpSafe(toJson(result.errors));
    }
  }

  std::string errors() const { return errors_; }

  std::string config() const { return engine_ ? dumpSafe(engine_->config().toBrowserJson()) : refused(); }

  std::string restore(const std::string& state_text, double now) {
    if (!engine_) return refused();
    return dumpSafe(engine_->restore(state_text, toMillis(now)));
  }

  std::string observe(const std::string& signal_json, double now) {
    if (!engine_) return refused();
    ParsedJson parsed = parseJson(signal_json, 16);
    if (!parsed.ok) {
      PathErrors errors{{"", "the signal is not valid JSON: " + parsed.message}};
      return dumpSafe(object({{"errors", toJson(errors)}}));
    }
    return dumpSafe(engine_->observe(parsed.value, toMillis(now)));
  }

  std::string state() const { return engine_ ? dumpSafe(engine_->state()) : refused(); }

 private:
  std::string refused() const { return "{\"errors\":" + errors_ + "}"; }

  std::unique_ptr<Engine> engine_;
  std::string errors_;
};

// The live engines, indexed by handle; a deleted one leaves an empty slot
// that the next engineCreate reuses. A page holds one or two engines, so a
// linear scan is fine.
std::vector<std::unique_ptr<WasmEngine>>& engines() {
  static std::vector<std::unique_ptr<WasmEngine>> all;
  return all;
}

WasmEngine* find(int handle) {
  auto& all = engines();
  return handle >= 0 && static_cast<std::size_t>(handle) < all.size() ? all[handle].get() : nullptr;
}

const char kNoEngineErrors[] = R"json([{"path":"","message":"no such engine (deleted?)"}])json";
std::string noEngine() { return std::string(R"({"errors":)") + kNoEngineErrors + "}"; }

int engineCreate(const std::string& config_json) {
  auto& all = engines();
  std::size_t slot = 0;
  while (slot < all.size() && all[slot]) ++slot;
  if (slot == all.size()) all.emplace_back();
  all[slot] = std::make_unique<WasmEngine>(config_json);
  return static_cast<int>(slot);
}

std::string engineErrors(int h) {
  WasmEngine* e = find(h);
  return e ? e->errors() : kNoEngineErrors;
}

std::string engineConfig(int h) {
  WasmEngine* e = find(h);
  return e ? e->config() : noEngine();
}

std::string engineRestore(int h, const std::string& state_text, double now) {
  WasmEngine* e = find(h);
  return e ? e->restore(state_text, now) : noEngine();
}

std::string engineObserve(int h, const std::string& signal_json, double now) {
  WasmEngine* e = find(h);
  return e ? e->observe(signal_json, now) : noEngine();
}

std::string engineState(int h) {
  WasmEngine* e = find(h);
  return e ? e->state() : noEngine();
}

void engineDelete(int h) {
  if (find(h)) engines()[h].reset();
}

}  // namespace
}  // namespace relance

EMSCRIPTEN_BINDINGS(relance_engine) {
  using emscripten::function;
  function("engineCreate", &relance::engineCreate);
  function("engineErrors", &relance::engineErrors);
#ifndef RELANCE_TAG_BUILD
  // The tag never reads the normalised configuration back (the collector
  // serves it as GET /v1/config): without this export its wasm drops
  // toBrowserJson (about 2 KB brotli).
  function("engineConfig", &relance::engineConfig);
#endif
  function("engineRestore", &relance::engineRestore);
  function("engineObserve", &relance::engineObserve);
  function("engineState", &relance::engineState);
  function("engineDelete", &relance::engineDelete);
}
