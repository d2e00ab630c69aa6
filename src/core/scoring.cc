// Lead scoring: points per rule (capped per day), an exponential decay with a
// half-life, thresholds crossed upwards announced once (re-armed below).
//
// State: state["score"] = {"value", "updated", "thresholds": [reached...],
// "rules": {"rule_id": {"day", "count"}}}. The decay is applied lazily: the
// stored value is the score at `updated`; the current score is
// value * 0.5^((now - updated) / half_life).
#include "core/scoring.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/compiled_reader.h"
#include "core/condition_form.h"
#include "core/section_reader.h"

namespace relance {

struct ScoringRule {
  std::string id;
  std::shared_ptr<const CompiledCondition> condition;
  double points = 0;
  int max_per_day = 0;  // 0: no cap
};

class ScoringConfig {
 public:
  std::vector<ScoringRule> rules;
  double half_life_days = 0;  // 0: no decay
  std::vector<double> thresholds;
};

namespace {

// Signals whose event can earn points (not timers, scrolls or ticks).
bool isScoredSignal(const std::string& type) {
  return type == "page_view" || type == "track" || type == "identify";
}

double rounded(double value) { return std::round(value * 100) / 100; }

}  // namespace

double decayedScore(double value, std::int64_t updated_ms, std::int64_t now_ms, double half_life_days) {
  if (half_life_days <= 0 || now_ms <= updated_ms) return value;
  double elapsed_days = static_cast<double>(now_ms - updated_ms) / static_cast<double>(kDayMs);
  return value * std::pow(0.5, elapsed_days / half_life_days);
}

std::shared_ptr<const ScoringConfig> compileScoring(const Json& section, const std::string& path,
                                                    PathErrors& errors) {
  auto config = std::make_shared<ScoringConfig>();
  if (section.is_null()) return config;
  std::size_t before = errors.size();
  if (!section.is_object()) {
    errors.push_back({path, "must be an object {rules, half_life_days, thresholds}"});
    return nullptr;
  }
  checkKnownKeys(section, {"rules", "half_life_days", "thresholds"}, path, errors);
  readNumber(section, "half_life_days", path, errors, config->half_life_days, 0, 3650);
  if (const Json* thresholds = member(section, "thresholds")) {
    std::string at = pointerAppend(path, "thresholds");
    if (!thresholds->is_array()) {
      errors.push_back({at, "must be an array of numbers"});
    } else {
      for (std::size_t i = 0; i < thresholds->size(); ++i) {
        const Json& t = (*thresholds)[i];
        if (!t.is_number() || !std::isfinite(t.get<double>())) {
          errors.push_back({pointerAppend(at, i), "must be a number"});
        } else {
          config->thresholds.push_back(t.get<double>());
        }
      }
      std::sort(config->thresholds.begin(), config->thresholds.end());
      config->thresholds.erase(std::unique(config->thresholds.begin(), config->thresholds.end()),
                               config->thresholds.end());
    }
  }
  if (const Json* rules = member(section, "rules")) {
    std::string at = pointerAppend(path, "rules");
    if (!rules->is_array()) {
      errors.push_back({at, "must be an array of rules"});
    } else {
      std::vector<std::string> ids;
      for (std::size_t i = 0; i < rules->size(); ++i) {
        const Json& source = (*rules)[i];
        std::string rule_path = pointerAppend(at, i);
        if (!source.is_object()) {
          errors.push_back({rule_path, "must be an object {id, condition, points, max_per_day}"});
          continue;
        }
        checkKnownKeys(source, {"id", "condition", "points", "max_per_day", "description"}, rule_path, errors);
        ScoringRule rule;
        readUniqueId(source, rule_path, errors, ids, rule.id);
        readNumber(source, "points", rule_path, errors, rule.points, -1000000, 1000000, true);
        double cap = 0;
        readNumber(source, "max_per_day", rule_path, errors, cap, 0, 1000000);
        if (cap != std::floor(cap)) errors.push_back({pointerAppend(rule_path, "max_per_day"), "must be a whole number"});
        rule.max_per_day = static_cast<int>(cap);
        rule.condition = readCondition(source, rule_path, errors);
        config->rules.push_back(std::move(rule));
      }
    }
  }
  return errors.size() == before ? config : nullptr;
}

std::shared_ptr<const ScoringConfig> loadScoring(const Json& section, const std::string& path, CompiledReader& in) {
  auto config = std::make_shared<ScoringConfig>();
  if (section.is_null()) return config;
  config->half_life_days = in.number(section, "half_life_days", path, 0, 3650);
  std::string at = pointerAppend(path, "thresholds");
  const Json& thresholds = in.array(section, "thresholds", path);
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    if (!thresholds[i].is_number()) in.fail(pointerAppend(at, i));
    else config->thresholds.push_back(thresholds[i].get<double>());
  }
  // decideScoring walks the thresholds upwards: keep them sorted even if altered.
  if (!std::is_sorted(config->thresholds.begin(), config->thresholds.end())) in.fail(at);
  at = pointerAppend(path, "rules");
  const Json& rules = in.array(section, "rules", path);
  for (std::size_t i = 0; i < rules.size() && in.ok(); ++i) {
    std::string rule_path = pointerAppend(at, i);
    if (!in.isObject(rules[i], rule_path)) break;
    ScoringRule rule;
    rule.id = in.string(rules[i], "id", rule_path);
    rule.points = in.number(rules[i], "points", rule_path, -1000000, 1000000);
    rule.max_per_day = static_cast<int>(in.number(rules[i], "max_per_day", rule_path, 0, 1000000));
    rule.condition = in.condition(rules[i], rule_path);
    config->rules.push_back(std::move(rule));
  }
  return in.ok() ? config : nullptr;
}

