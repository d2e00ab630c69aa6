// The tag's condition evaluator, for the tests that check it against the
// case tables and GrowthBook: a test-only wasm (CMake target
// relance_tag_conditions, tests/wasm/tag_conditions_probe.cc) built from the
// tag's core library with the tag's flags, whose one call compiles a
// condition, writes it in the compiled form as the collector serves it,
// reads it back as the tag does and evaluates it.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'build', 'wasm', 'tag-conditions');
const glue = fs.readFileSync(path.join(dir, 'relance-tag-conditions.js'), 'utf8');
const bytes = fs.readFileSync(path.join(dir, 'relance-tag-conditions.wasm'));
// The glue is a classic script defining createRelanceCore (MODULARIZE).
const factory = vm.runInThisContext(`${glue}\n;createRelanceCore`, { filename: 'relance-tag-conditions.js' });
const probe = await factory({
  instantiateWasm(imports, done) {
    WebAssembly.instantiate(bytes, imports).then((r) => done(r.instance));
    return {};
  },
});

/**
 * `condition` through the compiled form in the tag's build: {answer, why},
 * or {refused: 'compile' | 'form'}. `groups` undefined means no saved groups.
 */
export function throughForm(condition, context, groups) {
  return JSON.parse(probe.throughForm(JSON.stringify(condition), JSON.stringify(context ?? null),
    groups === undefined ? '' : JSON.stringify(groups)));
}
