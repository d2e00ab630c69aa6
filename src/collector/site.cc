#include "collector/site.h"

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace relance::collector {
namespace {

std::string strongEtag(const std::string& text) {
  std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a, 64 bits
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "\"%016llx\"", static_cast<unsigned long long>(hash));
  return buffer;
}

}  // namespace

LoadedSite loadSite(const std::string& path) {
  LoadedSite site;
  // Without --config the collector runs a plain site named "default" with
  // every other setting at its default, so the tag still starts.
  Json source = Json{{"version", 1}, {"site", {{"id", "default"}}}};
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      site.problem = "cannot read " + path;
      return site;
    }
    std::ostringstream text;
    text << in.rdbuf();
    ParsedJson parsed = parseJson(text.str());
    if (!parsed.ok) {
      site.problem = path + ": malformed JSON at byte " + std::to_string(parsed.offset) + ": " + parsed.message;
      return site;
    }
    source = std::move(parsed.value);
  }
  CompileSiteConfigResult compiled = compileSiteConfig(source);
  if (!compiled.errors.empty() || !compiled.config) {
    if (path.empty()) {
      // The defaults must always work; should the compiler want more, fall back
      // to the built-in values of SiteConfig.
      compiled.config = std::make_shared<SiteConfig>();
    } else {
      site.errors = std::move(compiled.errors);
      if (site.errors.empty()) site.errors.push_back({"", "the configuration was refused"});
      return site;
    }
  }
  site.config = compiled.config;
  site.from_file = !path.empty();
  site.browser_json = site.config->toBrowserJson().dump(-1, ' ', false, Json::error_handler_t::replace);
  site.etag = strongEtag(site.browser_json);
  return site;
}

}  // namespace relance::collector
