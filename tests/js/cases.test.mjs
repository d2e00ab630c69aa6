// Runs the shared case tables through the WebAssembly build (the built
// package js-bindings/dist/index.js), with the expectations the native
// runners use (tests/native/condition_cases_test.cc, event_cases_test.cc):
// the same cases, the same answers on both builds. Condition cases also run
// in the tag's build through the compiled form (tag_conditions.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from '../../js-bindings/dist/index.js';
import { throughForm } from './tag_conditions.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tables = (dir) => fs.readdirSync(path.join(root, 'tests/cases', dir)).filter((f) => f.endsWith('.json')).sort()
  .map((f) => [f, JSON.parse(fs.readFileSync(path.join(root, 'tests/cases', dir, f), 'utf8')).cases]);
const core = await load();

// Condition cases: {name, condition, context, savedGroups?, expected} or {name, condition, error: {path, message?}}.
for (const [file, cases] of tables('conditions')) {
  test(`conditions/${file}: every case answers as on the native build`, () => {
    const failures = [];
    const fail = (c, why) => failures.length < 20 && failures.push(`${c.name}: ${why}`);
    const valid = [];
    for (const c of cases) {
      if (c.error) {
        let thrown = null;
        try { core.compileCondition(c.condition).dispose(); } catch (e) { thrown = e; }
        if (!thrown || !Array.isArray(thrown.errors)) { fail(c, 'compiled but should not'); continue; }
        const first = thrown.errors[0];
        if (first.path !== c.error.path) fail(c, `error at ${first.path} (${first.message}), expected ${c.error.path}`);
        else if (c.error.message && !first.message.includes(c.error.message)) fail(c, `message "${first.message}" lacks "${c.error.message}"`);
        continue;
      }
      let compiled;
      try { compiled = core.compileCondition(c.condition); } catch (e) { fail(c, `refused: ${e.message}`); continue; }
      const got = compiled.evaluate(c.context, c.savedGroups);
      compiled.dispose();
      if (got !== c.expected) fail(c, `answered ${got}, expected ${c.expected}`);
      // The tag's build, through the compiled form the collector serves.
      const tag = throughForm(c.condition, c.context, c.savedGroups);
      if (tag.answer !== c.expected) fail(c, `the tag's build answered ${JSON.stringify(tag)} through the compiled form`);
      valid.push(c);
    }
    // The one-shot call and the set (one crossing per context) give the same answers.
    for (let i = 0; i < valid.length; i += 50) {
      const batch = valid.slice(i, i + 50);
      const set = core.compileConditions(batch.map((c) => c.condition));
      assert.equal(set.size, batch.length);
      batch.forEach((c, k) => {
        const all = set.evaluateAll(c.context, c.savedGroups);
        if (all[k] !== c.expected) fail(c, `evaluateAll answered ${all[k]}`);
        if (k % 5 === 0 && core.evaluateCondition(c.condition, c.context, c.savedGroups) !== c.expected) fail(c, 'evaluateCondition differs');
      });
      set.dispose();
    }
    assert.deepEqual(failures, []);
  });
}

// Event cases: {name, event, errors: [{path, message?}]} with the exact set of paths.
for (const [file, cases] of tables('events')) {
  test(`events/${file}: every case gives the expected errors`, () => {
    const failures = [];
    for (const c of cases) {
      const r = core.validateEvent(c.event);
      const got = [...new Set(r.errors.map((e) => e.path))].sort();
      const want = [...new Set(c.errors.map((e) => e.path))].sort();
      let why = '';
      if (r.ok !== (c.errors.length === 0)) why = `ok is ${r.ok}`;
      else if (JSON.stringify(got) !== JSON.stringify(want)) why = `paths ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
      else {
        for (const e of c.errors) {
          if (e.message && !r.errors.some((g) => g.path === e.path && g.message.includes(e.message))) why = `no message at ${e.path} contains "${e.message}"`;
        }
      }
      if (why && failures.length < 20) failures.push(`${c.name}: ${why}`);
    }
    assert.deepEqual(failures, []);
  });
}

test('the case tables are there and large', () => {
  const count = (dir) => tables(dir).reduce((n, [, cases]) => n + cases.length, 0);
  assert.ok(count('events') >= 500, 'events');
  assert.ok(count('conditions') >= 1000, 'conditions');
});
