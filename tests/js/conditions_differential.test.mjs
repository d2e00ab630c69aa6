// Differential test: thousands of seeded random conditions and contexts
// (every operator, mixed types, nulls, missing fields, arrays, nested paths,
// regexes of the supported subset, versions, saved groups) evaluated by the
// Relance engine (WebAssembly, through js-bindings) and by GrowthBook's
// evalCondition (the pinned @growthbook/growthbook). They must agree on
// every single case. The same generator writes
// tests/cases/conditions/differential.json, checked natively.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalCondition } from '@growthbook/growthbook';
import { load } from '../../js-bindings/dist/index.js';
import { throughForm } from './tag_conditions.mjs';
import { prng, condition, randomContext, savedGroups } from '../cases/conditions/random.mjs';

const SEED = 0x5eed2026;
const COUNT = 6000;

function quiet(fn) {
  // GrowthBook prints "Unknown operator" for operator-looking keys it does
  // not know; the generator avoids them, but keep the output readable.
  const error = console.error;
  console.error = () => {};
  try { return fn(); } finally { console.error = error; }
}

// COUNT random (condition, context) pairs that GrowthBook evaluates without
// throwing, each answered by `answerOf(cond, ctx, groups)`; the first 10
// disagreements, and how many of GrowthBook's answers were true.
function compareWithGrowthBook(answerOf) {
  const r = prng(SEED);
  const groups = savedGroups();
  const mismatches = [];
  let evaluated = 0;
  let trues = 0;
  while (evaluated < COUNT) {
    const cond = condition(r);
    const ctx = randomContext(r);
    let expected;
    try {
      expected = quiet(() => evalCondition(ctx, cond, groups));
    } catch {
      continue;  // GrowthBook itself throws: nothing to compare
    }
    const got = answerOf(cond, ctx, groups);
    evaluated++;
    if (expected) trues++;
    if (got !== expected && mismatches.length < 10) mismatches.push({ cond, ctx, expected, got });
  }
  return { mismatches, trues };
}

test('Relance answers exactly as GrowthBook on random conditions', async () => {
  const core = await load();
  const { mismatches, trues } = compareWithGrowthBook((cond, ctx, groups) => {
    try {
      return core.evaluateCondition(cond, ctx, groups);
    } catch (e) {
      return `refused: ${e.message}`;
    }
  });
  assert.deepEqual(mismatches, [], `disagreements (first 10 shown):\n${JSON.stringify(mismatches, null, 1)}`);
  // The generator must exercise both answers substantially.
  assert.ok(trues > COUNT * 0.05 && trues < COUNT * 0.95, `true answers: ${trues}/${COUNT}`);
});

// The tag's build (the compiled form the collector serves, read back by the
// tag's reader and evaluated by its evaluator) on the same random cases.
test('the tag build answers exactly as GrowthBook through the compiled form', () => {
  const { mismatches } = compareWithGrowthBook((cond, ctx, groups) => {
    const got = throughForm(cond, ctx, groups);
    return got.answer ?? got;
  });
  assert.deepEqual(mismatches, [], `disagreements (first 10 shown):\n${JSON.stringify(mismatches, null, 1)}`);
});

test('a compiled set answers like GrowthBook condition by condition, one crossing per context', async () => {
  const core = await load();
  const r = prng(SEED + 1);
  const groups = savedGroups();
  const conditions = Array.from({ length: 200 }, () => condition(r));
  const set = core.compileConditions(conditions);
  try {
    for (let i = 0; i < 100; i++) {
      const ctx = randomContext(r);
      const expected = quiet(() => conditions.map((c) => evalCondition(ctx, c, groups)));
      assert.deepEqual(set.evaluateAll(ctx, groups), expected, `context ${JSON.stringify(ctx)}`);
    }
  } finally {
    set.dispose?.();
  }
});
