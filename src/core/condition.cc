// The condition language: compile (check everything once, pre-split paths,
// pre-build sets and regexes) and evaluate (GrowthBook's evalCondition,
// clause by clause). The JavaScript value rules live in condition_js.h.
#include "core/condition.h"

#include <algorithm>

#include "core/condition_js.h"
#include "core/condition_tree.h"
#include "core/regex.h"
#include "core/utf8.h"

namespace relance {
namespace {

using namespace condition_tree;  // NOLINT: this file builds and walks the tree

// Members every JavaScript object inherits: `in` finds them on any context
// object, so GrowthBook's getPath would answer a function. Refused in paths.
bool isObjectPrototypeName(const std::string& k) {
  static const char* const kNames[] = {"constructor", "__proto__", "hasOwnProperty", "isPrototypeOf",
                                       "propertyIsEnumerable", "toLocaleString", "toString", "valueOf",
                                       "__defineGetter__", "__defineSetter__", "__lookupGetter__",
                                       "__lookupSetter__"};
  for (const char* n : kNames)
    if (k == n) return true;
  return false;
}

// Whether every string (and key) in `v` is well-formed UTF-8.
bool validUtf8Throughout(const Json& v) {
  if (v.is_string()) return findInvalidUtf8(v.get_ref<const std::string&>()) == kUtf8Valid;
  if (v.is_array()) {
    for (const auto& e : v)
      if (!validUtf8Throughout(e)) return false;
  } else if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it)
      if (findInvalidUtf8(it.key()) != kUtf8Valid || !validUtf8Throughout(it.value())) return false;
  }
  return true;
}

// ------------------------------------------------------------------ compile

class Compiler {
 public:
  Compiler(PathErrors* errors, ConditionTables* tables) : errors_(errors), tables_(tables) {}

  bool readsWholeContext() const { return reads_whole_context_; }

  bool compileCond(const Json& c, const std::string& at, CondNode* out) {
    out->pointer = at;
    if (!c.is_object()) return fail(at, "must be an object (a condition)");
    bool ok = true;
    for (auto it = c.begin(); it != c.end(); ++it) {
      const std::string& k = it.key();
      const Json& v = it.value();
      std::string here = pointerAppend(at, k);
      Clause clause;
      clause.pointer = here;
      if (k == "$or" || k == "$nor" || k == "$and") {
        clause.kind = k == "$or" ? ClauseKind::kOr : k == "$nor" ? ClauseKind::kNor : ClauseKind::kAnd;
        if (!v.is_array()) { ok = fail(here, "must be an array of conditions"); continue; }
        clause.subs.resize(v.size());
        for (std::size_t i = 0; i < v.size(); ++i)
          ok = compileCond(v[i], pointerAppend(here, i), &clause.subs[i]) && ok;
      } else if (k == "$not") {
        clause.kind = ClauseKind::kNot;
        clause.subs.resize(1);
        ok = compileCond(v, here, &clause.subs[0]) && ok;
      } else if (k == "$savedGroup") {
        clause.kind = ClauseKind::kSavedGroup;
        reads_whole_context_ = true;
        ok = compileSavedGroup(v, here, &clause) && ok;
      } else if (!k.empty() && k[0] == '$') {
        ok = fail(here, "unknown operator " + k + " (a condition takes $and $or $nor $not $savedGroup or field paths)");
        continue;
      } else {
        clause.kind = ClauseKind::kField;
        clause.path = splitPath(k);
        for (const auto& seg : clause.path)
          if (isObjectPrototypeName(seg.key))
            ok = fail(here, "path part \"" + seg.key + "\" names a built-in JavaScript property and is not supported");
        if (tables_ && element_depth_ == 0) {
          clause.slot = tables_->paths.intern(clause.path);
          // Tests are the same when their JSON is; dump() refuses invalid
          // UTF-8 (only a native caller can build such a value): not shared.
          if (validUtf8Throughout(v)) {
            std::string key = decimalText(clause.slot) + ":" + v.dump();
            clause.test_id =
                tables_->field_tests.emplace(std::move(key), static_cast<int>(tables_->field_tests.size())).first->second;
          }
        }
        clause.test = std::make_unique<ValueTest>();
        ok = compileValue(v, here, false, clause.test.get()) && ok;
      }
      out->clauses.push_back(std::move(clause));
    }
    return ok;
  }

 private:
  bool fail(const std::string& at, const std::string& message) {
    errors_->push_back({at, message});
    return false;
  }

