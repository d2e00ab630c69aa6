// The site configuration as the collector uses it: compiled once at start,
// with the browser copy (GET /v1/config) serialized and its ETag computed.
#ifndef RELANCE_COLLECTOR_SITE_H_
#define RELANCE_COLLECTOR_SITE_H_

#include <memory>
#include <string>

#include "core/error.h"
#include "core/site_config.h"

namespace relance::collector {

struct LoadedSite {
  std::shared_ptr<const SiteConfig> config;  // null when the file is bad
  std::string browser_json;                  // SiteConfig::toBrowserJson(), serialized
  std::string etag;                          // strong ETag of browser_json, quoted
  std::string problem;                       // why the file could not be read or parsed
  PathErrors errors;                         // what the compiler refused, with paths
  // Read from a file (--config), rather than the defaults of a plain
  // collector: only then does the collector know the site's offers.
  bool from_file = false;
};

// Reads and compiles the configuration at `path`. An empty path gives the
// defaults (the compilation of {}), for a plain collector.
LoadedSite loadSite(const std::string& path);

}  // namespace relance::collector

#endif  // RELANCE_COLLECTOR_SITE_H_
