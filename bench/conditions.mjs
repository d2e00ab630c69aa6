// Benchmark of the condition language (npm run bench:conditions): 200
// realistic targeting conditions against 10,000 seeded visitor contexts,
// evaluated by Relance (WebAssembly through js-bindings, one crossing per
// context: compileConditions(...).evaluateAll(ctx)), by GrowthBook's
// evalCondition and by json-logic-js on equivalent rules. All three must
// agree on every (condition, context) pair before anything is timed.
// Prints evaluations per second and the ratios. Goal: Relance >= 5x GrowthBook.
import { evalCondition } from '@growthbook/growthbook';
import jsonLogic from 'json-logic-js';
import { load } from '../js-bindings/dist/index.js';
import { prng } from '../tests/cases/conditions/random.mjs';

const CONDITIONS = 200;
// BENCH_SCALE: a fraction of the contexts (tests/js/bench_smoke.test.mjs
// runs 0.01 to check that the bench still runs; its figures mean nothing).
const CONTEXTS = Math.max(100, Math.round(10000 * Number(process.env.BENCH_SCALE || 1)));
const r = prng(42);

const regexCache = new Map();
jsonLogic.add_operation('regex', (s, p) => {
  let re = regexCache.get(p);
  if (!re) regexCache.set(p, (re = new RegExp(p)));
  return re.test(String(s));
});

const SEGMENTS = ['vip', 'regular', 'new', 'dormant', 'wholesale'];
const SOURCES = ['newsletter', 'google', 'facebook', 'direct', 'affiliate'];
const LOCALES = ['fr-FR', 'en-GB', 'de-DE', 'es-ES', 'it-IT'];
const CATEGORIES = ['shoes', 'bags', 'hats', 'coats', 'socks'];
const TAGS = ['returning', 'cart_abandoner', 'high_value', 'newsletter', 'mobile_first'];

// Each template gives a GrowthBook/Relance condition and its json-logic twin.
const templates = [
  () => {
    const cat = r.pick(CATEGORIES), k = 10 + r.int(50);
    return [{ 'page.path': { $regex: `^/products/${cat}/\\d+$` }, 'visitor.score': { $gte: k } },
      { and: [{ regex: [{ var: 'page.path' }, `^/products/${cat}/\\d+$`] }, { '>=': [{ var: 'visitor.score' }, k] }] }];
  },
  () => {
    const segs = SEGMENTS.filter(() => r.chance(0.5)), v = r.int(200);
    return [{ 'visitor.segment': { $in: segs }, 'cart.value': { $gt: v } },
      { and: [{ in: [{ var: 'visitor.segment' }, segs] }, { '>': [{ var: 'cart.value' }, v] }] }];
  },
  () => {
    const src = r.pick(SOURCES), n = 1 + r.int(8);
    return [{ $or: [{ 'utm.source': src }, { 'visitor.visits': { $gte: n } }], 'device.type': { $ne: 'mobile' } },
      { and: [{ or: [{ '===': [{ var: 'utm.source' }, src] }, { '>=': [{ var: 'visitor.visits' }, n] }] }, { '!==': [{ var: 'device.type' }, 'mobile'] }] }];
  },
  () => {
    const a = r.int(50), b = a + 10 + r.int(50), locs = LOCALES.filter(() => r.chance(0.5));
    return [{ $and: [{ 'visitor.score': { $gte: a } }, { 'visitor.score': { $lt: b } }], locale: { $in: locs } },
      { and: [{ '>=': [{ var: 'visitor.score' }, a] }, { '<': [{ var: 'visitor.score' }, b] }, { in: [{ var: 'locale' }, locs] }] }];
  },
  () => {
    const min = r.int(3);
    return [{ 'page.path': { $regex: '^/(cart|checkout)' }, 'cart.items': { $size: { $gt: min } } },
      { and: [{ regex: [{ var: 'page.path' }, '^/(cart|checkout)'] }, { '>': [{ var: 'cart.items.length' }, min] }] }];
  },
  () => {
    const tag = r.pick(TAGS), days = 1 + r.int(14);
    return [{ 'visitor.tags': { $elemMatch: { $eq: tag } }, 'offers.days_since_shown': { $gte: days } },
      { and: [{ in: [tag, { var: 'visitor.tags' }] }, { '>=': [{ var: 'offers.days_since_shown' }, days] }] }];
  },
  () => {
    const seg = r.pick(SEGMENTS), k = r.int(80), src = r.pick(SOURCES);
    return [{ $or: [{ $and: [{ 'visitor.segment': seg }, { 'visitor.score': { $gt: k } }] }, { 'utm.source': src, 'device.type': 'desktop' }] },
      { or: [{ and: [{ '===': [{ var: 'visitor.segment' }, seg] }, { '>': [{ var: 'visitor.score' }, k] }] },
        { and: [{ '===': [{ var: 'utm.source' }, src] }, { '===': [{ var: 'device.type' }, 'desktop'] }] }] }];
  },
];

