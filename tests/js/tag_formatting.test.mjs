// The printf-style formats the browser tag's wasm writes with its own
// formatter (src/wasm/tag_snprintf.cc, not the C library's printf), against
// the npm package's wasm, which keeps the C library's:
//   - nlohmann's serializer writes control characters in strings as "\u%04x";
//   - a signal without an id gets the derived id "r-%016llx" (core/engine.cc).
// (Embind's "%p" is only read by its errors for unregistered types.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compiledForTag, npmCore, tagCore } from './tag_support.mjs';

const at = 1767225600000;
const config = { version: 1, site: { id: 'formats' } };
const builds = [
  ['wasm', () => npmCore.createEngine(config)],
  ['tag wasm', () => tagCore.createEngine(compiledForTag(config))],
];

// Every control character the serializer escapes as \u00XX (the others,
// \b \f \n \r \t, have short escapes), and a few neighbours.
const controls = Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)).join('');
const text = `a${controls}\u007f\u00e9z`;

function run(createEngine) {
  const engine = createEngine();
  try {
    engine.restore('', at);
    const tracked = engine.observe({ type: 'track', id: 't1', props: { event: 'custom.note', properties: { text } } }, at);
    const derived = engine.observe({ type: 'page_view', context: { page: { url: 'https://f.example/', path: '/' } } }, at + 1);
    return { tracked, derived, state: engine.state() };
  } finally {
    engine.dispose();
  }
}

const results = builds.map(([build, createEngine]) => [build, run(createEngine)]);

for (const [build, { tracked, derived }] of results) {
  test(`formats (${build}): control characters in strings are escaped and read back unchanged`, () => {
    assert.deepEqual(tracked.errors ?? [], []);
    assert.equal(tracked.events.length, 1, JSON.stringify(tracked));
    assert.equal(tracked.events[0].properties.text, text);
  });

  test(`formats (${build}): a signal without an id gets "r-" and 16 hexadecimal digits`, () => {
    assert.equal(derived.events.length, 1, JSON.stringify(derived));
    assert.match(derived.events[0].id, /^r-[0-9a-f]{16}$/);
  });
}

test('formats: both builds derive the same id and write the same state', () => {
  const [[, npm], [, tag]] = results;
  assert.equal(tag.derived.events[0].id, npm.derived.events[0].id);
  assert.deepEqual(tag.state, npm.state);
});
