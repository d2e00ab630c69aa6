// Opt-in offers (pop-ups): triggers, eligibility, caps, variants, the render
// model, dismissal and submission.
//
// State: state["offers"]["offer_id"] = {"session_id", "shown_session",
// "last_shown", "dismissed", "converted"} (at most one entry per configured
// offer), state["page"]["offer_shown"] (the one-pop-up-per-page-view cap,
// reset here on page_view) and state["subscribed"] (true after an opt-in).
#include "core/offers.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/abandonment.h"
#include "core/compiled_reader.h"
#include "core/condition_form.h"
#include "core/contact.h"
#include "core/event.h"
#include "core/section_reader.h"
#include "core/variant.h"

namespace relance {

struct OfferTrigger {
  std::string type;  // exit_intent, scroll, time_on_page, page_count, idle, event, after_dismiss, manual
  double amount = 0;  // percent, seconds or pages
  std::string event;  // type "event": the tracked event's name
  std::shared_ptr<const CompiledCondition> condition;  // type "event": optional
  std::string offer;  // type "after_dismiss": the other offer
  Json source;
};

struct OfferField {
  std::string name;  // email, phone, first_name
  std::string label;
  bool required = false;
};

struct OfferVariant {
  std::string id;
  double weight = 1;
  Json overrides;  // as configured (null: none)
  Json content;    // the offer's content with this variant's overrides applied
};

struct Offer {
  std::string id;
  double priority = 0;
  std::shared_ptr<const CompiledCondition> condition;
  std::vector<OfferTrigger> triggers;
  int max_per_session = 1;
  double dismiss_days = 7;
  bool after_conversion = false;  // show again after a conversion
  bool show_to_subscribers = false;
  std::vector<OfferField> fields;
  std::string consent_text;
  bool consent_required = false;
  Json content;  // as configured
  bool has_variants = false;
  std::vector<OfferVariant> variants;
  std::vector<WeightedVariant> weights;
};

class OffersConfig {
 public:
  std::vector<Offer> offers;  // sorted: priority descending, then configuration order
};

bool definesOffer(const OffersConfig& config, std::string_view offer_id) {
  for (const Offer& offer : config.offers)
    if (offer.id == offer_id) return true;
  return false;
}

namespace {

const char* const kTriggerTypes[] = {"exit_intent", "scroll", "time_on_page", "page_count", "idle",
                                     "event", "after_dismiss", "manual"};
const char* const kContentKeys[] = {"title", "body", "fields", "consent", "button", "success",
                                    "advantage", "layout", "theme", "close_label"};

std::string defaultLabel(const std::string& field) {
  if (field == "email") return "E-mail";
  if (field == "phone") return "Phone";
  return "First name";
}

void compileTrigger(const Json& source, const std::string& path, PathErrors& errors, OfferTrigger& t) {
  if (!source.is_object()) {
    errors.push_back({path, "must be an object {type, ...}"});
    return;
  }
  t.source = source;
  readString(source, "type", path, errors, t.type, true);
  if (member(source, "type") == nullptr || !member(source, "type")->is_string()) return;
  std::string type_path = pointerAppend(path, "type");
  if (std::find_if(std::begin(kTriggerTypes), std::end(kTriggerTypes),
                   [&](const char* k) { return t.type == k; }) == std::end(kTriggerTypes)) {
    errors.push_back({type_path, "unknown trigger \"" + t.type +
                                     "\" (exit_intent, scroll, time_on_page, page_count, idle, event, after_dismiss, manual)"});
    return;
  }
  if (t.type == "scroll") {
    checkKnownKeys(source, {"type", "percent"}, path, errors);
    readNumber(source, "percent", path, errors, t.amount, 0, 100, true);
  } else if (t.type == "time_on_page" || t.type == "idle") {
    checkKnownKeys(source, {"type", "seconds"}, path, errors);
    readNumber(source, "seconds", path, errors, t.amount, 0, 86400, true);
  } else if (t.type == "page_count") {
    checkKnownKeys(source, {"type", "pages"}, path, errors);
    readNumber(source, "pages", path, errors, t.amount, 1, 10000, true);
  } else if (t.type == "event") {
    checkKnownKeys(source, {"type", "event", "condition"}, path, errors);
    readString(source, "event", path, errors, t.event, true);
    // A trigger that could never fire is a fault, like an unknown key: a
    // typo, or a type only the engine emits (a track signal of it is refused).
    if (member(source, "event") != nullptr && member(source, "event")->is_string()) {
      if (!isValidEventType(t.event)) {
        errors.push_back({pointerAppend(path, "event"),
                          "must be an event type such as \"add_to_cart\" or \"custom.my_event\""});
      } else if (isEngineEventType(t.event)) {
        errors.push_back({pointerAppend(path, "event"),
                          "\"" + t.event + "\" is emitted by Relance itself and cannot be tracked"});
      }
    }
    t.condition = readCondition(source, path, errors);
  } else if (t.type == "after_dismiss") {
    checkKnownKeys(source, {"type", "offer", "delay_seconds"}, path, errors);
    readString(source, "offer", path, errors, t.offer, true);
    readNumber(source, "delay_seconds", path, errors, t.amount, 0, 86400 * 30);
  } else {
    checkKnownKeys(source, {"type"}, path, errors);
  }
}

// Theme values become CSS custom properties: no characters that could end the declaration.
bool isPlainCssValue(const Json& v) {
  if (!v.is_string()) return false;
  const std::string& value = v.get_ref<const std::string&>();
  return !value.empty() && value.size() <= 100 && value.find_first_of(";{}<>\\\"'") == std::string::npos &&
         value.find("url(") == std::string::npos;
}

// Checks one content object (the offer's, or a variant's overrides).
void checkContent(const Json& content, const std::string& path, PathErrors& errors, bool complete) {
  if (!content.is_object()) {
    errors.push_back({path, "must be an object {title, body, fields, consent, button, success, ...}"});
    return;
  }
  for (auto it = content.begin(); it != content.end(); ++it) {
    if (std::find_if(std::begin(kContentKeys), std::end(kContentKeys),
                     [&](const char* k) { return it.key() == k; }) == std::end(kContentKeys))
      errors.push_back({pointerAppend(path, it.key()), "unknown field"});
  }
  for (const char* key : {"title", "body", "button", "success", "close_label"}) {
    const Json* v = member(content, key);
    if (v != nullptr && (!v->is_string() || v->get<std::string>().size() > 2048))
      errors.push_back({pointerAppend(path, key), "must be a text of at most 2048 bytes (plain text)"});
  }
  if (complete && member(content, "title") == nullptr)
    errors.push_back({pointerAppend(path, "title"), "is required (a string)"});
  if (const Json* layout = member(content, "layout")) {
    if (!layout->is_string() || (layout->get<std::string>() != "dialog" && layout->get<std::string>() != "banner"))
      errors.push_back({pointerAppend(path, "layout"), "must be \"dialog\" or \"banner\""});
  }
  if (const Json* theme = member(content, "theme")) {
    std::string at = pointerAppend(path, "theme");
    if (!theme->is_object()) {
      errors.push_back({at, "must be an object of CSS values {accent, background, text, radius, font}"});
    } else {
      for (auto it = theme->begin(); it != theme->end(); ++it) {
        std::string key = it.key();
        bool known = key == "accent" || key == "background" || key == "text" || key == "radius" || key == "font";
        bool safe = isPlainCssValue(*it);
        if (!known) errors.push_back({pointerAppend(at, key), "unknown theme key (accent, background, text, radius, font)"});
        else if (!safe) errors.push_back({pointerAppend(at, key), "must be a plain CSS value (no ; { } < > \\ quotes or url())"});
      }
    }
  }
  if (const Json* advantage = member(content, "advantage")) {
    std::string at = pointerAppend(path, "advantage");
    if (!advantage->is_object()) {
      errors.push_back({at, "must be an object {type: free_delivery | percent | gift, value}"});
    } else {
      checkKnownKeys(*advantage, {"type", "value", "label"}, at, errors);
      std::string type = stringMember(*advantage, "type");
      if (type != "free_delivery" && type != "percent" && type != "gift")
        errors.push_back({pointerAppend(at, "type"), "must be free_delivery, percent or gift"});
      double value = 0;
      if (type == "percent") readNumber(*advantage, "value", at, errors, value, 1, 100, true);
      if (type == "gift") {
        std::string gift;
        readString(*advantage, "value", at, errors, gift, true);
      }
      const Json* label = member(*advantage, "label");
      if (label != nullptr && !label->is_string()) errors.push_back({pointerAppend(at, "label"), "must be a string"});
    }
  }
  if (const Json* consent = member(content, "consent")) {
    std::string at = pointerAppend(path, "consent");
    if (!consent->is_object()) {
      errors.push_back({at, "must be an object {text, required}"});
    } else {
      checkKnownKeys(*consent, {"text", "required"}, at, errors);
      std::string text;
      readString(*consent, "text", at, errors, text, true);
      if (member(*consent, "text") != nullptr && text.empty())
        errors.push_back({pointerAppend(at, "text"), "must not be empty (it is kept as the proof of consent)"});
      bool required = true;
      readBool(*consent, "required", at, errors, required);
    }
  }
  if (const Json* fields = member(content, "fields")) {
    std::string at = pointerAppend(path, "fields");
    if (!fields->is_array()) {
      errors.push_back({at, "must be an array of {name: email | phone | first_name, required, label}"});
    } else {
      std::vector<std::string> names;
      for (std::size_t i = 0; i < fields->size(); ++i) {
        const Json& f = (*fields)[i];
        std::string fp = pointerAppend(at, i);
        if (!f.is_object()) {
          errors.push_back({fp, "must be an object {name, required, label}"});
          continue;
        }
        checkKnownKeys(f, {"name", "required", "label", "placeholder"}, fp, errors);
        std::string name;
        readString(f, "name", fp, errors, name, true);
        if (member(f, "name") != nullptr && name != "email" && name != "phone" && name != "first_name")
          errors.push_back({pointerAppend(fp, "name"), "must be email, phone or first_name"});
        if (std::find(names.begin(), names.end(), name) != names.end())
          errors.push_back({pointerAppend(fp, "name"), "duplicate field \"" + name + "\""});
        names.push_back(name);
        bool required = false;
        readBool(f, "required", fp, errors, required);
        std::string label;
        readString(f, "label", fp, errors, label);
        readString(f, "placeholder", fp, errors, label);
      }
    }
  }
}

// The form fields and the consent text of the offer's content (the same in every variant).
void readFieldsAndConsent(const Json& content, Offer& offer) {
  if (!content.is_object()) return;
  if (const Json* fields = member(content, "fields"); fields != nullptr && fields->is_array()) {
    for (const auto& f : *fields)
      offer.fields.push_back({stringMember(f, "name"), stringMember(f, "label"), boolMember(f, "required")});
  }
  if (const Json* consent = member(content, "consent"); consent != nullptr && consent->is_object()) {
    offer.consent_text = stringMember(*consent, "text");
    offer.consent_required = boolMember(*consent, "required", true);
  }
}

// A variant's content: the offer's, each key of the overrides replacing the offer's.
void applyOverrides(const Json& overrides, Json& content) {
  if (overrides.is_object() && content.is_object())
    for (auto it = overrides.begin(); it != overrides.end(); ++it) content[it.key()] = *it;
}

// The render model the UI draws (texts are plain text: the UI escapes them).
Json renderModel(const Offer& offer, const OfferVariant& variant, const std::string& trigger, bool preview) {
  const Json& c = variant.content;
  Json fields = Json::array();
  if (const Json* fs = member(c, "fields"); fs != nullptr && fs->is_array()) {
    for (const auto& f : *fs) {
      std::string name = stringMember(f, "name");
      fields.push_back(object({{"name", name},
                               {"type", name == "email" ? "email" : name == "phone" ? "tel" : "text"},
                               {"autocomplete", name == "email" ? "email" : name == "phone" ? "tel" : "given-name"},
                               {"label", stringMember(f, "label", defaultLabel(name))},
                               {"placeholder", stringMember(f, "placeholder")},
                               {"required", boolMember(f, "required")}}));
    }
  }
  Json model = object({{"offer_id", offer.id},
                       {"variant", variant.id},
                       {"trigger", trigger},
                       {"layout", stringMember(c, "layout", "dialog")},
                       {"theme", member(c, "theme") ? *member(c, "theme") : Json::object()},
                       {"title", stringMember(c, "title")},
                       {"body", stringMember(c, "body")},
                       {"fields", fields},
                       {"button", stringMember(c, "button", "Subscribe")},
                       {"success", stringMember(c, "success", "Thank you!")},
                       {"close_label", stringMember(c, "close_label", "Close")},
                       {"honeypot", "website"},
                       {"preview", preview}});
  if (const Json* consent = member(c, "consent")) {
    setMember(model, "consent", object({{"text", stringMember(*consent, "text")}, {"required", boolMember(*consent, "required", true)}}));
  }
  if (const Json* advantage = member(c, "advantage")) setMember(model, "advantage", *advantage);
  return model;
}

const Offer* findOffer(const OffersConfig& config, const std::string& id) {
  for (const auto& o : config.offers)
    if (o.id == id) return &o;
  return nullptr;
}

const OfferVariant& assignedVariant(const Offer& offer, const DecisionStep& step) {
  int index = pickVariant(variantBucket(stringMember(step.state, "anonymous_id"), offer.id), 0, offer.weights);
  return offer.variants[index < 0 ? 0 : static_cast<std::size_t>(index)];
}

std::string currentSessionId(const DecisionStep& step) {
  const Json* session = member(step.state, "session");
  return session != nullptr ? stringMember(*session, "id") : "";
}

bool isSubscribed(const DecisionStep& step) {
  if (boolMember(step.state, "subscribed")) return true;
  const Json* visitor = member(step.context, "visitor");
  return visitor != nullptr && boolMember(*visitor, "subscribed");
}

// Which trigger of `offer` this signal fires, or "" if none.
std::string firedTrigger(const Offer& offer, DecisionStep& step, const Json& records) {
  std::string type = signalType(step);
  const Json& props = signalProps(step);
  for (const auto& t : offer.triggers) {
    bool fired = false;
    if (t.type == "exit_intent") {
      fired = type == "exit_intent";
    } else if (t.type == "scroll") {
      fired = type == "scroll" && numberMember(props, "depth", -1) >= t.amount;
    } else if (t.type == "time_on_page") {
      fired = type == "time" && numberMember(props, "seconds", -1) >= t.amount;
    } else if (t.type == "idle") {
      fired = type == "idle" && numberMember(props, "seconds", -1) >= t.amount;
    } else if (t.type == "page_count") {
      const Json* session = member(step.context, "session");
      fired = type == "page_view" && session != nullptr && numberMember(*session, "pages") >= t.amount;
    } else if (t.type == "event") {
      // A tracked event the engine refused is absent from the context: it did not happen.
      fired = type == "track" && member(step.context, "event") != nullptr && stringMember(props, "event") == t.event &&
              conditionHolds(t.condition.get(), step, nullptr);
    } else if (t.type == "after_dismiss") {
      // Once per dismissal of the other offer: after it, and after this offer last showed.
      const Json* other = member(records, t.offer.c_str());
      const Json* mine = member(records, offer.id.c_str());
      std::int64_t dismissed = other != nullptr ? integerMember(*other, "dismissed") : 0;
      std::int64_t last_shown = mine != nullptr ? integerMember(*mine, "last_shown") : 0;
      fired = dismissed > 0 && dismissed >= last_shown &&
              step.now_ms - dismissed >= static_cast<std::int64_t>(t.amount * 1000);
    }
    if (fired) return t.type;
  }
  return "";
}

// Why `offer` may not show now ("" when it may).
std::string capThatHolds(const Offer& offer, const DecisionStep& step, const Json& records) {
  const Json* record = member(records, offer.id.c_str());
  if (record != nullptr) {
    if (!offer.after_conversion && integerMember(*record, "converted") > 0) return "cap held: converted before";
    std::int64_t dismissed = integerMember(*record, "dismissed");
    if (dismissed > 0 && step.now_ms - dismissed < static_cast<std::int64_t>(offer.dismiss_days * kDayMs))
      return "cap held: dismissed less than " + Json(offer.dismiss_days).dump() + " days ago";
    if (stringMember(*record, "session_id") == currentSessionId(step) &&
        integerMember(*record, "shown_session") >= offer.max_per_session)
      return "cap held: shown " + decimalText(offer.max_per_session) + " time(s) this session";
  }
  if (!offer.show_to_subscribers && isSubscribed(step)) return "cap held: the visitor is a subscriber";
  return "";
}

void showOffer(const Offer& offer, DecisionStep& step, Json& records, const std::string& trigger) {
  const OfferVariant& variant = assignedVariant(offer, step);
  Json& record = records[offer.id];
  if (!record.is_object()) record = Json::object();
  std::string session_id = currentSessionId(step);
  std::int64_t shown = stringMember(record, "session_id") == session_id ? integerMember(record, "shown_session") : 0;
  setMember(record, "session_id", session_id);
  setMember(record, "shown_session", shown + 1);
  setMember(record, "last_shown", step.now_ms);
  stateObject(step.state, "page")["offer_shown"] = true;
  setMember(step.actions, "offer", object({{"show", renderModel(offer, variant, trigger, false)}}));
  step.emit("offer_shown", object({{"offer_id", offer.id}, {"variant", variant.id}, {"trigger", trigger}}));
}

void addSignalError(DecisionStep& step, const std::string& path, const std::string& message) {
  Json& errors = step.actions["errors"];
  if (!errors.is_array()) errors = Json::array();
  errors.push_back(object({{"path", path}, {"message", message}}));
}

// The offer named by props.offer_id, or null after reporting an error.
const Offer* signalOffer(const OffersConfig& config, DecisionStep& step) {
  std::string id = stringMember(signalProps(step), "offer_id");
  const Offer* offer = findOffer(config, id);
  if (offer == nullptr) addSignalError(step, "/props/offer_id", id.empty() ? "is required" : "unknown offer \"" + id + "\"");
  return offer;
}

void onDismissed(const OffersConfig& config, DecisionStep& step, Json& records) {
  const Offer* offer = signalOffer(config, step);
  if (offer == nullptr) return;
  Json& record = records[offer->id];
  if (!record.is_object()) record = Json::object();
  setMember(record, "dismissed", step.now_ms);
  std::string variant = stringMember(signalProps(step), "variant", assignedVariant(*offer, step).id);
  step.emit("offer_dismissed", object({{"offer_id", offer->id}, {"variant", variant}}));
}

std::string trimmed(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  std::size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

void onSubmit(const OffersConfig& config, DecisionStep& step, Json& records) {
  const Offer* offer = signalOffer(config, step);
  if (offer == nullptr) return;
  const Json& props = signalProps(step);
  // A bot filled the hidden field: tell it "ok" and do nothing else.
  const Json* honeypot = member(props, "honeypot");
  if (honeypot != nullptr && !(honeypot->is_string() && honeypot->get<std::string>().empty()) && !honeypot->is_null()) {
    setMember(step.actions, "offer_result", object({{"ok", true}, {"message", stringMember(assignedVariant(*offer, step).content, "success", "Thank you!")}}));
    return;
  }
  const OfferVariant& variant = assignedVariant(*offer, step);
  const Json* given = member(props, "fields");
  Json errors = Json::array();
  Json contact = Json::object();
  for (const auto& field : offer->fields) {
    std::string value = given != nullptr ? trimmed(stringMember(*given, field.name.c_str())) : "";
    std::string message;
    if (value.empty()) {
      if (field.required) message = "this field is required";
    } else if (field.name == "email") {
      message = checkEmail(value);
    } else if (field.name == "phone") {
      message = checkPhone(value);
    } else if (value.size() > 100 || !isValidUtf8(value)) {
      message = "enter a first name of at most 100 characters";
    }
    if (!message.empty()) errors.push_back(object({{"field", field.name}, {"message", message}}));
    else if (!value.empty()) contact[field.name] = value;
  }
  bool checked = boolMember(props, "consent_checked");
  if (offer->consent_required && !checked)
    errors.push_back(object({{"field", "consent"}, {"message", "please tick the box to agree"}}));
  if (!contact.contains("email") && !contact.contains("phone") && errors.empty())
    errors.push_back(object({{"field", offer->fields.empty() ? "email" : offer->fields.front().name},
                             {"message", "an e-mail address or a phone number is required"}}));
  if (!errors.empty()) {
    setMember(step.actions, "offer_result", object({{"ok", false}, {"errors", errors}}));
    return;
  }
  Json& record = records[offer->id];
  if (!record.is_object()) record = Json::object();
  setMember(record, "converted", step.now_ms);
  setMember(step.state, "subscribed", true);
  if (step.context.is_object() && step.context["visitor"].is_object()) setMember(step.context["visitor"], "subscribed", true);
  noteOptin(step.state, offer->id, step.now_ms);

  std::string page_url;
  if (const Json* ctx = member(step.signal, "context"); ctx != nullptr && member(*ctx, "page") != nullptr)
    page_url = stringMember(*member(*ctx, "page"), "url");
  if (page_url.empty() && member(step.context, "page") != nullptr)
    page_url = stringMember(*member(step.context, "page"), "url");
  std::string id = stringMember(step.signal, "id");
  if (id.empty()) id = "optin-" + decimalText(step.now_ms);
  Json optin = object({{"id", id},
                       {"ts", step.now_ms},
                       {"anonymous_id", stringMember(step.state, "anonymous_id")},
                       {"user_id", member(step.state, "user_id") && member(step.state, "user_id")->is_string()
                                       ? *member(step.state, "user_id") : Json()},
                       {"offer_id", offer->id},
                       {"variant", variant.id},
                       {"consent", object({{"text", offer->consent_text}, {"checked", checked}, {"ts", step.now_ms}, {"page", page_url}})}});
  for (auto it = contact.begin(); it != contact.end(); ++it) optin[it.key()] = *it;
  setMember(step.actions, "optin", optin);
  setMember(step.actions, "offer_result", object({{"ok", true}, {"message", stringMember(variant.content, "success", "Thank you!")}}));
  Json given_fields = Json::array();
  for (auto it = contact.begin(); it != contact.end(); ++it) given_fields.push_back(it.key());
  step.emit("offer_converted", object({{"offer_id", offer->id}, {"variant", variant.id}}));
  // No contact details in events: they go only to POST /v1/optin.
  step.emit("optin", object({{"offer_id", offer->id}, {"variant", variant.id}, {"fields", given_fields}, {"consent", checked}}));
}

void onShowRequest(const OffersConfig& config, DecisionStep& step, Json& records) {
  const Offer* offer = signalOffer(config, step);
  if (offer == nullptr) return;
  if (boolMember(signalProps(step), "preview")) {
    // The marketer's preview: shown whatever the triggers and caps, nothing recorded or emitted.
    setMember(step.actions, "offer", object({{"show", renderModel(*offer, assignedVariant(*offer, step), "preview", true)}}));
    addDebug(step, "offer", offer->id, true, "preview");
    return;
  }
  std::string why;
  if (boolMember(member(step.state, "page") ? *member(step.state, "page") : Json(), "offer_shown")) {
    why = "cap held: one pop-up per page view";
  } else if (!conditionHolds(offer->condition.get(), step, &why)) {
  } else {
    why = capThatHolds(*offer, step, records);
  }
  addDebug(step, "offer", offer->id, why.empty(), why);
  if (why.empty()) showOffer(*offer, step, records, "manual");
}

}  // namespace

std::shared_ptr<const OffersConfig> compileOffers(const Json& section, const std::string& path, PathErrors& errors) {
  auto config = std::make_shared<OffersConfig>();
  if (section.is_null()) return config;
  if (!section.is_array()) {
    errors.push_back({path, "must be an array of offers"});
    return nullptr;
  }
  std::size_t before = errors.size();
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < section.size(); ++i) {
    const Json& source = section[i];
    std::string op = pointerAppend(path, i);
    if (!source.is_object()) {
      errors.push_back({op, "must be an object {id, triggers, condition, caps, content, variants}"});
      continue;
    }
    checkKnownKeys(source, {"id", "description", "priority", "condition", "triggers", "caps", "content", "variants"},
                   op, errors);
    Offer offer;
    readUniqueId(source, op, errors, ids, offer.id);
    readNumber(source, "priority", op, errors, offer.priority, -1e9, 1e9);
    offer.condition = readCondition(source, op, errors);
    const Json* triggers = member(source, "triggers");
    std::string tp = pointerAppend(op, "triggers");
    if (triggers == nullptr) {
      errors.push_back({tp, "is required (an array of triggers; [{\"type\": \"manual\"}] for showOffer only)"});
    } else if (!triggers->is_array() || triggers->empty()) {
      errors.push_back({tp, "must be a non-empty array of triggers"});
    } else {
      for (std::size_t t = 0; t < triggers->size(); ++t) {
        OfferTrigger trigger;
        compileTrigger((*triggers)[t], pointerAppend(tp, t), errors, trigger);
        offer.triggers.push_back(std::move(trigger));
      }
    }
    if (const Json* caps = member(source, "caps")) {
      std::string cp = pointerAppend(op, "caps");
      if (!caps->is_object()) {
        errors.push_back({cp, "must be an object {max_per_session, dismiss_days, after_conversion, show_to_subscribers}"});
      } else {
        checkKnownKeys(*caps, {"max_per_session", "dismiss_days", "after_conversion", "show_to_subscribers"}, cp, errors);
        double per_session = offer.max_per_session;
        readNumber(*caps, "max_per_session", cp, errors, per_session, 1, 1000);
        if (per_session != std::floor(per_session))
          errors.push_back({pointerAppend(cp, "max_per_session"), "must be a whole number"});
        offer.max_per_session = static_cast<int>(per_session);
        readNumber(*caps, "dismiss_days", cp, errors, offer.dismiss_days, 0, 3650);
        readBool(*caps, "after_conversion", cp, errors, offer.after_conversion);
        readBool(*caps, "show_to_subscribers", cp, errors, offer.show_to_subscribers);
      }
    }
    const Json* content = member(source, "content");
    std::string cp = pointerAppend(op, "content");
    Json base = content != nullptr ? *content : Json();
    if (content == nullptr) errors.push_back({cp, "is required (an object {title, body, fields, ...})"});
    else checkContent(*content, cp, errors, true);
    readFieldsAndConsent(base, offer);
    if (const Json* variants = member(source, "variants")) {
      std::string vp = pointerAppend(op, "variants");
      if (!variants->is_array() || variants->empty()) {
        errors.push_back({vp, "must be a non-empty array of {id, weight, content}"});
      } else {
        for (std::size_t v = 0; v < variants->size(); ++v) {
          const Json& vs = (*variants)[v];
          std::string p = pointerAppend(vp, v);
          if (!vs.is_object()) {
            errors.push_back({p, "must be an object {id, weight, content}"});
            continue;
          }
          checkKnownKeys(vs, {"id", "weight", "content"}, p, errors);
          OfferVariant variant;
          readString(vs, "id", p, errors, variant.id, true);
          if (member(vs, "id") != nullptr && member(vs, "id")->is_string() && !isValidId(variant.id))
            errors.push_back({pointerAppend(p, "id"), "must be 1 to 64 of A-Z a-z 0-9 _ . -"});
          readNumber(vs, "weight", p, errors, variant.weight, 0, 1e6);
          variant.content = base;
          if (const Json* overrides = member(vs, "content")) {
            variant.overrides = *overrides;
            checkContent(*overrides, pointerAppend(p, "content"), errors, false);
            // Fields and consent are the offer's: what is validated must not change per variant.
            if (member(*overrides, "fields") != nullptr)
              errors.push_back({pointerAppend(pointerAppend(p, "content"), "fields"), "fields are set on the offer, not per variant"});
            if (member(*overrides, "consent") != nullptr)
              errors.push_back({pointerAppend(pointerAppend(p, "content"), "consent"), "consent is set on the offer, not per variant"});
            applyOverrides(*overrides, variant.content);
          }
          offer.variants.push_back(std::move(variant));
        }
      }
    } else {
      offer.variants.push_back({"default", 1, Json(), base});
    }
    offer.content = base;
    offer.has_variants = member(source, "variants") != nullptr;
    for (const auto& v : offer.variants) offer.weights.push_back({v.id, v.weight});
    config->offers.push_back(std::move(offer));
  }
  // after_dismiss must name a configured offer.
  for (std::size_t i = 0; i < config->offers.size(); ++i) {
    const auto& offer = config->offers[i];
    for (std::size_t t = 0; t < offer.triggers.size(); ++t) {
      if (offer.triggers[t].type == "after_dismiss" && !offer.triggers[t].offer.empty() &&
          std::find(ids.begin(), ids.end(), offer.triggers[t].offer) == ids.end())
        errors.push_back({pointerAppend(pointerAppend(pointerAppend(pointerAppend(path, i), "triggers"), t), "offer"),
                          "unknown offer \"" + offer.triggers[t].offer + "\""});
    }
  }
  if (errors.size() != before) return nullptr;
  std::stable_sort(config->offers.begin(), config->offers.end(),
                   [](const Offer& a, const Offer& b) { return a.priority > b.priority; });
  return config;
}

namespace {

// One trigger of the compiled form (kept as configured, so offersToJson
// writes it back unchanged).
OfferTrigger loadTrigger(const Json& source, const std::string& path, CompiledReader& in) {
  OfferTrigger t;
  if (!in.isObject(source, path)) return t;
  t.source = source;
  t.type = in.string(source, "type", path);
  if (t.type == "scroll") t.amount = in.number(source, "percent", path, 0, 100);
  else if (t.type == "time_on_page" || t.type == "idle") t.amount = in.number(source, "seconds", path, 0, 86400);
  else if (t.type == "page_count") t.amount = in.number(source, "pages", path, 1, 10000);
  else if (t.type == "event") {
    t.event = in.string(source, "event", path);
    t.condition = in.condition(source, path);
  } else if (t.type == "after_dismiss") {
    t.offer = in.string(source, "offer", path);
    t.amount = in.number(source, "delay_seconds", path, 0, 86400 * 30, true);
  } else if (t.type != "exit_intent" && t.type != "manual") {
    in.fail(pointerAppend(path, "type"));
  }
  return t;
}

// Content reaches the page through the UI, which writes texts as text; the
// theme becomes CSS, so its values are checked again.
void checkTheme(const Json& content, const std::string& path, CompiledReader& in) {
  const Json& theme = in.objectMember(content, "theme", path, true);
  for (auto it = theme.begin(); it != theme.end(); ++it)
    if (!isPlainCssValue(*it)) in.fail(pointerAppend(pointerAppend(path, "theme"), it.key()));
}

}  // namespace

std::shared_ptr<const OffersConfig> loadOffers(const Json& section, const std::string& path, CompiledReader& in) {
  auto config = std::make_shared<OffersConfig>();
  if (section.is_null()) return config;
  if (!section.is_array()) in.fail(path);
  for (std::size_t i = 0; i < section.size() && in.ok(); ++i) {
    const Json& source = section[i];
    std::string op = pointerAppend(path, i);
    if (!in.isObject(source, op)) break;
    Offer offer;
    offer.id = in.string(source, "id", op);
    offer.priority = in.number(source, "priority", op, -1e9, 1e9);
    offer.condition = in.condition(source, op);
    const Json& triggers = in.array(source, "triggers", op);
    for (std::size_t t = 0; t < triggers.size(); ++t)
      offer.triggers.push_back(loadTrigger(triggers[t], pointerAppend(pointerAppend(op, "triggers"), t), in));
    std::string cp = pointerAppend(op, "caps");
    const Json& caps = in.objectMember(source, "caps", op);
    offer.max_per_session = static_cast<int>(in.number(caps, "max_per_session", cp, 1, 1000));
    offer.dismiss_days = in.number(caps, "dismiss_days", cp, 0, 3650);
    offer.after_conversion = in.boolean(caps, "after_conversion", cp);
    offer.show_to_subscribers = in.boolean(caps, "show_to_subscribers", cp);
    offer.content = in.objectMember(source, "content", op);
    checkTheme(offer.content, pointerAppend(op, "content"), in);
    readFieldsAndConsent(offer.content, offer);
    const Json& variants = in.array(source, "variants", op, true);
    offer.has_variants = !variants.empty();
    for (std::size_t v = 0; v < variants.size(); ++v) {
      std::string vp = pointerAppend(pointerAppend(op, "variants"), v);
      OfferVariant variant;
      if (!in.isObject(variants[v], vp)) break;
      variant.id = in.string(variants[v], "id", vp);
      variant.weight = in.number(variants[v], "weight", vp, 0, 1e6);
      variant.content = offer.content;
      if (const Json* overrides = member(variants[v], "content")) {
        variant.overrides = *overrides;
        checkTheme(*overrides, pointerAppend(vp, "content"), in);
        applyOverrides(*overrides, variant.content);
      }
      offer.variants.push_back(std::move(variant));
    }
    if (!offer.has_variants) offer.variants.push_back({"default", 1, Json(), offer.content});
    for (const auto& v : offer.variants) offer.weights.push_back({v.id, v.weight});
    config->offers.push_back(std::move(offer));
  }
  // The compiled form lists the offers in decision order already.
  return in.ok() ? config : nullptr;
}

Json offersToJson(const OffersConfig& config, ConditionFormWriter& conditions) {
  if (config.offers.empty()) return nullptr;
  Json out = Json::array();
  for (const auto& offer : config.offers) {
    Json triggers = Json::array();
    for (const auto& t : offer.triggers) {
      Json trigger = t.source;  // as configured, but its condition compiled
      if (t.condition) setMember(trigger, "condition", conditions.write(*t.condition));
      triggers.push_back(std::move(trigger));
    }
    Json o = object({{"id", offer.id},
                     {"priority", offer.priority},
                     {"triggers", triggers},
                     {"caps", object({{"max_per_session", offer.max_per_session},
                               {"dismiss_days", offer.dismiss_days},
                               {"after_conversion", offer.after_conversion},
                               {"show_to_subscribers", offer.show_to_subscribers}})},
                     {"content", offer.content}});
    if (offer.has_variants) {
      Json variants = Json::array();
      for (const auto& v : offer.variants) {
        Json vj = object({{"id", v.id}, {"weight", v.weight}});
        if (!v.overrides.is_null()) setMember(vj, "content", v.overrides);
        variants.push_back(std::move(vj));
      }
      setMember(o, "variants", variants);
    }
    if (offer.condition) setMember(o, "condition", conditions.write(*offer.condition));
    out.push_back(std::move(o));
  }
  return out;
}

void decideOffers(const OffersConfig& config, DecisionStep& step) {
  if (config.offers.empty()) return;
  std::string type = signalType(step);
  Json& records = stateObject(step.state, "offers");
  if (type == "page_view") stateObject(step.state, "page")["offer_shown"] = false;
  if (type == "offer_dismissed") return onDismissed(config, step, records);
  if (type == "offer_submit") return onSubmit(config, step, records);
  if (type == "show_offer") return onShowRequest(config, step, records);

  const Json* page = member(step.state, "page");
  bool page_cap = page != nullptr && boolMember(*page, "offer_shown");
  for (const auto& offer : config.offers) {
    std::string trigger = firedTrigger(offer, step, records);
    if (trigger.empty()) continue;  // most signals fire nothing: no debug noise for them
    std::string why;
    if (page_cap) {
      why = "cap held: one pop-up per page view";
    } else if (conditionHolds(offer.condition.get(), step, &why)) {
      why = capThatHolds(offer, step, records);
    }
    addDebug(step, "offer", offer.id, why.empty(), why.empty() ? "trigger " + trigger : why);
    if (!why.empty()) continue;
    showOffer(offer, step, records, trigger);
    page_cap = true;
  }
}

}  // namespace relance