  static bool isPrimitive(const Json& v) { return v.is_string() || v.is_number() || v.is_boolean() || v.is_null(); }

  bool compileSavedGroup(const Json& v, const std::string& at, Clause* clause) {
    if (!v.is_object()) return fail(at, "must be an object {\"id\": string, \"attributeKey\"?: string}");
    bool ok = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it.key() == "id") {
        if (!it.value().is_string()) ok = fail(pointerAppend(at, "id"), "must be a string");
        else clause->group_id = it.value().get<std::string>();
      } else if (it.key() == "attributeKey") {
        if (!it.value().is_string()) ok = fail(pointerAppend(at, "attributeKey"), "must be a string");
        else { clause->attribute_key = it.value().get<std::string>(); clause->has_attribute_key = true; }
      } else {
        ok = fail(pointerAppend(at, it.key()), "unknown key (expected id, attributeKey)");
      }
    }
    if (v.find("id") == v.end()) ok = fail(at, "missing id");
    return ok;
  }

  bool compileValue(const Json& v, const std::string& at, bool insensitive, ValueTest* out) {
    out->pointer = at;
    switch (v.type()) {
      case Json::value_t::string:
        out->kind = ValueTest::kString;
        out->insensitive = insensitive;
        if (insensitive) js::appendLower(v.get_ref<const std::string&>(), out->text);
        else out->text = v.get<std::string>();
        return true;
      case Json::value_t::number_integer:
      case Json::value_t::number_unsigned:
      case Json::value_t::number_float:
        out->kind = ValueTest::kNumber;
        out->number = js::toNumber(v);
        return true;
      case Json::value_t::boolean:
        out->kind = ValueTest::kBool;
        out->boolean = v.get<bool>();
        return true;
      case Json::value_t::null: out->kind = ValueTest::kNull; return true;
      case Json::value_t::array: out->kind = ValueTest::kDeep; out->literal = v; return true;
      default: break;
    }
    std::size_t dollars = 0;
    std::string plain;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!it.key().empty() && it.key()[0] == '$') ++dollars;
      else if (plain.empty()) plain = it.key();
    }
    if (dollars == 0) { out->kind = ValueTest::kDeep; out->literal = v; return true; }
    if (dollars != v.size())
      return fail(at, "mixes operators and plain keys (\"" + plain + "\"): write operators only, or a literal object without $ keys");
    out->kind = ValueTest::kOps;
    bool ok = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      Op op;
      if (compileOp(it.key(), it.value(), pointerAppend(at, it.key()), &op)) out->ops.push_back(std::move(op));
      else ok = false;
    }
    return ok;
  }

  bool compileSet(const Json& v, const std::string& at, bool insensitive, InSet* set) {
    if (!v.is_array()) return fail(at, "must be an array");
    bool ok = true;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const Json& e = v[i];
      if (e.is_string()) {
        std::string s;
        if (insensitive) js::appendLower(e.get_ref<const std::string&>(), s);
        else s = e.get<std::string>();
        set->strings.push_back(std::move(s));
      } else if (e.is_number()) {
        set->numbers.push_back(js::toNumber(e));
      } else if (e.is_boolean()) {
        (e.get<bool>() ? set->has_true : set->has_false) = true;
      } else if (e.is_null()) {
        set->has_null = true;
      } else {
        ok = fail(pointerAppend(at, i), "must be a string, number, boolean or null (an array or object never matches)");
      }
    }
    std::sort(set->strings.begin(), set->strings.end());
    set->strings.erase(std::unique(set->strings.begin(), set->strings.end()), set->strings.end());
    std::sort(set->numbers.begin(), set->numbers.end());
    return ok;
  }

  bool compileOp(const std::string& name, const Json& v, const std::string& at, Op* op) {
    op->pointer = at;
    static const struct { const char* name; OpKind kind; } kVersion[] = {
        {"$veq", OpKind::kVeq}, {"$vne", OpKind::kVne}, {"$vgt", OpKind::kVgt},
        {"$vgte", OpKind::kVgte}, {"$vlt", OpKind::kVlt}, {"$vlte", OpKind::kVlte}};
    for (const auto& e : kVersion) {
      if (name != e.name) continue;
      op->kind = e.kind;
      if (!v.is_string() && !v.is_number()) return fail(at, "must be a version string (\"1.2.3\") or a number");
      op->text = js::paddedVersionString(v);
      return true;
    }
    static const struct { const char* name; OpKind kind; } kCompare[] = {
        {"$lt", OpKind::kLt}, {"$lte", OpKind::kLte}, {"$gt", OpKind::kGt}, {"$gte", OpKind::kGte}};
    for (const auto& e : kCompare) {
      if (name != e.name) continue;
      op->kind = e.kind;
      if (!v.is_string() && !v.is_number()) return fail(at, "must be a number or a string");
      op->operand = v;
      if (v.is_number()) op->number = js::toNumber(v);
      return true;
    }
    if (name == "$eq" || name == "$ne") {
      op->kind = name == "$eq" ? OpKind::kEq : OpKind::kNe;
      if (!isPrimitive(v))
        return fail(at, "must be a string, number, boolean or null (an array or object is never === to a value; write it without " + name + " for JSON equality)");
      op->operand = v;
      return true;
    }
    if (name == "$exists") {
      op->kind = OpKind::kExists;
      if (!v.is_boolean()) return fail(at, "must be true or false");
      op->flag = v.get<bool>();
      return true;
    }
    if (name == "$in" || name == "$nin" || name == "$ini" || name == "$nini") {
      op->kind = name == "$in" ? OpKind::kIn : name == "$nin" ? OpKind::kNin : name == "$ini" ? OpKind::kIni : OpKind::kNini;
      return compileSet(v, at, op->kind == OpKind::kIni || op->kind == OpKind::kNini, &op->set);
    }
    if (name == "$inGroup" || name == "$notInGroup") {
      op->kind = name == "$inGroup" ? OpKind::kInGroup : OpKind::kNotInGroup;
      if (!v.is_string()) return fail(at, "must be the name of a saved group (a string)");
      op->text = v.get<std::string>();
      return true;
    }
    if (name == "$not") {
      op->kind = OpKind::kNot;
      op->value = std::make_unique<ValueTest>();
      return compileValue(v, at, false, op->value.get());
    }
    if (name == "$size") {
      op->kind = OpKind::kSize;
      bool operators = v.is_object() && !v.empty();
      if (operators)
        for (auto it = v.begin(); it != v.end(); ++it) operators = operators && !it.key().empty() && it.key()[0] == '$';
      if (!v.is_number() && !operators) return fail(at, "must be a number or an operator object ({\"$gt\": 2})");
      op->value = std::make_unique<ValueTest>();
      return compileValue(v, at, false, op->value.get());
    }
    if (name == "$elemMatch") {
      if (!v.is_object()) return fail(at, "must be an object (operators, or a condition on each element)");
      bool operators = !v.empty();
      for (auto it = v.begin(); it != v.end(); ++it) operators = operators && !it.key().empty() && it.key()[0] == '$';
      if (operators) {
        op->kind = OpKind::kElemMatchValue;
        op->value = std::make_unique<ValueTest>();
        return compileValue(v, at, false, op->value.get());
      }
      op->kind = OpKind::kElemMatchCond;
      op->cond = std::make_unique<CondNode>();
      ++element_depth_;  // its paths are read from each element, not the root
      bool ok = compileCond(v, at, op->cond.get());
      --element_depth_;
      return ok;
    }
    if (name == "$all" || name == "$alli") {
      op->kind = name == "$all" ? OpKind::kAll : OpKind::kAlli;
      if (!v.is_array()) return fail(at, "must be an array");
      op->all.resize(v.size());
      bool ok = true;
      for (std::size_t i = 0; i < v.size(); ++i)
        ok = compileValue(v[i], pointerAppend(at, i), op->kind == OpKind::kAlli, &op->all[i]) && ok;
      return ok;
    }
    if (name == "$regex" || name == "$regexi") {
      op->kind = OpKind::kRegex;
      if (!v.is_string()) return fail(at, "must be a string (a regular expression)");
      std::string key = (name == "$regexi" ? "i/" : "/") + v.get<std::string>();
      if (tables_) {
        auto known = std::find(tables_->regex_keys.begin(), tables_->regex_keys.end(), key);
        if (known != tables_->regex_keys.end()) {
          op->regex_id = static_cast<int>(known - tables_->regex_keys.begin());
          op->regex = tables_->regexes[static_cast<std::size_t>(op->regex_id)];
          return true;
        }
      }
      std::string error;
      op->regex = Regex::compile(v.get_ref<const std::string&>(), name == "$regexi", &error);
      if (!op->regex) return fail(at, "invalid or unsupported regular expression: " + error);
      if (tables_) {
        op->regex_id = static_cast<int>(tables_->regexes.size());
        tables_->regex_keys.push_back(std::move(key));
        tables_->regexes.push_back(op->regex);
      }
      return true;
    }
    if (name == "$type") {
      op->kind = OpKind::kType;
      static const char* const kTypes[] = {"string", "number", "boolean", "array", "null", "object"};
      if (v.is_string())
        for (const char* t : kTypes)
          if (v.get_ref<const std::string&>() == t) { op->text = t; return true; }
      if (v.is_string() && v.get_ref<const std::string&>() == "undefined")
        return fail(at, "\"undefined\" never matches: a missing field is null (use {\"$exists\": false})");
      return fail(at, "must be one of \"string\", \"number\", \"boolean\", \"array\", \"null\", \"object\"");
    }
    return fail(at, "unknown operator " + name);
  }

  PathErrors* errors_;
  ConditionTables* tables_;
  int element_depth_ = 0;  // inside $elemMatch conditions
  bool reads_whole_context_ = false;
};

}  // namespace