Json scoringToJson(const ScoringConfig& config, ConditionFormWriter& conditions) {
  if (config.rules.empty() && config.thresholds.empty()) return nullptr;
  Json rules = Json::array();
  for (const auto& rule : config.rules) {
    Json r = object({{"id", rule.id}, {"points", rule.points}, {"max_per_day", rule.max_per_day}});
    if (rule.condition) setMember(r, "condition", conditions.write(*rule.condition));
    rules.push_back(std::move(r));
  }
  Json thresholds = Json::array();
  for (double t : config.thresholds) thresholds.push_back(t);
  return object({{"rules", rules}, {"half_life_days", config.half_life_days}, {"thresholds", thresholds}});
}

void decideScoring(const ScoringConfig& config, DecisionStep& step) {
  if (config.rules.empty() && config.thresholds.empty()) return;
  Json& score = stateObject(step.state, "score");
  double stored = numberMember(score, "value");
  std::int64_t updated = integerMember(score, "updated", step.now_ms);
  // Scores are kept to the cent: a few seconds of decay must not leave 49.9999
  // below a threshold of 50.
  double value = rounded(decayedScore(stored, updated, step.now_ms, config.half_life_days));

  std::string type = signalType(step);
  std::int64_t day = step.now_ms / kDayMs;
  double before = value;
  if (isScoredSignal(type)) {
    Json& counters = score["rules"];
    if (!counters.is_object()) counters = Json::object();
    for (const auto& rule : config.rules) {
      std::string why;
      if (!conditionHolds(rule.condition.get(), step, &why)) {
        addDebug(step, "scoring", rule.id, false, why);
        continue;
      }
      Json& counter = counters[rule.id];
      if (!counter.is_object() || integerMember(counter, "day", -1) != day) counter = object({{"day", day}, {"count", 0}});
      std::int64_t count = integerMember(counter, "count");
      if (rule.max_per_day > 0 && count >= rule.max_per_day) {
        addDebug(step, "scoring", rule.id, false,
                 "cap held: max_per_day " + decimalText(rule.max_per_day) + " reached today");
        continue;
      }
      setMember(counter, "count", count + 1);
      value = rounded(value + rule.points);
      addDebug(step, "scoring", rule.id, true, "");
      step.emit("score_changed", object({{"score", value}, {"delta", rule.points}, {"rule", rule.id}}));
    }
    // Counters from earlier days are dead weight: keep the state bounded.
    for (auto it = counters.begin(); it != counters.end();) {
      if (integerMember(*it, "day", -1) != day) it = counters.erase(it); else ++it;
    }
  }

  // Thresholds: announce each upward crossing once; re-arm when below again.
  Json reached = score.contains("thresholds") && score["thresholds"].is_array() ? score["thresholds"] : Json::array();
  Json now_reached = Json::array();
  for (double t : config.thresholds) {
    bool was = std::find(reached.begin(), reached.end(), Json(t)) != reached.end();
    if (value >= t) {
      now_reached.push_back(t);
      if (!was) step.emit("score_threshold_reached", object({{"threshold", t}, {"score", value}}));
    }
  }
  // The stored value changes only with points (or a threshold re-armed): a
  // decayed score is recomputed from `updated`, not written back each time.
  bool changed = value != before || now_reached != reached || !score.contains("value");
  if (changed) {
    setMember(score, "value", value);
    setMember(score, "updated", step.now_ms);
    setMember(score, "thresholds", now_reached);
  }
  if (step.context.is_object() && step.context["visitor"].is_object()) setMember(step.context["visitor"], "score", value);
}

}  // namespace relance