const pairs = Array.from({ length: CONDITIONS }, () => r.pick(templates)());
const conditions = pairs.map((p) => p[0]);
const rules = pairs.map((p) => p[1]);

function context() {
  const cat = r.pick(CATEGORIES);
  const path = r.pick([`/products/${cat}/${r.int(999)}`, '/cart', '/checkout/payment', '/', `/c/${cat}`, '/blog/post-1']);
  return {
    page: { path, title: 'A page title', referrer: 'https://www.google.com/' },
    visitor: { score: r.int(100), segment: r.pick(SEGMENTS), visits: 1 + r.int(12), tags: TAGS.filter(() => r.chance(0.3)) },
    utm: { source: r.pick(SOURCES), medium: 'email', campaign: 'spring' },
    device: { type: r.pick(['mobile', 'desktop', 'tablet']) },
    locale: r.pick(LOCALES),
    cart: { value: r.int(300), items: Array.from({ length: r.int(4) }, (_, i) => ({ id: `sku${i}`, quantity: 1 })) },
    offers: { days_since_shown: r.int(30) },
  };
}
const contexts = Array.from({ length: CONTEXTS }, context);

const core = await load();
const set = core.compileConditions(conditions);

// 1. Agreement on every pair.
let disagreements = 0, trues = 0;
for (const ctx of contexts) {
  const mine = set.evaluateAll(ctx);
  for (let i = 0; i < CONDITIONS; i++) {
    const gb = evalCondition(ctx, conditions[i]);
    const jl = !!jsonLogic.apply(rules[i], ctx);
    if (gb) trues++;
    if (mine[i] !== gb || jl !== gb) {
      if (disagreements++ < 5) console.error('disagreement', JSON.stringify(conditions[i]), JSON.stringify(ctx), { relance: mine[i], growthbook: gb, jsonLogic: jl });
    }
  }
}
const total = CONDITIONS * CONTEXTS;
if (disagreements) {
  console.error(`${disagreements} disagreements out of ${total}: not timing`);
  process.exit(1);
}
console.log(`agreement: ${total} pairs, ${trues} true (${((100 * trues) / total).toFixed(1)}%)`);

// 2. Timing (best of 3 runs over all contexts).
function time(name, fn) {
  let best = Infinity;
  let sink = 0;
  for (let run = 0; run < 3; run++) {
    const t0 = process.hrtime.bigint();
    sink += fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const rate = total / best;
  console.log(`${name.padEnd(12)} ${(rate / 1e6).toFixed(2)} M evaluations/s  (${((best / CONTEXTS) * 1e6).toFixed(1)} us per context of ${CONDITIONS} conditions)  [${sink}]`);
  return rate;
}
const relance = time('relance', () => { let n = 0; for (const ctx of contexts) { const a = set.evaluateAll(ctx); for (const x of a) n += x; } return n; });
const growthbook = time('growthbook', () => { let n = 0; for (const ctx of contexts) for (const c of conditions) n += evalCondition(ctx, c); return n; });
const jl = time('json-logic', () => { let n = 0; for (const ctx of contexts) for (const rule of rules) n += !!jsonLogic.apply(rule, ctx); return n; });
console.log(`ratio relance/growthbook: ${(relance / growthbook).toFixed(2)}x (goal >= 5x)`);
console.log(`ratio relance/json-logic: ${(relance / jl).toFixed(2)}x`);
set.dispose?.();
