#include "core/config_loader.h"

#include <string>

#include "core/abandonment.h"
#include "core/compiled_reader.h"
#include "core/condition_form.h"
#include "core/offers.h"
#include "core/personalization.h"
#include "core/scoring.h"

namespace relance {
namespace {

void loadSegments(const Json& segments, CompiledReader& in, const ConditionFormReader& conditions,
                  SiteConfig& config) {
  for (auto it = segments.begin(); it != segments.end() && in.ok(); ++it) {
    std::string at = pointerAppend("/segments", it.key());
    std::shared_ptr<const CompiledCondition> condition = conditions.read(it.value(), at);
    if (condition == nullptr) {
      in.fail(at);
      return;
    }
    config.compiled_segments.push_back({it.key(), condition});  // name order: Json objects are sorted
  }
}

}  // namespace

CompileSiteConfigResult loadCompiledConfig(const Json& compiled) {
  CompileSiteConfigResult result;
  const Json* form = compiled.is_object() ? &compiled : nullptr;
  auto version = form != nullptr ? form->find("compiled") : Json::const_iterator();
  if (form == nullptr || version == form->end() || !version->is_number_integer() ||
      version->get<long long>() != kCompiledFormVersion) {
    result.errors.push_back({"/compiled", "not a compiled configuration of version " +
                                              decimalText(kCompiledFormVersion) +
                                              ": serve it from GET /v1/config of a collector of the same release"});
    return result;
  }
  CompiledReader in;
  auto config = std::make_shared<SiteConfig>();
  const Json& site = in.objectMember(compiled, "site", "");
  config->site_id = in.string(site, "id", "/site", true);
  config->site_name = in.string(site, "name", "/site", true);
  config->currency = in.string(site, "currency", "/site");

  const Json& consent = in.objectMember(compiled, "consent", "");
  config->consent.required = in.boolean(consent, "required", "/consent");
  config->consent.honor_gpc = in.boolean(consent, "honor_gpc", "/consent");
  config->consent.exempt_measurement = in.boolean(consent, "exempt_measurement", "/consent");
  config->consent.pending = in.string(consent, "pending", "/consent");
  if (config->consent.pending != "buffer" && config->consent.pending != "drop") in.fail("/consent/pending");
  config->consent.pending_limit = static_cast<int>(in.number(consent, "pending_limit", "/consent", 0, 1000));

  const Json& transport = in.objectMember(compiled, "transport", "");
  config->transport.endpoint = in.string(transport, "endpoint", "/transport");
  config->transport.optin_endpoint = in.string(transport, "optin_endpoint", "/transport");
  config->transport.batch_size = static_cast<int>(in.number(transport, "batch_size", "/transport", 1, 100));
  config->transport.flush_ms = static_cast<int>(in.number(transport, "flush_ms", "/transport", 0, 60000));
  config->transport.queue_limit = static_cast<int>(in.number(transport, "queue_limit", "/transport", 1, 5000));

  const Json& session = in.objectMember(compiled, "session", "");
  config->session_timeout_minutes = static_cast<int>(in.number(session, "timeout_minutes", "/session", 1, 24 * 60));

  // Every condition is read with the configuration's tables of paths and
  // regular expressions (core/condition_form.h).
  ConditionFormReader conditions;
  std::string fault;
  if (!conditions.readTables(in.objectMember(compiled, "conditions", ""), "/conditions", &fault)) in.fail(fault);
  in.useConditions(&conditions);
  loadSegments(in.objectMember(compiled, "segments", ""), in, conditions, *config);

  // Each module's section is left out when nothing is configured.
  static const Json kAbsent;
  auto section = [&](const char* key) -> const Json& {
    auto it = compiled.find(key);
    return it == compiled.end() ? kAbsent : *it;
  };
  config->personalization = loadPersonalization(section("personalization"), "/personalization", in);
  config->offers = loadOffers(section("offers"), "/offers", in);
  config->scoring = loadScoring(section("scoring"), "/scoring", in);
  config->abandonment = loadAbandonment(section("abandonment"), "/abandonment", in);

  if (!in.ok()) {
    result.errors.push_back({in.faultPath(), "the compiled configuration is damaged here (truncated or altered "
                                             "on the way?): the engine did not start"});
    return result;
  }
  result.config = config;
  return result;
}

}  // namespace relance
