// Personalization: rules that change named slots or CSS selectors on a page.
//
// Evaluated on page_view. Rules are taken by descending priority (ties: the
// order in the configuration); the first rule to claim a target (slot or
// selector) wins it, later rules' actions on it are dropped. A matching rule
// assigns the visitor a variant (or the holdout group, which sees the
// original page) by a stable hash of anonymous_id and rule id, and emits one
// `personalization_exposed` event per page view, holdout included, so uplift
// can be measured. set_html values are sanitised once, at compile time.
#include "core/personalization.h"

#include <algorithm>
#include <vector>

#include "core/compiled_reader.h"
#include "core/condition_form.h"
#include "core/html_sanitizer.h"
#include "core/section_reader.h"
#include "core/variant.h"

namespace relance {

struct PersonalizationAction {
  std::string target_kind;  // "slot" or "selector"
  std::string target;
  std::string op;
  std::string value;  // text, sanitised HTML, attribute value or class
  std::string name;   // set_attr: the attribute
};

struct PersonalizationVariant {
  std::string id;
  double weight = 1;
  std::vector<PersonalizationAction> actions;
};

struct PersonalizationRule {
  std::string id;
  double priority = 0;
  double holdout = 0;
  std::shared_ptr<const CompiledCondition> condition;
  std::vector<PersonalizationVariant> variants;
  std::vector<WeightedVariant> weights;
  std::vector<std::string> targets;  // every target any variant touches
};

class PersonalizationConfig {
 public:
  std::vector<PersonalizationRule> rules;  // sorted: priority descending, then configuration order
  std::vector<std::string> slots;          // every slot a rule may change (the anti-flicker set)
};

namespace {

const char* const kOps[] = {"set_text", "set_html", "set_attr", "add_class", "remove_class", "hide", "show"};

bool isKnownOp(const std::string& op) {
  for (const char* o : kOps)
    if (op == o) return true;
  return false;
}

// [A-Za-z0-9_-]{1,64}: a class name, or a slot name.
bool isClassName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void compileAction(const Json& source, const std::string& path, PathErrors& errors,
                   std::vector<PersonalizationAction>& out) {
  if (!source.is_object()) {
    errors.push_back({path, "must be an object {slot | selector, op, value}"});
    return;
  }
  checkKnownKeys(source, {"slot", "selector", "op", "value", "name"}, path, errors);
  PersonalizationAction action;
  bool has_slot = member(source, "slot") != nullptr;
  bool has_selector = member(source, "selector") != nullptr;
  if (has_slot == has_selector) {
    errors.push_back({path, "needs exactly one of \"slot\" or \"selector\""});
  } else {
    action.target_kind = has_slot ? "slot" : "selector";
    readString(source, action.target_kind.c_str(), path, errors, action.target, true);
    // A slot name goes into a CSS attribute selector, [data-relance-slot="NAME"]:
    // a quote or a backslash in it would break (or change) that selector.
    if (has_slot && member(source, "slot")->is_string() && !isClassName(action.target))
      errors.push_back({pointerAppend(path, "slot"), "must be 1 to 64 characters among A-Z a-z 0-9 _ -"});
    else if (!has_slot && (action.target.empty() || action.target.size() > 256))
      errors.push_back({pointerAppend(path, action.target_kind), "must be a non-empty string of at most 256 bytes"});
  }
  readString(source, "op", path, errors, action.op, true);
  if (!action.op.empty() && !isKnownOp(action.op)) {
    errors.push_back({pointerAppend(path, "op"),
                      "unknown op \"" + action.op + "\" (set_text, set_html, set_attr, add_class, remove_class, hide, show)"});
  }
  std::string value_path = pointerAppend(path, "value");
  bool needs_value = action.op != "hide" && action.op != "show";
  if (needs_value) {
    readString(source, "value", path, errors, action.value, true);
  } else if (member(source, "value") != nullptr) {
    errors.push_back({value_path, "is not used by " + action.op});
  }
  if (action.value.size() > 16384) errors.push_back({value_path, "must be at most 16384 bytes"});
  if (action.op == "set_html") action.value = sanitizeHtml(action.value);
  if (action.op == "add_class" || action.op == "remove_class") {
    if (member(source, "value") != nullptr && !isClassName(action.value))
      errors.push_back({value_path, "must be one class name (A-Z a-z 0-9 _ -)"});
  }
  if (action.op == "set_attr") {
    readString(source, "name", path, errors, action.name, true);
    const std::string& n = action.name;
    if (member(source, "name") != nullptr && n != "href" && n != "src" && n != "alt" && n != "title") {
      errors.push_back({pointerAppend(path, "name"), "must be one of href, src, alt, title"});
    } else if ((n == "href" && !isSafeUrl(action.value, UrlUse::kLink)) ||
               (n == "src" && !isSafeUrl(action.value, UrlUse::kImage))) {
      errors.push_back({value_path, "URL refused: only http(s), relative" +
                                        std::string(n == "href" ? ", mailto: and tel:" : " and data:image/...;base64") +
                                        " URLs are allowed"});
    }
  } else if (member(source, "name") != nullptr) {
    errors.push_back({pointerAppend(path, "name"), "is only used by set_attr"});
  }
  out.push_back(std::move(action));
}

void compileActions(const Json* source, const std::string& path, PathErrors& errors,
                    std::vector<PersonalizationAction>& out) {
  if (source == nullptr) {
    errors.push_back({path, "is required (an array of actions)"});
    return;
  }
  if (!source->is_array() || source->empty()) {
    errors.push_back({path, "must be a non-empty array of actions"});
    return;
  }
  for (std::size_t i = 0; i < source->size(); ++i) compileAction((*source)[i], pointerAppend(path, i), errors, out);
}

Json actionToJson(const PersonalizationAction& a) {
  Json out = {{a.target_kind, a.target}, {"op", a.op}};
  if (a.op != "hide" && a.op != "show") setMember(out, "value", a.value);
  if (a.op == "set_attr") setMember(out, "name", a.name);
  return out;
}

std::string targetKey(const PersonalizationAction& a) { return a.target_kind + ":" + a.target; }

// Fills the rule's weights and targets from its variants, and adds its slots
// to the configuration's (compiler and loader alike). The slots are kept
// sorted and unique as they come (an insertion at its place): no std::sort of
// strings, whose code cost the tag's wasm 2 KB.
void addTargets(PersonalizationRule& rule, PersonalizationConfig& config) {
  for (const auto& v : rule.variants) {
    rule.weights.push_back({v.id, v.weight});
    for (const auto& a : v.actions) {
      std::string key = targetKey(a);
      if (std::find(rule.targets.begin(), rule.targets.end(), key) == rule.targets.end()) rule.targets.push_back(key);
      if (a.target_kind != "slot") continue;
      auto at = std::lower_bound(config.slots.begin(), config.slots.end(), a.target);
      if (at == config.slots.end() || *at != a.target) config.slots.insert(at, a.target);
    }
  }
}

}  // namespace

std::shared_ptr<const PersonalizationConfig> compilePersonalization(const Json& section, const std::string& path,
                                                                    PathErrors& errors) {
  auto config = std::make_shared<PersonalizationConfig>();
  if (section.is_null()) return config;
  if (!section.is_array()) {
    errors.push_back({path, "must be an array of rules"});
    return nullptr;
  }
  std::size_t before = errors.size();
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < section.size(); ++i) {
    const Json& source = section[i];
    std::string rule_path = pointerAppend(path, i);
    if (!source.is_object()) {
      errors.push_back({rule_path, "must be an object {id, condition, priority, actions | variants}"});
      continue;
    }
    checkKnownKeys(source, {"id", "description", "condition", "priority", "holdout", "actions", "variants"},
                   rule_path, errors);
    PersonalizationRule rule;
    readUniqueId(source, rule_path, errors, ids, rule.id);
    readNumber(source, "priority", rule_path, errors, rule.priority, -1e9, 1e9);
    readNumber(source, "holdout", rule_path, errors, rule.holdout, 0, 1);
    rule.condition = readCondition(source, rule_path, errors);
    const Json* actions = member(source, "actions");
    const Json* variants = member(source, "variants");
    if ((actions == nullptr) == (variants == nullptr)) {
      errors.push_back({rule_path, "needs exactly one of \"actions\" or \"variants\""});
    } else if (actions != nullptr) {
      PersonalizationVariant only;
      only.id = "default";
      compileActions(actions, pointerAppend(rule_path, "actions"), errors, only.actions);
      rule.variants.push_back(std::move(only));
    } else {
      std::string variants_path = pointerAppend(rule_path, "variants");
      if (!variants->is_array() || variants->empty()) {
        errors.push_back({variants_path, "must be a non-empty array of {id, weight, actions}"});
      } else {
        for (std::size_t v = 0; v < variants->size(); ++v) {
          const Json& vs = (*variants)[v];
          std::string variant_path = pointerAppend(variants_path, v);
          if (!vs.is_object()) {
            errors.push_back({variant_path, "must be an object {id, weight, actions}"});
            continue;
          }
          checkKnownKeys(vs, {"id", "weight", "actions"}, variant_path, errors);
          PersonalizationVariant variant;
          readString(vs, "id", variant_path, errors, variant.id, true);
          if (member(vs, "id") != nullptr && member(vs, "id")->is_string() &&
              (!isValidId(variant.id) || variant.id == "holdout"))
            errors.push_back({pointerAppend(variant_path, "id"), "must be 1 to 64 of A-Z a-z 0-9 _ . - (not \"holdout\")"});
          readNumber(vs, "weight", variant_path, errors, variant.weight, 0, 1e6);
          compileActions(member(vs, "actions"), pointerAppend(variant_path, "actions"), errors, variant.actions);
          rule.variants.push_back(std::move(variant));
        }
      }
    }
    addTargets(rule, *config);
    config->rules.push_back(std::move(rule));
  }
  if (errors.size() != before) return nullptr;
  std::stable_sort(config->rules.begin(), config->rules.end(),
                   [](const PersonalizationRule& a, const PersonalizationRule& b) { return a.priority > b.priority; });
  return config;
}