namespace {

// --------------------------------------------------------------- evaluate

// Compiles a saved group's condition when it is evaluated (groups arrive
// with the context). Only the evaluations that take saved groups set it, so
// the evaluator alone (the tag's engine, which has none) does not link the
// compiler.
using GroupCompiler = CompileConditionResult (*)(const Json& condition, const std::string& base_path);

struct Env {
  const Json* groups;                  // an object, or null
  GroupCompiler compile_group;         // set whenever groups is
  std::vector<std::string>* visited;   // saved groups being resolved
  std::string* why;                    // first failing pointer, or null
  std::string scratch;                 // reused text buffer
  // Holds a synthesized `length` while its clause is evaluated. Shared by
  // the whole evaluation: a number never leads to a nested path lookup.
  Json length;
  // Set evaluation: the values of the root paths by slot (else null), the
  // regex memo, and the slot value the current root clause tests (regex
  // answers are memoised only for such values: they live as long as the
  // evaluation, while values synthesized on the way do not).
  const Json* const* slots = nullptr;
  EvaluationMemo* memo = nullptr;
  const Json* slot_value = nullptr;
};

bool evalCond(const CondNode& c, const Json& obj, Env& env);
bool evalValue(const ValueTest& t, const Json& v, Env& env);

// Number(v) for a JSON number, inline: the hot comparison path.
inline double numberOf(const Json& v) {
  switch (v.type()) {
    case Json::value_t::number_unsigned: return static_cast<double>(v.get<Json::number_unsigned_t>());
    case Json::value_t::number_integer: return static_cast<double>(v.get<Json::number_integer_t>());
    default: return v.get<Json::number_float_t>();
  }
}

void blame(Env& env, const std::string& pointer) {
  if (env.why && env.why->empty()) *env.why = pointer;
}

bool inSet(const InSet& set, const Json& e, bool insensitive, Env& env) {
  switch (e.type()) {
    case Json::value_t::string:
      if (!insensitive)
        return std::binary_search(set.strings.begin(), set.strings.end(), e.get_ref<const std::string&>());
      env.scratch.clear();
      js::appendLower(e.get_ref<const std::string&>(), env.scratch);
      return std::binary_search(set.strings.begin(), set.strings.end(), env.scratch);
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return std::binary_search(set.numbers.begin(), set.numbers.end(), js::toNumber(e));
    case Json::value_t::boolean: return e.get<bool>() ? set.has_true : set.has_false;
    case Json::value_t::null: return set.has_null;
    default: return false;
  }
}

// isIn: intersection when the field holds an array.
bool isIn(const InSet& set, const Json& actual, bool insensitive, Env& env) {
  if (!actual.is_array()) return inSet(set, actual, insensitive, env);
  for (const auto& e : actual)
    if (inSet(set, e, insensitive, env)) return true;
  return false;
}

// isIn against a saved group's values (a JSON array from the host).
bool isInValues(const Json& actual, const Json& values) {
  auto contains = [&](const Json& e) {
    for (const auto& x : values)
      if (js::strictEqual(e, x) && !e.is_array() && !e.is_object()) return true;
    return false;
  };
  if (!actual.is_array()) return contains(actual);
  for (const auto& e : actual)
    if (contains(e)) return true;
  return false;
}

// getSavedGroupArrayValues(savedGroups[name]): the values, or null when the
// entry is malformed (matches nobody), or an empty list when absent.
const Json* groupValues(const std::string& name, Env& env, bool* absent) {
  *absent = false;
  if (env.groups && env.groups->is_object()) {
    auto it = env.groups->find(name);
    if (it != env.groups->end()) {
      if (it->is_array()) return &*it;
      if (it->is_object()) {
        auto type = it->find("type");
        if (type != it->end() && type->is_string() && type->get_ref<const std::string&>() == "list") {
          auto values = it->find("values");
          return values != it->end() && values->is_array() ? &*values : nullptr;
        }
      }
      return nullptr;
    }
  }
  if (isObjectPrototypeName(name)) return nullptr;  // savedGroups["toString"] is a function
  *absent = true;
  return nullptr;
}

bool evalSavedGroup(const Clause& c, const Json& obj, Env& env) {
  if (!env.groups || !env.groups->is_object() || !env.compile_group) return false;
  const std::string& id = c.group_id;
  if (std::find(env.visited->begin(), env.visited->end(), id) != env.visited->end()) return false;
  auto it = env.groups->find(id);
  if (it == env.groups->end() || !it->is_object()) return false;
  auto type = it->find("type");
  if (type == it->end() || !type->is_string()) return false;
  if (type->get_ref<const std::string&>() == "list") {
    std::string key;
    if (c.has_attribute_key) {
      key = c.attribute_key;
    } else {
      auto k = it->find("attributeKey");
      if (k == it->end() || !k->is_string()) return false;
      key = k->get<std::string>();
    }
    auto values = it->find("values");
    if (values == it->end() || !values->is_array()) return false;
    for (const auto& seg : splitPath(key))
      if (isObjectPrototypeName(seg.key)) return false;
    Json synth;
    return isInValues(*resolvePath(splitPath(key), obj, synth), *values);
  }
  if (type->get_ref<const std::string&>() == "condition") {
    auto cond = it->find("condition");
    if (cond == it->end() || !cond->is_object()) return false;
    // Compiled on each use: groups arrive with the context. A group whose
    // condition does not compile matches nobody (documented).
    CompileConditionResult compiled = env.compile_group(*cond, "");
    if (!compiled.condition) return false;
    env.visited->push_back(id);
    std::string* why = env.why;
    env.why = nullptr;
    bool r = evalCond(compiled.condition->root, obj, env);
    env.why = why;
    env.visited->pop_back();
    return r;
  }
  return false;
}

bool evalOp(const Op& op, const Json& v, Env& env) {
  switch (op.kind) {
    case OpKind::kVeq: case OpKind::kVne: case OpKind::kVgt:
    case OpKind::kVgte: case OpKind::kVlt: case OpKind::kVlte: {
      int c = js::compareUtf16(js::paddedVersionString(v), op.text);
      switch (op.kind) {
        case OpKind::kVeq: return c == 0;
        case OpKind::kVne: return c != 0;
        case OpKind::kVgt: return c > 0;
        case OpKind::kVgte: return c >= 0;
        case OpKind::kVlt: return c < 0;
        default: return c <= 0;
      }
    }
    case OpKind::kEq: return js::strictEqual(v, op.operand);
    case OpKind::kNe: return !js::strictEqual(v, op.operand);
    case OpKind::kLt: case OpKind::kLte: case OpKind::kGt: case OpKind::kGte: {
      js::Order o;
      if (v.is_number() && op.operand.is_number()) {
        double a = numberOf(v), b = op.number;
        o = a < b ? js::Order::kLess : a > b ? js::Order::kGreater : a == b ? js::Order::kEqual : js::Order::kUndefined;
      } else {
        o = js::compare(v, op.operand);
      }
      switch (op.kind) {
        case OpKind::kLt: return o == js::Order::kLess;
        case OpKind::kLte: return o == js::Order::kLess || o == js::Order::kEqual;
        case OpKind::kGt: return o == js::Order::kGreater;
        default: return o == js::Order::kGreater || o == js::Order::kEqual;
      }
    }
    case OpKind::kExists: return op.flag ? !v.is_null() : v.is_null();
    case OpKind::kIn: return isIn(op.set, v, false, env);
    case OpKind::kNin: return !isIn(op.set, v, false, env);
    case OpKind::kIni: return isIn(op.set, v, true, env);
    case OpKind::kNini: return !isIn(op.set, v, true, env);
    case OpKind::kInGroup: case OpKind::kNotInGroup: {
      bool absent;
      const Json* values = groupValues(op.text, env, &absent);
      if (absent) return op.kind == OpKind::kNotInGroup;  // an empty list
      if (!values) return false;
      bool in = isInValues(v, *values);
      return op.kind == OpKind::kInGroup ? in : !in;
    }
    case OpKind::kNot: {
      std::string* why = env.why;
      env.why = nullptr;
      bool r = !evalValue(*op.value, v, env);
      env.why = why;
      return r;
    }
    case OpKind::kSize: {
      if (!v.is_array()) return false;
      Json length(static_cast<double>(v.size()));
      return evalValue(*op.value, length, env);
    }
    case OpKind::kElemMatchValue: case OpKind::kElemMatchCond: {
      if (!v.is_array()) return false;
      std::string* why = env.why;
      env.why = nullptr;
      bool r = false;
      for (const auto& e : v) {
        if (e.is_null()) continue;
        if (op.kind == OpKind::kElemMatchValue ? evalValue(*op.value, e, env) : evalCond(*op.cond, e, env)) {
          r = true;
          break;
        }
      }
      env.why = why;
      return r;
    }
    case OpKind::kAll: case OpKind::kAlli: {
      if (!v.is_array()) return false;
      std::string* why = env.why;
      env.why = nullptr;
      bool r = true;
      for (const auto& t : op.all) {
        bool passed = false;
        for (const auto& e : v)
          if (evalValue(t, e, env)) { passed = true; break; }
        if (!passed) { r = false; break; }
      }
      env.why = why;
      return r;
    }
    case OpKind::kRegex: {
      bool memoise = env.memo && op.regex_id >= 0 && &v == env.slot_value;
      if (memoise) {
        int known = env.memo->regex(op.regex_id, &v);
        if (known >= 0) return known == 1;
      }
      bool r;
      if (v.is_string()) {
        r = op.regex->test(v.get_ref<const std::string&>());
      } else {
        env.scratch.clear();
        js::appendString(v, env.scratch);  // RegExp.test converts with String()
        r = op.regex->test(env.scratch);
      }
      if (memoise) env.memo->storeRegex(op.regex_id, &v, r);
      return r;
    }
    case OpKind::kType: return op.text == js::typeName(v);
  }
  return false;
}

bool evalValue(const ValueTest& t, const Json& v, Env& env) {
  bool r = true;
  switch (t.kind) {
    case ValueTest::kString:
      if (v.is_string() && !t.insensitive) {
        r = v.get_ref<const std::string&>() == t.text;
      } else {
        std::string s;
        js::appendString(v, s);
        if (t.insensitive) {
          env.scratch.clear();
          js::appendLower(s, env.scratch);
          r = env.scratch == t.text;
        } else {
          r = s == t.text;
        }
      }
      break;
    case ValueTest::kNumber: r = (v.is_number() ? numberOf(v) : js::toNumber(v)) == t.number; break;  // v * 1 === n
    case ValueTest::kBool: r = !v.is_null() && js::truthy(v) == t.boolean; break;
    case ValueTest::kNull: r = v.is_null(); break;
    case ValueTest::kDeep: r = js::stringifyEqual(v, t.literal); break;
    case ValueTest::kOps:
      for (const Op& op : t.ops) {
        if (!evalOp(op, v, env)) {
          blame(env, op.pointer);
          return false;
        }
      }
      return true;
  }
  if (!r) blame(env, t.pointer);
  return r;
}

// A field clause read from the set's extracted values: answered once per
// evaluation (the memo), however many conditions repeat it.
bool evalSlotField(const Clause& clause, Env& env) {
  int known = clause.test_id >= 0 ? env.memo->test(clause.test_id) : -1;
  if (known >= 0) return known == 1;
  const Json* v = env.slots[clause.slot];
  const Json* outer = env.slot_value;
  env.slot_value = v;
  bool ok = evalValue(*clause.test, *v, env);
  env.slot_value = outer;
  if (clause.test_id >= 0) env.memo->storeTest(clause.test_id, ok);
  return ok;
}

// Every clause kind but a field read from extracted values.
bool evalClause(const Clause& clause, const Json& obj, Env& env) {
  bool ok;
  switch (clause.kind) {
    case ClauseKind::kField:
      return evalValue(*clause.test, *resolvePath(clause.path, obj, env.length), env);
    case ClauseKind::kAnd:
      for (const auto& s : clause.subs)
        if (!evalCond(s, obj, env)) return false;
      return true;
    default: {
      // $or $nor $not $savedGroup: inner failures are not the reason.
      std::string* why = env.why;
      env.why = nullptr;
      if (clause.kind == ClauseKind::kNot) {
        ok = !evalCond(clause.subs[0], obj, env);
      } else if (clause.kind == ClauseKind::kSavedGroup) {
        ok = evalSavedGroup(clause, obj, env);
      } else {
        bool any = clause.subs.empty();
        for (const auto& s : clause.subs)
          if (evalCond(s, obj, env)) { any = true; break; }
        ok = clause.kind == ClauseKind::kOr ? any : !any;
      }
      env.why = why;
      if (!ok) blame(env, clause.pointer);
      return ok;
    }
  }
}

// evalCondition: every clause must hold. Kept small: it runs for every
// condition of a set, and most clauses are memoised field tests.
bool evalCond(const CondNode& c, const Json& obj, Env& env) {
  for (const Clause& clause : c.clauses) {
    bool ok = env.slots && clause.slot >= 0 ? evalSlotField(clause, env) : evalClause(clause, obj, env);
    if (!ok) return false;
  }
  return true;
}

}  // namespace

