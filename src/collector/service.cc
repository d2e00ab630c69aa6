#include "collector/service.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>
#include <utility>

#include "collector/identity.h"
#include "collector/privacy.h"
#include "core/contact.h"
#include "core/event.h"
#include "core/event_scan.h"
#include "core/offers.h"

namespace relance::collector {

namespace http = boost::beast::http;

struct Service::Context {
  Request request;
  std::string path;           // target without the query
  std::string route;          // metrics label
  std::string client;         // client address (proxy-aware), in memory only
  std::string client_truncated;  // truncateIp(client): what may be stored
  std::string origin;         // Origin header
  bool origin_allowed = false;
  bool https = false;
  bool head = false;
  std::string identity;       // rl_id of this visitor (existing or new)
  // The request presented a valid rl_id cookie: the browser keeps cookies,
  // so the identity may be linked (see events()).
  bool identity_presented = false;
};

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The media type of a Content-Type header, lowercase, without parameters.
std::string mediaType(std::string_view header) { return lower(trim(header.substr(0, header.find(';')))); }

std::string routeOf(const std::string& path) {
  if (path == "/v1/events") return "events";
  if (path == "/v1/optin") return "optin";
  if (path == "/v1/forget") return "forget";
  if (path == "/v1/config") return "config";
  if (path == "/healthz") return "healthz";
  if (path == "/readyz") return "readyz";
  if (path == "/metrics") return "metrics";
  if (path.rfind("/v1/", 0) == 0) return "api_unknown";
  return "static";
}

bool isApi(const std::string& route) {
  return route == "events" || route == "optin" || route == "forget" || route == "config" || route == "api_unknown";
}

Json errorBody(const std::string& message) { return Json{{"error", message}}; }

// The 400 answer's body for text that is not JSON: where it broke.
Json malformedJsonBody(const ParsedJson& parsed) {
  return Json{{"error", "malformed JSON"}, {"message", parsed.message}, {"offset", parsed.offset}};
}

// Appends `text` as a JSON string, escaped as Json::dump escapes it. The
// values written this way (a truncated address, a device class, a hex rl_id)
// are printable ASCII by construction, which dump writes as they are between
// quotes: written so here, since a Json and its serializer cost about 2,000
// instructions per value. Anything else goes through dump.
void appendJsonString(std::string& out, std::string_view text) {
  bool plain = std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
  if (plain) {
    out += '"';
    out += text;
    out += '"';
  } else {
    out += Json(std::string(text)).dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

// What the server adds to every stored event or opt-in of a request.
struct ServerFields {
  std::string_view ip;      // truncated
  std::string_view device;  // device class
  bool bot = false;
  std::string_view rl_id;
};

// The server's fields as the tail of a stored JSON object:
// ,"received_at":...,"server":{...}} (the same for every event of a request),
// written as Json::dump writes the object (keys in alphabetical order)
// without building one for every request.
std::string storedAdditions(std::int64_t received_at, const ServerFields& server) {
  std::string out;
  out.reserve(96 + server.ip.size() + server.device.size() + server.rl_id.size());  // one allocation
  out += ",\"received_at\":";
  out += std::to_string(received_at);
  out += ",\"server\":{\"bot\":";
  out += server.bot ? "true" : "false";
  out += ",\"device\":";
  appendJsonString(out, server.device);
  out += ",\"ip\":";
  appendJsonString(out, server.ip);
  out += ",\"rl_id\":";
  appendJsonString(out, server.rl_id);
  out += "}}";
  return out;
}

// The 200 answer of POST /v1/events as Json::dump writes it (keys in
// alphabetical order); `rejected` is null when nothing was rejected.
std::string eventsAnswer(std::size_t accepted, std::size_t duplicates, const Json& rejected, bool bot,
                         std::size_t dropped) {
  std::string out = "{\"accepted\":" + std::to_string(accepted);
  if (bot) out += ",\"bot\":true";
  if (dropped > 0) out += ",\"dropped_bots\":" + std::to_string(dropped);
  out += ",\"duplicates\":" + std::to_string(duplicates) + ",\"rejected\":";
  out += rejected.is_null() ? "[]" : rejected.dump(-1, ' ', false, Json::error_handler_t::replace);
  out += "}\n";
  return out;
}

// An event serialized as a JSON object, with the server's fields appended.
std::string storedBody(const Json& event, const std::string& additions) {
  std::string text = event.dump(-1, ' ', false, Json::error_handler_t::replace);
  text.pop_back();  // the closing brace of a non-empty object
  text += additions;
  return text;
}

}  // namespace

Service::Service(ServiceOptions options, LoadedSite site, EventStore& store, RateLimiter& limiter, Metrics& metrics,
                 const StaticFiles& files, std::function<std::int64_t()> now_ms)
    : options_(std::move(options)),
      site_(std::move(site)),
      cors_([&] {
        std::vector<std::string> origins = options_.allowed_origins;
        if (site_.config) origins.insert(origins.end(), site_.config->allowed_origins.begin(), site_.config->allowed_origins.end());
        return origins;
      }()),
      store_(store),
      limiter_(limiter),
      metrics_(metrics),
      files_(files),
      now_ms_(std::move(now_ms)) {
  if (!site_.config) {
    site_ = loadSite("");  // a service always has a configuration
  }
}

Response Service::transportError(int status, const std::string& message, unsigned version) {
  Response response{static_cast<http::status>(status), version};
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  // Whatever route it was for, an API answer differs by Origin.
  response.set(http::field::vary, "Origin");
  response.body() = errorBody(message).dump() + "\n";
  response.keep_alive(false);
  response.prepare_payload();
  return response;
}

Response Service::json(const Context& context, int status, const Json& body) const {
  return jsonText(context, status, body.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
}

Response Service::jsonText(const Context& context, int status, std::string body) const {
  Response response{static_cast<http::status>(status), context.request.version()};
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body);
  return response;
}

void Service::finish(const Context& context, Response&& response, const Respond& respond) {
  if (isApi(context.route) && context.origin_allowed) {
    response.set(http::field::access_control_allow_origin, context.origin);
    response.set(http::field::access_control_allow_credentials, "true");
  }
  if (isApi(context.route)) response.set(http::field::vary, "Origin");
  response.keep_alive(context.request.keep_alive());
  if (context.head) {
    auto size = response.body().size();
    if (response.find(http::field::content_length) == response.end()) response.content_length(size);
    response.body().clear();
  } else if (response.result() != http::status::not_modified && response.result() != http::status::no_content) {
    response.prepare_payload();
  }
  metrics_.countRequest(context.route, response.result_int());
  respond(std::move(response));
}

Service::ContextPtr Service::makeContext(Request&& request, const Peer& peer) const {
  auto context = std::make_shared<Context>();
  context->request = std::move(request);
  std::string_view target = context->request.target();
  context->path = std::string(target.substr(0, target.find('?')));
  context->route = routeOf(context->path);
  context->client = peer.address;
  context->client_truncated = peer.truncated.empty() ? truncateIp(peer.address) : peer.truncated;
  if (options_.trust_proxy) {
    auto forwarded = context->request.find("X-Forwarded-For");
    if (forwarded != context->request.end()) {
      std::string_view value = forwarded->value();
      // The proxy appends the address it saw last: the nearest hop it trusts.
      std::size_t comma = value.rfind(',');
      std::string last(trim(comma == std::string_view::npos ? value : value.substr(comma + 1)));
      if (std::string truncated = truncateIp(last); !truncated.empty()) {
        context->client = last;
        context->client_truncated = std::move(truncated);
      }
    }
    auto proto = context->request.find("X-Forwarded-Proto");
    context->https = proto != context->request.end() && lower(proto->value()) == "https";
  }
  auto origin = context->request.find(http::field::origin);
  if (origin != context->request.end()) {
    context->origin = std::string(origin->value());
    auto host = context->request.find(http::field::host);
    context->origin_allowed = cors_.allows(context->origin, host == context->request.end() ? "" : host->value(), context->https);
  }
  context->head = context->request.method() == http::verb::head;
  return context;
}

void Service::refuseUnread(Request&& header, const Peer& peer, int status, const std::string& message,
                           Respond respond) {
  ContextPtr context = makeContext(std::move(header), peer);
  Response response = json(*context, status, errorBody(message));
  // The body was not read: the connection cannot carry another request.
  context->request.keep_alive(false);
  finish(*context, std::move(response), respond);
}

bool Service::refuseOnHeader(const Request& header, const Peer& peer, Respond respond) {
  ContextPtr context = makeContext(Request(header), peer);
  const std::string& route = context->route;
  if (route != "events" && route != "optin" && route != "forget") return false;
  std::optional<Response> refused = refusal(*context, false);
  if (!refused) return false;
  context->request.keep_alive(false);  // the body the client holds back is never read
  finish(*context, std::move(*refused), respond);
  return true;
}

void Service::handle(Request&& request, const Peer& peer, Respond respond) {
  ContextPtr context = makeContext(std::move(request), peer);
  http::verb method = context->request.method();
  const std::string& route = context->route;

  if (method == http::verb::options && isApi(route)) {
    if (!context->origin_allowed) {
      finish(*context, json(*context, 403, errorBody("origin not allowed")), respond);
      return;
    }
    Response response{http::status::no_content, context->request.version()};
    response.set(http::field::access_control_allow_methods, route == "config" ? "GET, HEAD, OPTIONS" : "POST, OPTIONS");
    response.set(http::field::access_control_allow_headers, "Content-Type");
    response.set(http::field::access_control_max_age, "600");
    context->route = "preflight";
    // Preflight answers carry the CORS headers like the API itself.
    response.set(http::field::access_control_allow_origin, context->origin);
    response.set(http::field::access_control_allow_credentials, "true");
    response.set(http::field::vary, "Origin");
    finish(*context, std::move(response), respond);
    return;
  }
  if (route == "events") return events(context, std::move(respond));
  if (route == "optin") return optin(context, std::move(respond));
  if (route == "forget") return forget(context, std::move(respond));

  if (method != http::verb::get && method != http::verb::head) {
    Response response = json(*context, 405, errorBody("method not allowed"));
    response.set(http::field::allow, "GET, HEAD");
    finish(*context, std::move(response), respond);
    return;
  }
  if (route == "config") return config(context, std::move(respond));
  if (route == "readyz") return readyz(context, std::move(respond));
  if (route == "healthz") {
    finish(*context, json(*context, 200, Json{{"status", "ok"}}), respond);
    return;
  }
  if (route == "metrics") {
    Response response{http::status::ok, context->request.version()};
    response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    response.set(http::field::cache_control, "no-store");
    Metrics::StoreFigures figures;
    figures.queue_rows = store_.queueDepth();
    figures.ready = store_.readyProblem().empty();
    figures.checkpoints = store_.checkpoints();
    figures.writer_checkpoints = store_.writerCheckpoints();
    figures.writer_checkpoint_seconds = store_.writerCheckpointSeconds();
    figures.log_frames = store_.logFrames();
    figures.uncopied_frames = store_.uncopiedFrames();
    response.body() = metrics_.render(figures);
    finish(*context, std::move(response), respond);
    return;
  }
  if (route == "api_unknown") {
    finish(*context, json(*context, 404, errorBody("no such endpoint: " + context->path)), respond);
    return;
  }
  staticFile(context, std::move(respond));
}

bool Service::parseBody(const Context& context, std::string_view text, ParsedJson& parsed, const Respond& respond) {
  parsed = parseJson(text);
  if (!parsed.ok) finish(context, json(context, 400, malformedJsonBody(parsed)), respond);
  return parsed.ok;
}

std::optional<Response> Service::refusal(const Context& context, bool take_token) {
  const Request& request = context.request;
  if (request.method() != http::verb::post) {
    Response response = json(context, 405, errorBody("method not allowed: use POST"));
    response.set(http::field::allow, "POST, OPTIONS");
    return response;
  }
  if (!context.origin.empty() && !context.origin_allowed) {
    return json(context, 403, errorBody("origin not allowed: " + context.origin));
  }
  if (limiter_.enabled()) {
    std::string key = rateLimitKey(context.client);
    if (int wait = take_token ? limiter_.take(key, now_ms_()) : limiter_.wait(key, now_ms_()); wait > 0) {
      Response response = json(context, 429, Json{{"error", "too many requests"}, {"retry_after", wait}});
      response.set(http::field::retry_after, std::to_string(wait));
      return response;
    }
  }
  if (request.body().size() > kMaxBodyBytes) {
    return json(context, 413, errorBody("body larger than 1 MiB"));
  }
  auto type = request.find(http::field::content_type);
  std::string media = type == request.end() ? "" : mediaType(type->value());
  if (media != "application/json" && media != "text/plain") {
    return json(context, 415, errorBody("unsupported media type \"" + media + "\": send application/json or text/plain"));
  }
  return std::nullopt;
}

bool Service::admit(const ContextPtr& context, const Respond& respond) {
  if (std::optional<Response> refused = refusal(*context, true)) {
    finish(*context, std::move(*refused), respond);
    return false;
  }
  const Request& request = context->request;
  auto cookie = request.find(http::field::cookie);
  context->identity = cookie == request.end() ? "" : readIdentityCookie(cookie->value());
  context->identity_presented = !context->identity.empty();
  if (context->identity.empty()) context->identity = newIdentity();
  return true;
}

void Service::events(const ContextPtr& context, Respond respond) {
  if (!admit(context, respond)) return;
  const std::string& text = context->request.body();
  // The fast path proves the usual events valid in one pass over the text
  // and keeps their bytes; whatever it is unsure of takes the reference path
  // (a JSON document and validateEvent), which also words every error.
  ScannedBatch scanned = scanEventBatch(text);
  ParsedJson parsed;
  const Json* list = nullptr;
  std::size_t count = scanned.events.size();
  if (!scanned.ok) {
    if (!parseBody(*context, text, parsed, respond)) return;
    const Json& body = parsed.value;
    auto events = body.is_object() ? body.find("events") : body.end();
    if (!body.is_object() || events == body.end() || !events->is_array()) {
      PathError error = body.is_object() ? PathError{"/events", "must be an array of events"}
                                         : PathError{"", "must be an object {\"events\": [...]}"};
      finish(*context, json(*context, 400, Json{{"error", "invalid body"}, {"errors", toJson({error})}}), respond);
      return;
    }
    list = &*events;
    count = list->size();
  }
  if (count > kMaxEventsPerRequest) {
    finish(*context,
           json(*context, 413,
                errorBody("too many events: " + std::to_string(count) + " (at most " +
                          std::to_string(kMaxEventsPerRequest) + " per request)")),
           respond);
    return;
  }

  const SiteConfig& config = *site_.config;
  std::string user_agent;
  if (auto ua = context->request.find(http::field::user_agent); ua != context->request.end()) user_agent = ua->value();
  std::string device = deviceClass(user_agent);
  bool bot = device == "bot";  // the same test as isBot, done once
  std::int64_t received_at = now_ms_();
  std::string additions =
      storedAdditions(received_at, ServerFields{context->client_truncated, device, bot, context->identity});

  Json rejected;  // an array once an event is rejected
  std::size_t dropped = 0;
  WriteBatch batch;
  batch.received_at = received_at;
  batch.events.reserve(count);
  // Distinct, in order of appearance: usually one per request, so a search
  // of a short vector beats a std::set (a node allocation per id).
  std::vector<std::string> anonymous_ids;
  auto seen = [&anonymous_ids](std::string_view id) {
    if (std::find(anonymous_ids.begin(), anonymous_ids.end(), id) == anonymous_ids.end()) anonymous_ids.emplace_back(id);
  };
  std::size_t rejected_count = 0;
  auto reject = [&rejected, &rejected_count](std::size_t index, std::string_view id, const PathErrors& errors) {
    Json entry = {{"index", index}, {"errors", toJson(errors)}};
    entry["id"] = id.empty() ? Json(nullptr) : Json(std::string(id));
    rejected.push_back(std::move(entry));  // a null Json becomes an array
    ++rejected_count;
  };
  // Events stored without analytics consent (consent-exempt measurement)
  // neither tie the browser's id to rl_id nor keep the cookie alive: a
  // request made only of them gets no Set-Cookie (the runtime sends them
  // without cookies anyway, docs/collector.md "Privacy").
  std::size_t consented = 0;
  const PathError refused_consent{"/consent/analytics",
                                  "analytics consent refused: the site does not allow consent-exempt measurement"};
  for (std::size_t i = 0; i < count; ++i) {
    if (scanned.ok && scanned.events[i].valid) {
      ScannedEvent& event = scanned.events[i];
      if (event.analytics_refused && !config.consent.exempt_measurement) {
        reject(i, event.id, {refused_consent});
        continue;
      }
      if (bot && config.drop_bots) {
        ++dropped;
        continue;
      }
      StoredEvent stored;
      stored.id = std::string(event.id);
      stored.type = std::string(event.type);
      stored.ts = event.ts;
      // The bytes the client sent (minus whitespace): the same JSON value the
      // reference path would re-serialise, without the cost.
      stored.body = std::move(event.compact);
      stored.body.pop_back();  // the closing brace
      stored.body += additions;
      batch.events.push_back(std::move(stored));
      if (!event.analytics_refused) {
        seen(event.anonymous_id);
        ++consented;
      }
      continue;
    }
    ParsedJson one;  // the scanned event's own document, when the scan was not enough
    if (scanned.ok) one = parseJson(scanned.events[i].text);
    const Json& event = scanned.ok ? one.value : (*list)[i];
    auto id = event.is_object() ? event.find("id") : event.end();
    std::string id_text = id != event.end() && id->is_string() ? id->get<std::string>() : "";
    PathErrors errors = validateEvent(event);
    bool analytics_refused = false;
    if (errors.empty()) {
      auto consent = event.find("consent");
      if (consent != event.end() && consent->is_object()) {
        auto analytics = consent->find("analytics");
        analytics_refused = analytics != consent->end() && analytics->is_boolean() && !analytics->get<bool>();
        if (analytics_refused && !config.consent.exempt_measurement) errors.push_back(refused_consent);
      }
    }
    if (!errors.empty()) {
      reject(i, id_text, errors);
      continue;
    }
    if (bot && config.drop_bots) {
      ++dropped;
      continue;
    }
    StoredEvent stored;
    stored.id = id_text;
    stored.type = event.find("type")->get<std::string>();
    auto ts = event.find("ts");
    stored.ts = ts->is_number_unsigned() ? static_cast<std::int64_t>(ts->get<std::uint64_t>()) : ts->get<std::int64_t>();
    stored.body = storedBody(event, additions);
    batch.events.push_back(std::move(stored));
    if (analytics_refused) continue;
    ++consented;
    auto anonymous = event.find("anonymous_id");
    if (anonymous != event.end() && anonymous->is_string()) seen(anonymous->get_ref<const std::string&>());
  }
  // The cookie is set (or refreshed) only for a request that stored an event
  // with analytics consent: not for refused, dropped or consent-exempt ones,
  // nor an empty batch (a fresh rl_id that no event needs).
  bool set_cookie = consented > 0;
  // The link anonymous_id <-> rl_id is written only when the browser
  // presented its rl_id: one that sends no cookies (requests made with
  // credentials 'omit', cookies blocked) would get a new random rl_id with
  // every request, and a row that no later request can ever match. A new
  // visitor is linked at its second request, which brings the cookie back;
  // the first request's events carry the rl_id in `server` anyway.
  if (context->identity_presented) {
    for (const auto& anonymous : anonymous_ids) batch.identities.emplace_back(anonymous, context->identity);
  }

  auto answer = [this, context, rejected = std::move(rejected), dropped, bot, rejected_count, set_cookie](
                    const WriteResult& result, const Respond& respond) mutable {
    if (!result.ok) {
      finish(*context, notStored(*context, result.error), respond);
      return;
    }
    metrics_.countEvents(result.inserted, result.duplicates, rejected_count, dropped);
    Response response = jsonText(*context, 200, eventsAnswer(result.inserted, result.duplicates, rejected, bot, dropped));
    if (set_cookie) {
      response.set(http::field::set_cookie, identitySetCookie(context->identity, options_.secure_cookie || context->https));
    }
    finish(*context, std::move(response), respond);
  };

  if (batch.events.empty()) {
    WriteResult nothing;
    nothing.ok = true;
    answer(nothing, respond);
    return;
  }
  auto shared_answer = std::make_shared<decltype(answer)>(std::move(answer));
  auto shared_respond = std::make_shared<Respond>(std::move(respond));
  bool queued = store_.submit(std::move(batch), [shared_answer, shared_respond](const WriteResult& result) {
    (*shared_answer)(result, *shared_respond);
  });
  if (!queued) finish(*context, notQueued(*context), *shared_respond);
}

void Service::optin(const ContextPtr& context, Respond respond) {
  if (!admit(context, respond)) return;
  ParsedJson parsed;
  if (!parseBody(*context, context->request.body(), parsed, respond)) return;
  const Json& body = parsed.value;
  PathErrors errors = validateOptin(body);
  auto id = body.is_object() ? body.find("id") : body.end();
  if (errors.empty() && (id == body.end() || !id->is_string() || id->get_ref<const std::string&>().empty() ||
                         id->get_ref<const std::string&>().size() > kMaxIdBytes)) {
    errors.push_back({"/id", "must be a non-empty string of at most 64 bytes (the idempotency key)"});
  }
  // The offer must be one of the site's (known only with a --config). That
  // this visitor was shown it cannot be checked here: the collector does not
  // hold the visitor state (docs/collector.md, "POST /v1/optin").
  if (errors.empty() && site_.from_file &&
      (!site_.config->offers || !definesOffer(*site_.config->offers, body.find("offer_id")->get_ref<const std::string&>()))) {
    errors.push_back({"/offer_id", "unknown offer \"" + body.find("offer_id")->get<std::string>() +
                                       "\": the site configuration defines no offer with this id"});
  }
  if (!errors.empty()) {
    finish(*context, json(*context, 400, Json{{"error", "invalid opt-in"}, {"errors", toJson(errors)}}), respond);
    return;
  }
  std::string user_agent;
  if (auto ua = context->request.find(http::field::user_agent); ua != context->request.end()) user_agent = ua->value();
  std::int64_t received_at = now_ms_();
  std::string device = deviceClass(user_agent);
  ServerFields server{context->client_truncated, device, device == "bot", context->identity};
  WriteBatch batch;
  batch.received_at = received_at;
  batch.optins.push_back(StoredOptin{id->get<std::string>(), storedBody(body, storedAdditions(received_at, server))});
  auto anonymous = body.find("anonymous_id");
  if (context->identity_presented && anonymous != body.end() && anonymous->is_string() &&
      !anonymous->get_ref<const std::string&>().empty())  // linked as for events (see events())
    batch.identities.emplace_back(anonymous->get<std::string>(), context->identity);

  auto shared_respond = std::make_shared<Respond>(std::move(respond));
  bool queued = store_.submit(std::move(batch), [this, context, shared_respond](const WriteResult& result) {
    if (!result.ok) {
      finish(*context, notStored(*context, result.error), *shared_respond);
      return;
    }
    Response response = json(*context, 200, Json{{"ok", true}, {"duplicate", result.duplicates > 0}});
    response.set(http::field::set_cookie, identitySetCookie(context->identity, options_.secure_cookie || context->https));
    finish(*context, std::move(response), *shared_respond);
  });
  if (!queued) finish(*context, notQueued(*context), *shared_respond);
}

// The visitor withdrew consent: the browser forgets its rl_id (the page cannot
// remove an HttpOnly cookie itself). Admitted like the other POSTs (origin,
// rate, size, media type: the runtime sends "{}" as text/plain, a request
// without preflight that sendBeacon can make too); the body is not read.
// Nothing is stored or logged: the answer is the whole effect. The rows
// already stored are left as they are (docs/collector.md, "Privacy", says why).
void Service::forget(const ContextPtr& context, Respond respond) {
  if (!admit(context, respond)) return;
  Response response = json(*context, 200, Json{{"ok", true}});
  response.set(http::field::set_cookie, identityClearCookie(options_.secure_cookie || context->https));
  finish(*context, std::move(response), respond);
}

Response Service::notQueued(const Context& context) const {
  return notStored(context, store_.readyProblem());  // "" when only the queue is full
}

Response Service::notStored(const Context& context, const std::string& problem) const {
  std::string what = context.route == "optin" ? "the opt-in was not stored" : "the events were not stored";
  std::string error = problem.empty() ? "store is busy (queue full)" : "store unavailable: " + problem;
  Response response = json(context, 503, Json{{"error", error + "; " + what + ", send again later"}, {"retry_after", 1}});
  response.set(http::field::retry_after, "1");
  return response;
}

void Service::config(const ContextPtr& context, Respond respond) {
  auto match = context->request.find(http::field::if_none_match);
  Response response;
  if (match != context->request.end() && match->value().find(site_.etag) != std::string_view::npos) {
    response = Response{http::status::not_modified, context->request.version()};
  } else {
    response = Response{http::status::ok, context->request.version()};
    response.set(http::field::content_type, "application/json");
    response.body() = site_.browser_json;
  }
  response.set(http::field::etag, site_.etag);
  response.set(http::field::cache_control, "public, max-age=60, must-revalidate");
  finish(*context, std::move(response), respond);
}

void Service::readyz(const ContextPtr& context, Respond respond) {
  std::string problem = store_.readyProblem();
  if (problem.empty()) {
    finish(*context, json(*context, 200, Json{{"status", "ready"}, {"queue_rows", store_.queueDepth()}}), respond);
  } else {
    finish(*context, json(*context, 503, Json{{"status", "not ready"}, {"reason", problem}}), respond);
  }
}

void Service::staticFile(const ContextPtr& context, Respond respond) {
  const Request& request = context->request;
  auto header = [&](http::field field) {
    auto it = request.find(field);
    return it == request.end() ? std::string_view() : std::string_view(it->value());
  };
  StaticAnswer answer = files_.serve(request.target(), header(http::field::accept_encoding), header(http::field::if_none_match));
  Response response{static_cast<http::status>(answer.status), request.version()};
  if (!answer.content_type.empty() && answer.status != 304) response.set(http::field::content_type, answer.content_type);
  if (!answer.content_encoding.empty()) response.set(http::field::content_encoding, answer.content_encoding);
  if (!answer.cache_control.empty()) response.set(http::field::cache_control, answer.cache_control);
  if (!answer.etag.empty()) response.set(http::field::etag, answer.etag);
  if (!answer.location.empty()) response.set(http::field::location, answer.location);
  if (answer.vary_encoding) response.set(http::field::vary, "Accept-Encoding");
  response.set("X-Content-Type-Options", "nosniff");
  // Public files, fetched without credentials: the snippet fetch()es the
  // engine for WebAssembly.compileStreaming, which needs CORS when the
  // collector runs on another origin than the site (t.shop.example).
  response.set(http::field::access_control_allow_origin, "*");
  response.body() = std::move(answer.body);
  finish(*context, std::move(response), respond);
}

}  // namespace relance::collector
