// The site configuration v1: what a site owner writes (docs/configuration.md,
// docs/configuration.md), compiled once; a bad configuration is refused
// with every error's JSON path.
#ifndef RELANCE_CORE_SITE_CONFIG_H_
#define RELANCE_CORE_SITE_CONFIG_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/condition.h"
#include "core/error.h"
#include "core/json.h"

namespace relance {

class PersonalizationConfig;
class OffersConfig;
class ScoringConfig;
class AbandonmentConfig;

struct ConsentPolicy {
  bool required = false;            // nothing stored or sent before consent
  bool honor_gpc = true;            // Global Privacy Control means "no marketing"
  bool exempt_measurement = false;  // the collector accepts analytics:false events
  std::string pending = "buffer";   // before consent: "buffer" (in memory) or "drop"
  int pending_limit = 50;           // events kept in memory while waiting
};

struct TransportPolicy {
  std::string endpoint = "/v1/events";
  std::string optin_endpoint = "/v1/optin";
  int batch_size = 20;     // events per POST
  int flush_ms = 1000;     // delay before a partial batch is sent
  int queue_limit = 500;   // events kept in the persisted queue
};

// A named condition over the context; the names of the segments that match
// are in context.segments.
struct Segment {
  std::string name;
  std::shared_ptr<const CompiledCondition> condition;
};

struct SiteConfig {
  std::string site_id;
  std::string site_name;
  std::string currency = "EUR";
  std::vector<std::string> allowed_origins;  // CORS and origin checks in the collector
  ConsentPolicy consent;
  bool drop_bots = false;                    // collector: drop events from known bots
  TransportPolicy transport;
  int session_timeout_minutes = 30;
  std::vector<Segment> compiled_segments;    // in name order
  std::shared_ptr<const PersonalizationConfig> personalization;
  std::shared_ptr<const OffersConfig> offers;
  std::shared_ptr<const ScoringConfig> scoring;
  std::shared_ptr<const AbandonmentConfig> abandonment;

  // The compiled form (core/config_loader.h) that browsers receive from
  // GET /v1/config: the configuration normalised (defaults filled), marked
  // {"compiled": kCompiledFormVersion}. loadCompiledConfig reads it, and it
  // compiles again to the same configuration, minus what only the collector
  // needs (allowed_origins, bots).
  Json toBrowserJson() const;
};

// The version of the compiled form (toBrowserJson's "compiled" key; the
// loader in core/config_loader.h reads only this one). Bump it with any change
// a tag of the previous release would misread.
constexpr int kCompiledFormVersion = 2;

struct CompileSiteConfigResult {
  std::shared_ptr<const SiteConfig> config;  // null when errors is not empty
  PathErrors errors;
};

// Compiles a site configuration. Every section is optional; unknown keys are
// errors; every error carries the JSON Pointer of the fault. Never throws.
// A compiled form (a source with a "compiled" key, toBrowserJson's output)
// is handed to loadCompiledConfig (core/config_loader.h): its conditions are
// programs, not source conditions.
CompileSiteConfigResult compileSiteConfig(const Json& source);

}  // namespace relance

#endif  // RELANCE_CORE_SITE_CONFIG_H_