CompileConditionResult compileCondition(const Json& condition, const std::string& base_path) {
  return compileCondition(condition, base_path, nullptr);
}

CompileConditionResult compileCondition(const Json& condition, const std::string& base_path,
                                        ConditionTables* tables) {
  CompileConditionResult result;
  auto compiled = std::make_shared<CompiledCondition>();
  Compiler compiler(&result.errors, tables);
  if (compiler.compileCond(condition, base_path, &compiled->root) && result.errors.empty()) {
    compiled->reads_whole_context = compiler.readsWholeContext();
    result.condition = std::move(compiled);
  }
  return result;
}

bool readsWholeContext(const CompiledCondition& condition) { return condition.reads_whole_context; }

namespace {

// One evaluation; `why`, when given, receives the first failing pointer.
bool evaluateWith(const CompiledCondition& condition, const Json& context, const SavedGroups* saved_groups,
                  GroupCompiler compile_group, std::string* why) {
  std::vector<std::string> visited;
  Env env{saved_groups, compile_group, &visited, why, {}, Json()};
  return evalCond(condition.root, context, env);
}

std::string explainWith(const CompiledCondition& condition, const Json& context, const SavedGroups* saved_groups,
                        GroupCompiler compile_group) {
  std::string why;
  if (evaluateWith(condition, context, saved_groups, compile_group, &why)) return "";
  return why.empty() ? condition.root.pointer : why;
}

// Same signature as compileCondition's first overload (a function pointer
// cannot name a default argument's overload set).
CompileConditionResult compileGroupCondition(const Json& condition, const std::string& base_path) {
  return compileCondition(condition, base_path, nullptr);
}

}  // namespace

