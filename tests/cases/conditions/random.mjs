// Seeded random conditions, contexts and saved groups for the differential
// test (tests/js/conditions_differential.test.mjs) and for differential.json
// (the same check, natively). Everything generated stays inside what the
// Relance compiler accepts (docs/conditions.md lists what it refuses), so
// every case must evaluate exactly as GrowthBook's evalCondition.

// Mulberry32: small, seeded, reproducible.
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (list) => list[int(list.length)];
  const chance = (p) => next() < p;
  return { next, int, pick, chance };
}

const STRINGS = ['', 'a', 'abc', 'ABC', 'Abc', 'b', 'xyz', '10', '9', ' 5 ', '0x1f', '1e3', '-2', '1.5',
  'true', 'false', 'null', 'é', 'É', 'Ärger', 'café', 'foo bar', 'foo_bar', '/products/42', '/cart',
  '/Products/shoes', 'vip', 'VIP', 'regular', 'new', '1,2', '[object Object]', 'a\nb', 'Ω', '😀x'];
const NUMBERS = [0, 1, 2, 3, -1, 1.5, 10, 9, 100, 42, 0.1, 1e21, -2.5, 5, 30, 1e-7];
const VERSIONS = ['1.2.3', '1.2.3-beta.1', '1.2.3-beta.10', 'v2.0.0', '1.10.0', '1.2', '1.2.3+build.5',
  '2.0.0-rc.1', '0.9', '10.0.0', '1.2.3.4', 'v1', ''];
const KEYS = ['a', 'b', 'n', 's', 'tags', 'user', 'page', 'v'];
const SUBKEYS = ['name', 'score', 'path', 'x', 'y'];
const PATHS = ['a', 'b', 'n', 's', 'tags', 'v', 'user.name', 'user.score', 'page.path', 'tags.0', 'tags.1',
  'tags.length', 'user.x.y', 'missing', 'a.b', 's.length', 'user'];
const TYPES = ['string', 'number', 'boolean', 'array', 'null', 'object'];
const GROUP_NAMES = ['g_list', 'g_v2', 'g_v2_s', 'g_cond', 'g_bad', 'g_null', 'g_empty', 'nope', 'g_loop'];
const REGEX_PARTS = ['^', '$', 'a', 'b', 'c', 'abc', '[a-c]', '[^0-9]', '\\d', '\\d+', '\\w+', '\\s', '\\S',
  '.', '.*', '(ab|cd)', '(?:a|b)+?', 'x*', 'b{1,2}', 'o{2}', '[A-Z]', '\\bfoo', 'bar\\b', '\\B', 'é', '\\.',
  '\\/', '/', '[\\w-]', '(p|P)roducts', '\\d{2,}', '?', '[0-9]{1,3}', 'u', 'null', '1', ',', 'true', '\\u00e9',
  '\\x41', '[é-ü]', '[^a-z]', '(a|)', '(?:)', '[\\d.]+', 'ä|Ä', 'Ω', '\\n'];

export function savedGroups() {
  return {
    g_list: [1, 'a', true, 'vip', 42],
    g_v2: { type: 'list', attributeKey: 'n', values: [1, 2, 3] },
    g_v2_s: { type: 'list', attributeKey: 's', values: ['abc', 'vip'] },
    g_cond: { type: 'condition', condition: { n: { $gt: 1 } } },
    g_loop: { type: 'condition', condition: { $savedGroup: { id: 'g_loop' } } },
    g_bad: { type: 'list' },
    g_null: null,
    g_empty: [],
  };
}

export function randomValue(r, depth = 0) {
  const roll = r.int(depth > 1 ? 8 : 11);
  switch (roll) {
    case 0: return null;
    case 1: return r.chance(0.5);
    case 2: case 3: return r.pick(NUMBERS);
    case 4: case 5: return r.pick(STRINGS);
    case 6: return r.pick(VERSIONS);
    case 7: return r.int(40);
    case 8: case 9: {
      const n = r.int(4);
      const out = [];
      for (let i = 0; i < n; i++) out.push(randomValue(r, depth + 1));
      return out;
    }
    default: return randomObject(r, depth + 1);
  }
}

// Keys in sorted order and never integer-like: JSON.stringify then writes
// them in the order nlohmann keeps (see docs: key order in JSON equality).
function randomObject(r, depth) {
  const keys = [...new Set(Array.from({ length: r.int(3) + 1 }, () => r.pick(depth > 1 ? SUBKEYS : [...KEYS, ...SUBKEYS])))].sort();
  const out = {};
  for (const k of keys) out[k] = randomValue(r, depth + 1);
  return out;
}