Json personalizationToJson(const PersonalizationConfig& config, ConditionFormWriter& conditions) {
  if (config.rules.empty()) return nullptr;
  Json out = Json::array();
  for (const auto& rule : config.rules) {
    Json r = object({{"id", rule.id}, {"priority", rule.priority}, {"holdout", rule.holdout}});
    if (rule.condition) setMember(r, "condition", conditions.write(*rule.condition));
    Json variants = Json::array();
    for (const auto& v : rule.variants) {
      Json actions = Json::array();
      for (const auto& a : v.actions) actions.push_back(actionToJson(a));
      variants.push_back(object({{"id", v.id}, {"weight", v.weight}, {"actions", actions}}));
    }
    setMember(r, "variants", variants);
    out.push_back(std::move(r));
  }
  return out;
}

namespace {

// One action of the compiled form (actionToJson's output). Re-checks what
// reaches the page: the op, the attribute and its URL, and set_html is
// sanitised again (the collector already did; a tampered copy must not
// inject markup).
PersonalizationAction loadAction(const Json& source, const std::string& path, CompiledReader& in) {
  PersonalizationAction action;
  if (!in.isObject(source, path)) return action;
  action.target_kind = source.contains("slot") ? "slot" : "selector";
  action.target = in.string(source, action.target_kind.c_str(), path);
  action.op = in.string(source, "op", path);
  if (!isKnownOp(action.op)) in.fail(pointerAppend(path, "op"));
  if (action.op != "hide" && action.op != "show") action.value = in.string(source, "value", path);
  if (action.op == "set_html") action.value = sanitizeHtml(action.value);
  if (action.op == "set_attr") {
    action.name = in.string(source, "name", path);
    const std::string& n = action.name;
    bool safe = n == "alt" || n == "title" || (n == "href" && isSafeUrl(action.value, UrlUse::kLink)) ||
                (n == "src" && isSafeUrl(action.value, UrlUse::kImage));
    if (!safe) in.fail(pointerAppend(path, "name"));
  }
  return action;
}

}  // namespace

