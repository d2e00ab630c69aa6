// Runs the scenario tables of tests/scenarios/*.json through the WebAssembly
// build (js-bindings `core.createEngine`), with the same expectations as the
// native runner tests/native/scenario_test.cc. Format: tests/scenarios/README.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledForTag, npmCore, tagCore } from './tag_support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'tests', 'scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

// '' when `actual` matches `expected`, else where and how it differs.
export function mismatch(expected, actual, path) {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual))
      return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    for (const [k, v] of Object.entries(expected)) {
      if (!(k in actual)) return `${path}/${k}: missing`;
      const m = mismatch(v, actual[k], `${path}/${k}`);
      if (m) return m;
    }
    return '';
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    if (actual.length !== expected.length)
      return `${path}: expected ${expected.length} elements, got ${actual.length}: ${JSON.stringify(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const m = mismatch(expected[i], actual[i], `${path}/${i}`);
      if (m) return m;
    }
    return '';
  }
  if (expected === actual) return '';
  return `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

function isEmpty(v) {
  return v === undefined || v === null || ((typeof v === 'string' || Array.isArray(v)) && v.length === 0) ||
    (typeof v === 'object' && Object.keys(v).length === 0);
}

// Runs one scenario; returns every answer (restore, then each step's actions).
function runScenario(core, config, scenario, where) {
  const trace = [];
  const steps = scenario.steps ?? [];
  // The tabs of the visitor, by name; the scenario starts in tab "a".
  const tabs = new Map([['a', core.createEngine(config)]]);
  try {
    const firstAt = steps.length ? steps[0].at ?? 0 : 0;
    let stateText = '';
    if (typeof scenario.state === 'string') stateText = scenario.state;
    else if (scenario.state && typeof scenario.state === 'object') stateText = JSON.stringify(scenario.state);
    const restored = tabs.get('a').restore(stateText, firstAt);
    trace.push(restored);
    if (scenario.expect_restore) assert.equal(mismatch(scenario.expect_restore, restored, 'restore'), '', `${where}: restore`);
    steps.forEach((step, i) => {
      const at = step.at ?? 0;
      let actions;
      const tab = step.tab ?? 'a';
      if (step.adopt !== undefined) {
        // This tab (opened now if new) adopts the state another tab saved.
        assert.ok(tabs.has(step.adopt), `${where}, step ${i}: "adopt" names a tab that has not been opened`);
        const text = JSON.stringify(tabs.get(step.adopt).state());
        if (!tabs.has(tab)) tabs.set(tab, core.createEngine(config));
        actions = tabs.get(tab).restore(text, at);
      } else if (step.reload) {
        const text = JSON.stringify(tabs.get(tab).state());
        tabs.get(tab).dispose();
        tabs.set(tab, core.createEngine(config));
        actions = tabs.get(tab).restore(text, at);
      } else {
        const signal = { ...step.signal };
        if (!('ts' in signal)) signal.ts = at;
        assert.ok(tabs.has(tab), `${where}, step ${i}: tab "${tab}" must be opened first ("adopt")`);
        actions = tabs.get(tab).observe(signal, at);
      }
      trace.push(actions);
      const here = `${where}, step ${i}`;
      if (step.expect) assert.equal(mismatch(step.expect, actions, 'actions'), '', `${here}: ${JSON.stringify(actions)}`);
      for (const key of step.absent ?? [])
        assert.ok(isEmpty(actions[key]), `${here}: "${key}" should be absent: ${JSON.stringify(actions)}`);
      if (step.expect_state) {
        const state = tabs.get(tab).state();
        assert.equal(mismatch(step.expect_state, state, 'state'), '', `${here}: state ${JSON.stringify(state)}`);
      }
    });
  } finally {
    for (const engine of tabs.values()) engine.dispose();
  }
  return trace;
}

// The same tables through both wasm builds of the engine: the npm package's
// (which compiles the site configuration) and the browser tag's (engine only,
// compiled for size: CMake target relance_tag), which loads the compiled form
// that GET /v1/config serves (engine.config() here) and must answer exactly
// the same.

