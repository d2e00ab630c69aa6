// Writes the condition case tables in this folder. Expected answers come
// from @growthbook/growthbook's evalCondition (the pinned devDependency);
// the written JSON files are committed and are the truth for both builds.
// Run: node tests/cases/conditions/generate.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evalCondition } from '@growthbook/growthbook';
import { differentialCases, savedGroups } from './random.mjs';

const here = dirname(fileURLToPath(import.meta.url));

// Every condition against every context: the answers come from GrowthBook.
function cross(conditions, contexts, groups) {
  const cases = [];
  conditions.forEach((condition, i) => {
    contexts.forEach((context, j) => {
      const c = { name: `${JSON.stringify(condition)} on ${JSON.stringify(context)}`.slice(0, 160) + ` [${i}.${j}]`, condition, context };
      if (groups) c.savedGroups = groups;
      c.expected = evalCondition(context, condition, groups || {});
      cases.push(c);
    });
  });
  return cases;
}

function write(file, cases) {
  writeFileSync(join(here, file), JSON.stringify({ cases }, null, 1) + '\n');
  console.log(`${file}: ${cases.length} cases`);
}

const mixed = [{}, { x: null }, { x: 0 }, { x: 1 }, { x: -1 }, { x: 1.5 }, { x: '' }, { x: '1' }, { x: '01' }, { x: ' 1 ' },
  { x: 'abc' }, { x: 'ABC' }, { x: true }, { x: false }, { x: [] }, { x: [1] }, { x: [1, 2] }, { x: ['1'] },
  { x: { y: 1 } }, { x: 'true' }, { x: 'null' }, { x: '0x10' }, { x: 16 }, { x: 1e21 }, { x: 'Infinity' }];

write('eq.json', cross([
  { x: 1 }, { x: '1' }, { x: 'abc' }, { x: true }, { x: false }, { x: null }, { x: [] }, { x: [1, 2] }, { x: { y: 1 } },
  { x: {} }, { x: { $eq: 1 } }, { x: { $eq: '1' } }, { x: { $eq: null } }, { x: { $ne: 1 } }, { x: { $ne: null } },
  { x: 0 }, { x: '' }, { x: 16 }, { x: 'null' }, { x: 'true' }, { x: '1,2' }, { x: '[object Object]' }, { x: Infinity === 1 ? 0 : 1e21 },
], mixed));

write('comparison.json', cross([
  { x: { $gt: 0 } }, { x: { $gte: 1 } }, { x: { $lt: 1 } }, { x: { $lte: 0 } }, { x: { $gt: 'a' } }, { x: { $lt: 'b' } },
  { x: { $gte: '1' } }, { x: { $lt: '10' } }, { x: { $gt: -1, $lt: 2 } }, { x: { $gt: '' } }, { x: { $lte: 'ABC' } },
  { x: { $gt: 15 } }, { x: { $lt: 1e22 } },
], mixed));

const arrays = [{}, { t: null }, { t: [] }, { t: ['a'] }, { t: ['a', 'b'] }, { t: ['A', 'B', 'c'] }, { t: 'a' }, { t: 'A' },
  { t: [1, 2, 3] }, { t: 1 }, { t: [null] }, { t: [true, 'x'] }, { t: ['vip', 'regular'] }, { t: [['a']] }, { t: [{ a: 1 }] },
  { t: ['1'] }, { t: [0, '', false] }];
write('in.json', cross([
  { t: { $in: ['a', 'b'] } }, { t: { $in: [1, 2] } }, { t: { $in: [] } }, { t: { $in: [null] } }, { t: { $in: [true] } },
  { t: { $nin: ['a'] } }, { t: { $nin: [] } }, { t: { $nin: [null, 1] } }, { t: { $ini: ['A', 'c'] } }, { t: { $nini: ['B'] } },
  { t: { $all: ['a', 'b'] } }, { t: { $all: [] } }, { t: { $all: [1, { $gt: 2 }] } }, { t: { $alli: ['a', 'C'] } },
  { t: { $size: 2 } }, { t: { $size: 0 } }, { t: { $size: { $gt: 1 } } }, { t: { $elemMatch: { $eq: 'a' } } },
  { t: { $elemMatch: { $gt: 1 } } }, { t: { $elemMatch: { a: 1 } } }, { t: { $elemMatch: {} } }, { t: ['a', 'b'] }, { t: 'a' },
  { t: { $exists: true } }, { t: { $exists: false } }, { 't.0': 'a' }, { 't.length': 2 }, { 't.1': { $exists: true } },
], arrays));

write('type.json', cross([
  { x: { $type: 'string' } }, { x: { $type: 'number' } }, { x: { $type: 'boolean' } }, { x: { $type: 'array' } },
  { x: { $type: 'null' } }, { x: { $type: 'object' } }, { x: { $exists: true } }, { x: { $exists: false } },
  { x: { $not: { $type: 'number' } } }, { x: { $not: 1 } }, { x: { $not: { $gt: 0 } } },
], mixed));