void evaluateValues(const std::vector<std::shared_ptr<const CompiledCondition>>& conditions,
                    const Json* const* values, const Json& context, const SavedGroups* saved_groups,
                    EvaluationMemo* memo, std::vector<uint8_t>* answers) {
  std::vector<std::string> visited;
  Env env{saved_groups, &compileGroupCondition, &visited, nullptr, {}, Json()};
  env.slots = values;
  env.memo = memo;
  answers->resize(conditions.size());
  for (std::size_t i = 0; i < conditions.size(); ++i)
    (*answers)[i] = evalCond(conditions[i]->root, context, env) ? 1 : 0;
}

bool evaluate(const CompiledCondition& condition, const Json& context) {
  return evaluateWith(condition, context, nullptr, nullptr, nullptr);
}

bool evaluate(const CompiledCondition& condition, const Json& context, const SavedGroups* saved_groups) {
  return evaluateWith(condition, context, saved_groups, saved_groups ? &compileGroupCondition : nullptr, nullptr);
}

std::string explainFailure(const CompiledCondition& condition, const Json& context) {
  return explainWith(condition, context, nullptr, nullptr);
}

std::string explainFailure(const CompiledCondition& condition, const Json& context,
                           const SavedGroups* saved_groups) {
  return explainWith(condition, context, saved_groups, saved_groups ? &compileGroupCondition : nullptr);
}

}  // namespace relance
