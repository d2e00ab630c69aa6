// Embind binding of the engine (src/core/engine.h). One JSON string in, one
// JSON string out per call; built with -fno-exceptions, so nothing here
// throws: every failure is an answer.
//
// JavaScript sees (js-bindings wraps it as core.createEngine(config)):
//
//   compileSiteConfig(configJson: string) -> string
//       '{"ok":true,"config":{...normalised browser configuration...}}'
//     | '{"ok":false,"errors":[{"path":"/session/timeout_minutes","message":"..."}]}'
//
//   const e = new Engine(configJson: string)
//   e.errors() -> string   "" when the engine is ready, else the JSON array
//                          of {path, message} (the configuration was refused,
//                          or was not JSON); the other methods then answer
//                          '{"errors":[...]}' and do nothing.
//   e.config() -> string   the normalised configuration (as GET /v1/config)
//   e.restore(stateText: string, nowMs: number) -> string   actions JSON
//   e.observe(signalJson: string, nowMs: number) -> string  actions JSON
//   e.state() -> string    the visitor state JSON (what the host persists)
//   e.delete()             frees the wasm memory (Embind)
//
// nowMs is a JS number of milliseconds since the epoch (Date.now()).
#include <emscripten/bind.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

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
  return compileSiteConfig(parsed.value);
}

std::string compileSiteConfigJson(const std::string& config_json) {
  CompileSiteConfigResult result = compileText(config_json);
  if (!result.errors.empty() || !result.config)
    return dumpSafe(Json{{"ok", false}, {"errors", toJson(result.errors)}});
  return dumpSafe(Json{{"ok", true}, {"config", result.config->toBrowserJson()}});
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
      return dumpSafe(Json{{"errors", toJson(errors)}});
    }
    return dumpSafe(engine_->observe(parsed.value, toMillis(now)));
  }

  std::string state() const { return engine_ ? dumpSafe(engine_->state()) : refused(); }

 private:
  std::string refused() const { return "{\"errors\":" + errors_ + "}"; }

  std::unique_ptr<Engine> engine_;
  std::string errors_;
};

}  // namespace
}  // namespace relance

EMSCRIPTEN_BINDINGS(relance_engine) {
  emscripten::function("compileSiteConfig", &relance::compileSiteConfigJson);
  emscripten::class_<relance::WasmEngine>("Engine")
      .constructor<const std::string&>()
      .function("errors", &relance::WasmEngine::errors)
      .function("config", &relance::WasmEngine::config)
      .function("restore", &relance::WasmEngine::restore)
      .function("observe", &relance::WasmEngine::observe)
      .function("state", &relance::WasmEngine::state);
}