export function randomContext(r) {
  const ctx = {};
  for (const k of KEYS) if (r.chance(0.75)) ctx[k] = k === 'user' || k === 'page' ? randomObject(r, 1) : randomValue(r);
  if (r.chance(0.5)) ctx.tags = Array.from({ length: r.int(4) }, () => r.pick([...STRINGS.slice(0, 12), 1, 2, null, true]));
  if (r.chance(0.5)) ctx.v = r.pick(VERSIONS);
  return Object.fromEntries(Object.entries(ctx).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function primitive(r) {
  return r.pick([() => null, () => r.chance(0.5), () => r.pick(NUMBERS), () => r.pick(STRINGS), () => r.int(40)])();
}

function randomRegex(r) {
  let p = '';
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) {
    const part = r.pick(REGEX_PARTS);
    if (part === '?' && (p === '' || /[?*+^$(|]$/.test(p) || p.endsWith('\\b') || p.endsWith('\\B') || /\}$/.test(p))) continue;
    p += part;
  }
  return p;
}

function operator(r, depth) {
  const ops = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$ini', '$nini', '$all', '$alli',
    '$exists', '$type', '$regex', '$regexi', '$size', '$elemMatch', '$not', '$veq', '$vne', '$vgt', '$vgte',
    '$vlt', '$vlte', '$inGroup', '$notInGroup'];
  const op = r.pick(ops);
  switch (op) {
    case '$eq': case '$ne': return [op, primitive(r)];
    case '$gt': case '$gte': case '$lt': case '$lte':
      return [op, r.chance(0.6) ? r.pick(NUMBERS) : r.pick(STRINGS)];
    case '$in': case '$nin': case '$ini': case '$nini':
      return [op, Array.from({ length: r.int(4) }, () => primitive(r))];
    case '$all': case '$alli':
      return [op, Array.from({ length: r.int(3) }, () => (r.chance(0.8) ? primitive(r) : valueCondition(r, depth + 1)))];
    case '$exists': return [op, r.chance(0.5)];
    case '$type': return [op, r.pick(TYPES)];
    case '$regex': case '$regexi': return [op, randomRegex(r)];
    case '$size': return [op, r.chance(0.6) ? r.int(4) : operatorObject(r, depth + 1, ['$gt', '$lt', '$gte', '$eq', '$in'])];
    case '$elemMatch':
      if (r.chance(0.5)) return [op, operatorObject(r, depth + 1)];
      // A condition on each element needs a field key: with only $ keys
      // GrowthBook reads it as operators ($or there is unknown).
      return [op, { ...condition(r, depth + 1), [r.pick(['name', 'score', 'x'])]: valueCondition(r, depth + 1) }];
    case '$not': return [op, valueCondition(r, depth + 1)];
    case '$inGroup': case '$notInGroup': return [op, r.pick(GROUP_NAMES)];
    default: return [op, r.chance(0.8) ? r.pick(VERSIONS.filter(Boolean)) : r.int(3)];
  }
}

function operatorObject(r, depth, only) {
  const out = {};
  const n = 1 + r.int(2);
  for (let i = 0; i < n; i++) {
    let [op, v] = operator(r, depth);
    if (only && !only.includes(op)) { op = r.pick(only); v = op === '$in' ? [r.int(4), r.int(4)] : r.int(4); }
    if (depth > 2 && (op === '$elemMatch' || op === '$not' || op === '$all' || op === '$alli')) continue;
    out[op] = v;
  }
  if (Object.keys(out).length === 0) out.$exists = true;
  return out;
}

export function valueCondition(r, depth) {
  const roll = r.int(10);
  if (roll === 0) return primitive(r);
  if (roll === 1) return Array.from({ length: r.int(3) }, () => primitive(r));
  if (roll === 2) return randomObject(r, 2);
  return operatorObject(r, depth);
}

export function condition(r, depth = 0) {
  const out = {};
  const n = 1 + r.int(depth > 1 ? 1 : 3);
  for (let i = 0; i < n; i++) {
    const roll = r.int(12);
    if (depth < 3 && roll === 0) out.$or = Array.from({ length: r.int(3) }, () => condition(r, depth + 1));
    else if (depth < 3 && roll === 1) out.$and = Array.from({ length: r.int(3) }, () => condition(r, depth + 1));
    else if (depth < 3 && roll === 2) out.$nor = Array.from({ length: r.int(3) }, () => condition(r, depth + 1));
    else if (depth < 3 && roll === 3) out.$not = condition(r, depth + 1);
    else if (roll === 4 && r.chance(0.3)) out.$savedGroup = r.chance(0.5) ? { id: r.pick(GROUP_NAMES) } : { id: r.pick(GROUP_NAMES), attributeKey: r.pick(PATHS) };
    else out[r.pick(PATHS)] = valueCondition(r, depth);
  }
  return out;
}

// `count` cases {condition, context, savedGroups, expected} from `seed`,
// with expected answers from GrowthBook's evalCondition.
export function differentialCases(evalCondition, seed, count) {
  const r = prng(seed);
  const groups = savedGroups();
  const cases = [];
  while (cases.length < count) {
    const cond = condition(r);
    const context = randomContext(r);
    let expected;
    try {
      expected = evalCondition(context, cond, groups);
    } catch {
      continue;
    }
    cases.push({ name: `random #${cases.length}`, condition: cond, context, savedGroups: groups, expected });
  }
  return cases;
}
