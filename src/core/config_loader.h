// The compiled configuration: what GET /v1/config serves and the browser's
// tag loads (docs/design/compiled-config.md). The collector validates the site
// configuration in full (compileSiteConfig: every error with its JSON path),
// then emits SiteConfig::toBrowserJson(): the same configuration normalised,
// defaults filled, rules in decision order, set_html already sanitised, and
// marked {"compiled": kCompiledFormVersion}. The tag's wasm links only this
// loader, not the validator and its messages (about 10 KB brotli smaller).
//
// Both builds load the compiled form through this one loader, and the full
// compiler accepts it too (it is a valid site configuration), so one engine
// decides whichever way the configuration came.
#ifndef RELANCE_CORE_CONFIG_LOADER_H_
#define RELANCE_CORE_CONFIG_LOADER_H_

#include "core/json.h"
#include "core/site_config.h"

namespace relance {

// Builds the engine's configuration from its compiled form. Never throws,
// never reads out of bounds: a form of another version, a truncated or an
// altered one gives one error (the JSON Pointer of the first fault and a
// message saying what to do) and no configuration. What the validator alone
// words (unknown keys, every fault at once) is not checked here.
CompileSiteConfigResult loadCompiledConfig(const Json& compiled);

}  // namespace relance

#endif  // RELANCE_CORE_CONFIG_LOADER_H_
