// The tag's UI port (web/src/tag_ui.ts): the offer dialog lives in a chunk
// fetched the first time an offer is about to show; offer calls wait for it
// and keep their order; a failed load is retried by the next offer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importWeb } from './web_support.mjs';

const { tagUi } = await importWeb('tag_ui');

function fakeChunk() {
  const calls = [];
  const ui = {
    renderOffer: (model) => calls.push(['render', model.offer_id]),
    hideOffer: (id) => calls.push(['hide', id]),
    showOfferResult: (r) => calls.push(['result', r.ok]),
  };
  return { ui, calls };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

test('nothing is loaded until an offer shows; then once, and the calls run in order', async () => {
  const { ui, calls } = fakeChunk();
  let loads = 0;
  let release;
  const port = tagUi(() => { loads += 1; return new Promise((r) => { release = () => r(ui); }); });
  port.hideOffer('welcome');
  port.showOfferResult({ ok: true });
  assert.equal(loads, 0, 'hiding or answering when no offer was ever shown loads nothing');
  assert.equal(typeof port.applyPersonalizations, 'function', 'personalizations are in the tag itself');
  port.renderOffer({ offer_id: 'welcome' }, {});
  port.showOfferResult({ ok: false });
  port.hideOffer('welcome');
  assert.equal(loads, 1);
  assert.deepEqual(calls, [], 'waiting for the chunk');
  release();
  await tick();
  assert.deepEqual(calls, [['render', 'welcome'], ['result', false], ['hide', 'welcome']]);
  port.renderOffer({ offer_id: 'second' }, {});
  await tick();
  assert.equal(loads, 1, 'loaded once');
  assert.deepEqual(calls.at(-1), ['render', 'second']);
});

test('a chunk that fails to load is reported, and the next offer tries again', async () => {
  const { ui, calls } = fakeChunk();
  const logged = [];
  let loads = 0;
  const port = tagUi(() => (++loads === 1 ? Promise.reject(new Error('offline')) : Promise.resolve(ui)), (...a) => logged.push(a));
  port.renderOffer({ offer_id: 'welcome' }, {});
  await tick();
  assert.equal(logged.length, 1);
  assert.match(String(logged[0][0]), /offer could not be shown/);
  port.renderOffer({ offer_id: 'welcome' }, {});
  await tick();
  assert.equal(loads, 2);
  assert.deepEqual(calls, [['render', 'welcome']]);
});