const paths = [{}, { page: { path: '/products/shoes' } }, { page: { path: '/cart' } }, { page: { path: '/PRODUCTS/x' } },
  { page: { path: 42 } }, { page: { path: null } }, { page: { path: ['/products/1', '/cart'] } }, { page: '/products/a' },
  { page: { path: '/products/\u00e9t\u00e9' } }, { page: { path: 'a/products/b\nc' } }, { page: { path: { a: 1 } } },
  { page: { path: '/products/😀' } }];
write('regex.json', cross([
  { 'page.path': { $regex: '^/products/' } }, { 'page.path': { $regexi: '^/products/' } }, { 'page.path': { $regex: 'cart$' } },
  { 'page.path': { $regex: '\\d+' } }, { 'page.path': { $regex: '^\\/p[a-z]+\\/.$' } }, { 'page.path': { $regex: 'null' } },
  { 'page.path': { $regex: '(products|cart)' } }, { 'page.path': { $regex: '^/(?:products)/[^/]{1,3}$' } },
  { 'page.path': { $regex: 'b.c' } }, { 'page.path': { $regex: 'b\\sc' } }, { 'page.path': { $regex: '\\bproducts\\b' } },
  { 'page.path': { $regex: '[\\u00e0-\\u00ff]+' } }, { 'page.path': { $regexi: 'ÉTÉ' } }, { 'page.path': { $regex: '^.{12}$' } },
  { 'page.path': { $regex: 'object' } }, { 'page.path': { $regex: '' } }, { 'page.path': { $regex: 'a|' } },
  { 'page.path': { $regex: '4{2}|42' } }, { 'page.path': { $regex: '/products/..$' } }, { 'page.path': { $regex: ']' } },
], paths));

const versions = [{}, { v: '1.2.3' }, { v: '1.2.3-beta.1' }, { v: '1.2.3-beta.10' }, { v: 'v1.2.3' }, { v: '1.10.0' },
  { v: '1.2' }, { v: '1.2.3+build' }, { v: 2 }, { v: null }, { v: '' }, { v: '2.0.0-rc.1' }, { v: '1.2.3.4' }];
write('version.json', cross([
  { v: { $veq: '1.2.3' } }, { v: { $vne: '1.2.3' } }, { v: { $vgt: '1.2.3-beta.2' } }, { v: { $vgte: '1.2.3' } },
  { v: { $vlt: '1.10.0' } }, { v: { $vlte: 'v1.2.3' } }, { v: { $vgt: 1 } }, { v: { $vlt: '2.0.0' } }, { v: { $veq: '0' } },
], versions));

const people = [{}, { n: 5, s: 'vip' }, { n: 0, s: 'regular', tags: ['a'] }, { n: 31, s: 'new', user: { id: 2 } },
  { n: null, s: null }, { n: '40', s: 'VIP' }];
write('logical.json', cross([
  {}, { $or: [] }, { $and: [] }, { $nor: [] }, { $or: [{ n: { $gt: 30 } }, { s: 'vip' }] },
  { $and: [{ n: { $gte: 0 } }, { s: { $in: ['vip', 'regular'] } }] }, { $nor: [{ n: 5 }, { s: 'new' }] },
  { $not: { n: { $gt: 10 } } }, { $not: {} }, { n: { $exists: true }, $or: [{ s: 'vip' }, { 'user.id': 2 }] },
  { $and: [{ $or: [{ n: 0 }, { n: 5 }] }, { $not: { s: 'regular' } }] }, { $or: [{ $and: [] }] },
], people));

write('groups.json', cross([
  { n: { $inGroup: 'g_list' } }, { n: { $notInGroup: 'g_list' } }, { s: { $inGroup: 'g_list' } }, { n: { $inGroup: 'nope' } },
  { n: { $notInGroup: 'nope' } }, { n: { $inGroup: 'g_bad' } }, { n: { $notInGroup: 'g_bad' } }, { n: { $notInGroup: 'g_null' } },
  { n: { $inGroup: 'g_v2' } }, { n: { $notInGroup: 'g_empty' } }, { $savedGroup: { id: 'g_v2' } },
  { $savedGroup: { id: 'g_v2_s' } }, { $savedGroup: { id: 'g_v2', attributeKey: 's' } }, { $savedGroup: { id: 'g_cond' } },
  { $savedGroup: { id: 'g_loop' } }, { $savedGroup: { id: 'g_list' } }, { $savedGroup: { id: 'nope' } },
  { tags: { $inGroup: 'g_list' } }, { n: { $inGroup: 'toString' } }, { n: { $notInGroup: 'toString' } },
], people.concat([{ n: 1, s: 'abc' }, { n: 42, tags: ['x', 'vip'] }, { n: 2 }]), savedGroups()));