std::shared_ptr<const PersonalizationConfig> loadPersonalization(const Json& section, const std::string& path,
                                                                 CompiledReader& in) {
  auto config = std::make_shared<PersonalizationConfig>();
  if (section.is_null()) return config;
  if (!section.is_array()) in.fail(path);
  for (std::size_t i = 0; i < section.size() && in.ok(); ++i) {
    const Json& source = section[i];
    std::string rule_path = pointerAppend(path, i);
    if (!in.isObject(source, rule_path)) break;
    PersonalizationRule rule;
    rule.id = in.string(source, "id", rule_path);
    rule.priority = in.number(source, "priority", rule_path, -1e9, 1e9);
    rule.holdout = in.number(source, "holdout", rule_path, 0, 1);
    rule.condition = in.condition(source, rule_path);
    const Json& variants = in.array(source, "variants", rule_path);
    if (variants.empty()) in.fail(pointerAppend(rule_path, "variants"));
    for (std::size_t v = 0; v < variants.size() && in.ok(); ++v) {
      std::string variant_path = pointerAppend(pointerAppend(rule_path, "variants"), v);
      PersonalizationVariant variant;
      if (!in.isObject(variants[v], variant_path)) break;
      variant.id = in.string(variants[v], "id", variant_path);
      variant.weight = in.number(variants[v], "weight", variant_path, 0, 1e6);
      const Json& actions = in.array(variants[v], "actions", variant_path);
      for (std::size_t a = 0; a < actions.size(); ++a)
        variant.actions.push_back(loadAction(actions[a], pointerAppend(pointerAppend(variant_path, "actions"), a), in));
      rule.variants.push_back(std::move(variant));
    }
    addTargets(rule, *config);
    config->rules.push_back(std::move(rule));
  }
  if (!in.ok()) return nullptr;
  // The compiled form lists the rules in decision order already.
  return config;
}