// The one difference allowed: the tag's JSON parser (src/core/json_dom_reader.h)
// words its error messages its own way ("syntax error at byte 28: ...", not
// nlohmann's "parse error at line 1, column 29: ..."); a corrupt state's note
// quotes that message. Both builds must still refuse the same texts.
const PARSE_MESSAGE = /^(visitor state was corrupt \()(?:parse error at line \d+, column \d+|syntax error at byte \d+): .*(\): reset)$/s;
function withoutParseMessages(value) {
  if (typeof value === 'string') return value.replace(PARSE_MESSAGE, '$1<parse error>$2');
  if (Array.isArray(value)) return value.map(withoutParseMessages);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutParseMessages(v)]));
  return value;
}

function configErrors(core, config) {
  try {
    core.createEngine(config).dispose();
    return [];
  } catch (e) {
    return e.errors ?? [{ path: '', message: String(e) }];
  }
}

for (const file of files) {
  test(`scenarios (wasm, then tag wasm through the compiled form): ${file}`, () => {
    const table = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const config = table.config ?? (table.config_file
      ? JSON.parse(readFileSync(join(root, table.config_file), 'utf8')) : {});
    if (table.expect_config_errors) {
      const errors = configErrors(npmCore, config);
      assert.equal(mismatch(table.expect_config_errors, errors, 'errors'), '', `config errors: ${JSON.stringify(errors)}`);
      if (errors.length) return;
    }
    const compiled = compiledForTag(config);
    for (const scenario of table.scenarios ?? []) {
      const where = `${file}: ${scenario.name}`;
      const expected = runScenario(npmCore, config, scenario, where);
      const actual = runScenario(tagCore, compiled, scenario, `${where} (tag wasm)`);
      assert.deepEqual(withoutParseMessages(actual), withoutParseMessages(expected),
        `${where}: the tag's answers differ through the compiled form`);
    }
  });
}

test('the tag wasm loads only the compiled form, of its own version', () => {
  const compiled = compiledForTag({ site: { id: 's' } });
  assert.equal(compiled.compiled, 2);
  tagCore.createEngine(compiled).dispose();
  for (const other of [{ site: { id: 's' } }, { ...compiled, compiled: 1 }, { ...compiled, compiled: 3 }]) {
    const errors = configErrors(tagCore, other);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].path, '/compiled');
  }
  // Damaged on the way: one clear error with where, never a crash.
  const damaged = { ...compiled, transport: { ...compiled.transport, batch_size: 'x' } };
  assert.deepEqual(configErrors(tagCore, damaged).map((e) => e.path), ['/transport/batch_size']);
  const text = JSON.stringify(compiled);
  for (const cut of [1, Math.floor(text.length / 2), text.length - 1]) {
    const errors = configErrors(tagCore, text.slice(0, cut));
    assert.equal(errors.length, 1);
    assert.match(errors[0].message, /not valid JSON/);
  }
  tagCore.createEngine(compiled).dispose(); // the module still works
});

test('the tag wasm refuses a damaged condition program with where, and still works', () => {
  const compiled = compiledForTag({ segments: { sale: { 'page.path': { $regex: '^/sale/[0-9]+$' } } } });
  assert.deepEqual(compiled.conditions.paths, ['page.path']);
  const regex = compiled.conditions.regexes[0];
  const jump = regex.program.findIndex((inst) => inst[0] === 3 || inst[0] === 4); // a split or a jump
  assert.ok(jump >= 0, JSON.stringify(regex.program));
  const cases = [
    [(c) => { c.conditions.regexes[0].program[jump][1] = 1e6; }, '/conditions/regexes/0'],          // jump target
    [(c) => { c.conditions.regexes[0].program.pop(); }, '/conditions/regexes/0'],                    // truncated
    [(c) => { c.segments.sale[0].path = 7; }, '/segments/sale'],                                    // path index
    [(c) => { c.segments.sale[0].test.ops[0].regex = 1; }, '/segments/sale'],                       // regex index
  ];
  for (const [damage, path] of cases) {
    const damaged = structuredClone(compiled);
    damage(damaged);
    const errors = configErrors(tagCore, damaged);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].path, path);
    assert.match(errors[0].message, /damaged/);
  }
  tagCore.createEngine(compiled).dispose(); // the module still works
});

test('scenario matching follows the format', () => {
  const actual = { events: [{ type: 'page_view', id: 's1' }], deliver: 'queue', n: 2 };
  assert.equal(mismatch({ events: [{ type: 'page_view' }] }, actual, ''), '');
  assert.notEqual(mismatch({ events: [] }, actual, ''), '');
  assert.notEqual(mismatch({ offer: {} }, actual, ''), '');
  assert.notEqual(mismatch({ deliver: 'hold' }, actual, ''), '');
});