// Invalid conditions: the path of the first error the compiler reports.
write('invalid.json', [
  ['not an object', [], ''],
  ['unknown operator', { x: { $foo: 1 } }, '/x/$foo'],
  ['unknown top-level operator', { $foo: 1 }, '/$foo'],
  ['$in not an array', { x: { $in: 'a' } }, '/x/$in'],
  ['$nin not an array', { x: { $nin: 1 } }, '/x/$nin'],
  ['$ini not an array', { x: { $ini: {} } }, '/x/$ini'],
  ['$in with an object element', { x: { $in: ['a', { b: 1 }] } }, '/x/$in/1'],
  ['$all not an array', { x: { $all: 'a' } }, '/x/$all'],
  ['$size a string', { x: { $size: '2' } }, '/x/$size'],
  ['$size a literal object', { x: { $size: { a: 1 } } }, '/x/$size'],
  ['$regex a number', { x: { $regex: 5 } }, '/x/$regex'],
  ['$regex invalid', { x: { $regex: '(' } }, '/x/$regex'],
  ['$regex lookahead', { x: { $regex: 'a(?=b)' } }, '/x/$regex'],
  ['$regex lookbehind', { x: { $regex: '(?<=a)b' } }, '/x/$regex'],
  ['$regex backreference', { x: { $regex: '(a)\\1' } }, '/x/$regex'],
  ['$regex named group', { x: { $regex: '(?<n>a)' } }, '/x/$regex'],
  ['$regex unicode property', { x: { $regex: '\\p{L}' } }, '/x/$regex'],
  ['$regex inline flags', { x: { $regex: '(?i)a' } }, '/x/$regex'],
  ['$regex nothing to repeat', { x: { $regex: '*a' } }, '/x/$regex'],
  ['$regex range out of order', { x: { $regex: '[z-a]' } }, '/x/$regex'],
  ['$regexi unterminated class', { x: { $regexi: '[abc' } }, '/x/$regexi'],
  ['$regex huge repeat', { x: { $regex: 'a{5000}' } }, '/x/$regex'],
  ['$or not an array', { $or: { a: 1 } }, '/$or'],
  ['$and element not an object', { $and: [{ a: 1 }, 3] }, '/$and/1'],
  ['$nor element an array', { $nor: [[]] }, '/$nor/0'],
  ['$not not an object', { $not: 5 }, '/$not'],
  ['$exists not a boolean', { x: { $exists: 1 } }, '/x/$exists'],
  ['$type unknown', { x: { $type: 'integer' } }, '/x/$type'],
  ['$type undefined', { x: { $type: 'undefined' } }, '/x/$type'],
  ['$eq an array', { x: { $eq: [1] } }, '/x/$eq'],
  ['$ne an object', { x: { $ne: {} } }, '/x/$ne'],
  ['$gt an array', { x: { $gt: [1] } }, '/x/$gt'],
  ['$lt a boolean', { x: { $lt: true } }, '/x/$lt'],
  ['$veq an object', { x: { $veq: {} } }, '/x/$veq'],
  ['$inGroup a number', { x: { $inGroup: 1 } }, '/x/$inGroup'],
  ['$elemMatch an array', { x: { $elemMatch: [] } }, '/x/$elemMatch'],
  ['$elemMatch inner unknown operator', { x: { $elemMatch: { $bad: 1 } } }, '/x/$elemMatch/$bad'],
  ['mixed operators and keys', { x: { $gt: 1, y: 2 } }, '/x'],
  ['nested error path', { $and: [{ $or: [{ 'page.path': { $regex: '(?=x)' } }] }] }, '/$and/0/$or/0/page.path/$regex'],
  ['path escaping in pointer', { 'a/b': { $in: 1 } }, '/a~1b/$in'],
  ['prototype name in path', { 'user.constructor': 1 }, '/user.constructor'],
  ['$savedGroup without id', { $savedGroup: {} }, '/$savedGroup'],
  ['$savedGroup id a number', { $savedGroup: { id: 1 } }, '/$savedGroup/id'],
  ['$not operand invalid', { x: { $not: { $in: 2 } } }, '/x/$not/$in'],
  ['$all element invalid', { x: { $all: [{ $regex: '[' }] } }, '/x/$all/0/$regex'],
  ['$size inner invalid', { x: { $size: { $gt: [] } } }, '/x/$size/$gt'],
  ['$regex octal escape', { x: { $regex: '\\01' } }, '/x/$regex'],
  ['$regex unknown letter escape', { x: { $regex: '\\q' } }, '/x/$regex'],
].map(([name, condition, path]) => ({ name, condition, error: { path } })));

write('differential.json', differentialCases(evalCondition, 20261123, 3000));
