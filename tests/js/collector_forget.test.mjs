// The collector forgets a browser whose visitor withdrew consent: POST
// /v1/forget clears the HttpOnly rl_id cookie (the page cannot), behind the
// same origin check as the other endpoints, storing and logging nothing.
// Events kept without analytics consent (consent-exempt measurement) neither
// set the cookie nor tie the browser's id to it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportRows, makeEvent, postEvents, request, startCollector, tempDir } from './collector_support.mjs';

const RL_ID = '0123456789abcdef0123456789abcdef';

function identities(db) {
  return execFileSync('sqlite3', [db, 'SELECT anonymous_id, rl_id FROM identities ORDER BY anonymous_id'], { encoding: 'utf8' })
    .split('\n').filter(Boolean);
}

function forget(port, headers = {}) {
  return request(port, {
    method: 'POST', path: '/v1/forget', body: '{}',
    headers: { 'content-type': 'text/plain;charset=UTF-8', cookie: `rl_id=${RL_ID}`, ...headers },
  });
}

test('collector: POST /v1/forget clears rl_id with its attributes, refuses foreign origins, stores and logs nothing', async () => {
  const s = await startCollector({ args: ['--allowed-origin', 'https://shop.example', '--rate-limit', '0'] });
  try {
    const events = await postEvents(s.port, [makeEvent({ anonymous_id: 'anon-forget' })], { headers: { cookie: `rl_id=${RL_ID}` } });
    assert.equal(events.status, 200);
    const kept = events.headers['set-cookie'][0];
    assert.equal(kept.split(';')[0], `rl_id=${RL_ID}`);

    const preflight = await request(s.port, {
      method: 'OPTIONS', path: '/v1/forget',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], 'https://shop.example');

    const res = await forget(s.port, { origin: 'https://shop.example' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json, { ok: true });
    const cleared = res.headers['set-cookie'];
    assert.equal(cleared.length, 1);
    assert.equal(cleared[0], 'rl_id=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax');
    const attributes = (c) => c.split('; ').slice(1).filter((a) => !a.startsWith('Max-Age=')).join('; ');
    assert.equal(attributes(cleared[0]), attributes(kept), 'the same attributes as the cookie it clears');
    assert.equal(res.headers['access-control-allow-origin'], 'https://shop.example');
    assert.equal(res.headers['access-control-allow-credentials'], 'true');
    assert.equal(res.headers['cache-control'], 'no-store');

    const behindProxy = await startCollector({ args: ['--secure-cookie', '--rate-limit', '0'] });
    try {
      assert.equal((await forget(behindProxy.port)).headers['set-cookie'][0],
        'rl_id=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure');
    } finally {
      await behindProxy.cleanup();
    }

    const foreign = await forget(s.port, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers['set-cookie'], undefined);
    assert.equal((await request(s.port, { path: '/v1/forget' })).status, 405);

    assert.equal(exportRows(s.db).length, 1, 'only the event: forgetting stores nothing');
    assert.deepEqual(identities(s.db), [`anon-forget|${RL_ID}`]);
    const metrics = (await request(s.port, { path: '/metrics' })).body;
    assert.match(metrics, /relance_http_requests_total\{route="forget",status="200"\} 1/);
    await s.stop();
    const logs = s.logs() + s.stderr();
    assert.ok(!logs.includes(RL_ID.slice(0, 12)), 'no visitor id in the logs');
    assert.ok(!/forget/.test(logs), 'a forget leaves no log line (so no address, no id)');
  } finally {
    await s.cleanup();
  }
});

test('collector: events kept without analytics consent set no cookie and link no identity', async () => {
  const dir = tempDir();
  const config = path.join(dir, 'site.json');
  writeFileSync(config, JSON.stringify({ version: 1, site: { id: 'exempt', name: 'Exempt' }, consent: { exempt_measurement: true } }));
  const s = await startCollector({ dir, args: ['--config', config, '--rate-limit', '0'] });
  try {
    const refused = await postEvents(s.port, [makeEvent({ anonymous_id: 'anon-refused', consent: { analytics: false, marketing: false } })]);
    assert.equal(refused.status, 200);
    assert.equal(refused.json.accepted, 1, 'exempt measurement keeps the event');
    assert.equal(refused.headers['set-cookie'], undefined, 'no cookie for a visitor who refused analytics');
    // The reference path decides the same (an escape in an identifier is
    // left by the fast scan to parseJson + validateEvent).
    const text = JSON.stringify({ events: [makeEvent({ anonymous_id: 'anon-refused', consent: { analytics: false } })] });
    const slow = await request(s.port, {
      method: 'POST', path: '/v1/events', headers: { 'content-type': 'application/json' },
      body: text.replace('"anon-refused"', '"anon\\u002drefused"'),
    });
    assert.equal(slow.json.accepted, 1);
    assert.equal(slow.status, 200);
    assert.equal(slow.headers['set-cookie'], undefined);
    const given = await postEvents(s.port, [makeEvent({ anonymous_id: 'anon-given', consent: { analytics: true } })]);
    assert.match(given.headers['set-cookie'][0], /^rl_id=[0-9a-f]{32};/);
    // The link is written once the browser sends its cookie back (a browser
    // that sends none would leave a useless row with every request).
    const cookie = given.headers['set-cookie'][0].split(';')[0];
    const back = await postEvents(s.port, [makeEvent({ anonymous_id: 'anon-given', consent: { analytics: true } })],
      { headers: { cookie } });
    assert.equal(back.status, 200);
    assert.equal(exportRows(s.db).length, 4);
    assert.deepEqual(identities(s.db).map((row) => row.split('|')[0]), ['anon-given']);
  } finally {
    await s.cleanup();
  }
});