std::vector<std::string> personalizationSlots(const PersonalizationConfig& config) { return config.slots; }

void decidePersonalization(const PersonalizationConfig& config, DecisionStep& step) {
  if (config.rules.empty() || signalType(step) != "page_view") return;
  std::string anonymous_id = stringMember(step.state, "anonymous_id");
  std::vector<std::string> claimed;
  Json personalize = Json::array();
  for (const auto& rule : config.rules) {
    std::string why;
    if (!conditionHolds(rule.condition.get(), step, &why)) {
      addDebug(step, "personalization", rule.id, false, why);
      continue;
    }
    int index = pickVariant(variantBucket(anonymous_id, rule.id), rule.holdout, rule.weights);
    const PersonalizationVariant* variant = index >= 0 ? &rule.variants[static_cast<std::size_t>(index)] : nullptr;
    // The rule keeps the targets no higher-priority rule took. The holdout
    // keeps them too (showing the original), so lower rules cannot blur it.
    std::vector<std::string> won;
    for (const auto& key : rule.targets)
      if (std::find(claimed.begin(), claimed.end(), key) == claimed.end()) won.push_back(key);
    if (won.empty()) {
      addDebug(step, "personalization", rule.id, false, "every target taken by a higher-priority rule");
      continue;
    }
    claimed.insert(claimed.end(), won.begin(), won.end());
    std::string variant_id = variant != nullptr ? variant->id : "holdout";
    if (variant != nullptr) {
      for (const auto& a : variant->actions) {
        if (std::find(won.begin(), won.end(), targetKey(a)) == won.end()) continue;
        Json entry = actionToJson(a);
        setMember(entry, "rule_id", rule.id);
        setMember(entry, "variant", variant_id);
        personalize.push_back(std::move(entry));
      }
    }
    addDebug(step, "personalization", rule.id, true, variant != nullptr ? "" : "holdout group: original shown");
    step.emit("personalization_exposed", object({{"rule_id", rule.id}, {"variant", variant_id}, {"holdout", variant == nullptr}}));
  }
  if (!personalize.empty()) setMember(step.actions, "personalize", personalize);
  if (!config.slots.empty()) setMember(step.actions, "reveal", config.slots);
}

}  // namespace relance
