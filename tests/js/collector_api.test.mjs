// The collector's HTTP API against the real binary: events, errors, cookie,
// CORS, rate limit, configuration, opt-ins, metrics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startCollector, request, postEvents, makeEvent, exportRows, tempDir } from './collector_support.mjs';

const ORIGIN = 'https://shop.example';
let c;

before(async () => {
  c = await startCollector({ args: ['--rate-limit', '0', '--allowed-origin', ORIGIN] });
});
after(async () => { await c.cleanup(); });

test('collector: valid events are stored with the server fields, invalid ones rejected with paths', async () => {
  const good = makeEvent({ anonymous_id: 'anon-partial', context: { page: { url: 'https://shop.example/p/1' } } });
  const bad = { id: 'bad-1', type: 'not_a_type', ts: 5, anonymous_id: 'x' };
  const res = await postEvents(c.port, [good, bad], {
    headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148' },
  });
  assert.equal(res.status, 200);
  assert.equal(res.json.accepted, 1);
  assert.equal(res.json.duplicates, 0);
  assert.equal(res.json.rejected.length, 1);
  assert.equal(res.json.rejected[0].index, 1);
  assert.equal(res.json.rejected[0].id, 'bad-1');
  const paths = res.json.rejected[0].errors.map((e) => e.path);
  assert.ok(paths.includes('/type'), JSON.stringify(res.json));
  assert.ok(paths.includes('/ts'), JSON.stringify(res.json));

  const rows = exportRows(c.db);
  const stored = rows.find((r) => r.id === good.id);
  assert.ok(stored, 'the valid event is stored');
  assert.ok(!rows.some((r) => r.id === 'bad-1'), 'the invalid event is not stored');
  assert.equal(stored.type, 'page_view');
  assert.equal(stored.context.page.url, 'https://shop.example/p/1');
  assert.equal(typeof stored.received_at, 'number');
  assert.equal(stored.server.ip, '127.0.0.0', 'IPv4 truncated to /24');
  assert.equal(stored.server.device, 'mobile');
  assert.equal(stored.server.bot, false);
  const cookie = /rl_id=([0-9a-f]{32})/.exec(res.headers['set-cookie'][0])[1];
  assert.equal(stored.server.rl_id, cookie);
});

test('collector: a retried batch is acknowledged as duplicates and stored once', async () => {
  const events = [makeEvent(), makeEvent()];
  const first = await postEvents(c.port, events);
  assert.deepEqual([first.json.accepted, first.json.duplicates], [2, 0]);
  const again = await postEvents(c.port, events);
  assert.equal(again.status, 200);
  assert.deepEqual([again.json.accepted, again.json.duplicates], [0, 2]);
  const inBatch = makeEvent();
  const twice = await postEvents(c.port, [inBatch, inBatch]);
  assert.deepEqual([twice.json.accepted, twice.json.duplicates], [1, 1]);
  const rows = exportRows(c.db).filter((r) => [events[0].id, events[1].id, inBatch.id].includes(r.id));
  assert.equal(rows.length, 3);
});

test('collector: rl_id cookie attributes, reuse of a known id', async () => {
  const res = await postEvents(c.port, [makeEvent()]);
  const cookie = res.headers['set-cookie'][0];
  assert.match(cookie, /^rl_id=[0-9a-f]{32}; /);
  assert.match(cookie, /; HttpOnly/);
  assert.match(cookie, /; SameSite=Lax/);
  assert.match(cookie, /; Path=\//);
  const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)[1]);
  assert.ok(maxAge > 0 && maxAge <= 395 * 24 * 3600, `Max-Age ${maxAge} is at most 13 months`);
  assert.doesNotMatch(cookie, /Secure/, 'plain HTTP without --secure-cookie');
  const id = /rl_id=([0-9a-f]{32})/.exec(cookie)[1];
  const again = await postEvents(c.port, [makeEvent()], { headers: { cookie: `other=1; rl_id=${id}` } });
  assert.match(again.headers['set-cookie'][0], new RegExp(`^rl_id=${id};`), 'a known visitor keeps the id');
});

test('collector: text/plain bodies (sendBeacon) are accepted', async () => {
  const event = makeEvent();
  const res = await request(c.port, {
    method: 'POST', path: '/v1/events', headers: { 'content-type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify({ events: [event] }),
  });
  assert.equal(res.status, 200);
  assert.equal(res.json.accepted, 1);
});

test('collector: every error status', async () => {
  const malformed = await request(c.port, {
    method: 'POST', path: '/v1/events', headers: { 'content-type': 'application/json' }, body: '{"events": [1,}',
  });
  assert.equal(malformed.status, 400);
  assert.equal(malformed.json.error, 'malformed JSON');
  assert.equal(typeof malformed.json.offset, 'number');
  assert.ok(malformed.json.offset >= 12 && malformed.json.offset <= 15, `offset ${malformed.json.offset}`);
  const malformedOptin = await request(c.port, {
    method: 'POST', path: '/v1/optin', headers: { 'content-type': 'application/json' }, body: '{"id": "o-1",',
  });
  assert.equal(malformedOptin.status, 400);
  assert.equal(malformedOptin.json.error, 'malformed JSON');
  assert.equal(typeof malformedOptin.json.offset, 'number');

  const notArray = await request(c.port, {
    method: 'POST', path: '/v1/events', headers: { 'content-type': 'application/json' }, body: '{"events": {}}',
  });
  assert.equal(notArray.status, 400);
  assert.equal(notArray.json.errors[0].path, '/events');

  const tooMany = await postEvents(c.port, Array.from({ length: 501 }, () => makeEvent()));
  assert.equal(tooMany.status, 413);
  assert.match(tooMany.json.error, /too many events/);

  const big = await request(c.port, {
    method: 'POST', path: '/v1/events', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ events: [makeEvent({ properties: { pad: 'x'.repeat(1024 * 1024) } })] }),
  }).catch((e) => ({ status: 'closed', error: e }));
  assert.equal(big.status, 413);

  const get = await request(c.port, { method: 'GET', path: '/v1/events' });
  assert.equal(get.status, 405);
  assert.match(get.headers.allow, /POST/);

  const png = await request(c.port, {
    method: 'POST', path: '/v1/events', headers: { 'content-type': 'image/png' }, body: '{"events":[]}',
  });
  assert.equal(png.status, 415);
  const none = await request(c.port, { method: 'POST', path: '/v1/events', body: '{"events":[]}' });
  assert.equal(none.status, 415);

  const unknown = await request(c.port, { path: '/v1/nothing' });
  assert.equal(unknown.status, 404);
  const putConfig = await request(c.port, { method: 'PUT', path: '/v1/config', body: '{}' });
  assert.equal(putConfig.status, 405);
});

// Sends `pieces` on one connection, pausing between them, and reads until
// `answers` complete HTTP answers (with Content-Length bodies) came back.
function rawExchange(port, pieces, answers) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`timed out; got: ${text}`)); }, 5000);
    const complete = () => {
      const found = [];
      let rest = text;
      while (rest.includes('\r\n\r\n')) {
        const end = rest.indexOf('\r\n\r\n');
        const head = rest.slice(0, end);
        const length = Number((/content-length: *(\d+)/i.exec(head) || [0, 0])[1]);
        if (rest.length < end + 4 + length) break;
        const status = Number(head.split(' ')[1]);
        if (status !== 100) found.push({ status, head, body: rest.slice(end + 4, end + 4 + length) });
        rest = rest.slice(end + 4 + length);
      }
      return found;
    };
    socket.on('data', (chunk) => {
      text += chunk;
      const found = complete();
      if (found.length >= answers) { clearTimeout(timer); socket.destroy(); resolve({ answers: found, text }); }
    });
    socket.on('error', (e) => { clearTimeout(timer); reject(e); });
    (async () => {
      for (const piece of pieces) {
        socket.write(piece);
        await new Promise((r) => setTimeout(r, 30));
      }
    })();
  });
}

test('collector: bodies in pieces, chunked, after 100-continue, and pipelined requests are all read', async () => {
  const events = Array.from({ length: 4 }, () => makeEvent());
  const body = (e) => JSON.stringify({ events: [e] });
  const head = (length, extra = '') =>
    `POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${extra}Content-Length: ${length}\r\n\r\n`;

  // The header alone first, then the body in two parts.
  const split = body(events[0]);
  const inPieces = await rawExchange(c.port, [head(split.length), split.slice(0, 20), split.slice(20)], 1);
  assert.equal(inPieces.answers[0].status, 200, inPieces.text);
  assert.equal(JSON.parse(inPieces.answers[0].body).accepted, 1);

  // Chunked transfer encoding, the last chunk sent later.
  const chunked = body(events[1]);
  const chunk = (t) => `${Buffer.byteLength(t).toString(16)}\r\n${t}\r\n`;
  const chunkedHead = 'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
  const inChunks = await rawExchange(c.port, [chunkedHead + chunk(chunked.slice(0, 30)), chunk(chunked.slice(30)) + '0\r\n\r\n'], 1);
  assert.equal(inChunks.answers[0].status, 200, inChunks.text);
  assert.equal(JSON.parse(inChunks.answers[0].body).accepted, 1);

  // Expect: 100-continue: the body follows the interim answer.
  const expected = body(events[2]);
  const continued = await rawExchange(c.port, [head(expected.length, 'Expect: 100-continue\r\n'), expected], 1);
  assert.match(continued.text, /^HTTP\/1\.1 100 Continue\r\n/);
  assert.equal(continued.answers[0].status, 200, continued.text);

  // Two requests in one write: the second starts in the same buffer as the first's body.
  const last = body(events[3]);
  const pipelined = await rawExchange(c.port, [head(last.length) + last + head(2) + '{}'], 2);
  assert.equal(pipelined.answers[0].status, 200, pipelined.text);
  assert.equal(JSON.parse(pipelined.answers[0].body).accepted, 1);
  assert.equal(pipelined.answers[1].status, 400, pipelined.text);  // {} has no events: answered, not mixed up

  const stored = new Set(exportRows(c.db).map((r) => r.id));
  for (const e of events) assert.ok(stored.has(e.id), `event ${e.id} stored`);
});

test('collector: consent refused events are rejected with a reason', async () => {
  const refused = makeEvent({ consent: { analytics: false, marketing: false } });
  const res = await postEvents(c.port, [refused, makeEvent({ consent: { analytics: true, marketing: false } })]);
  assert.equal(res.status, 200);
  assert.equal(res.json.accepted, 1);
  assert.equal(res.json.rejected.length, 1);
  assert.equal(res.json.rejected[0].errors[0].path, '/consent/analytics');
  assert.match(res.json.rejected[0].errors[0].message, /consent/);
  assert.ok(!exportRows(c.db).some((r) => r.id === refused.id));
});

test('collector: known bots are flagged, never refused by default', async () => {
  const event = makeEvent();
  const res = await postEvents(c.port, [event], {
    headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36' },
  });
  assert.equal(res.status, 200);
  assert.equal(res.json.accepted, 1);
  assert.equal(res.json.bot, true);
  const stored = exportRows(c.db).find((r) => r.id === event.id);
  assert.equal(stored.server.bot, true);
  assert.equal(stored.server.device, 'bot');
});

test('collector: CORS only for allowed origins, preflight answered', async () => {
  const pre = await request(c.port, {
    method: 'OPTIONS', path: '/v1/events',
    headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers['access-control-allow-origin'], ORIGIN);
  assert.equal(pre.headers['access-control-allow-credentials'], 'true');
  assert.match(pre.headers['access-control-allow-methods'], /POST/);
  assert.match(pre.headers['access-control-allow-headers'], /Content-Type/i);

  const ok = await postEvents(c.port, [makeEvent()], { headers: { origin: ORIGIN } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['access-control-allow-origin'], ORIGIN);
  assert.equal(ok.headers['access-control-allow-credentials'], 'true');

  const evilPre = await request(c.port, {
    method: 'OPTIONS', path: '/v1/events', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
  });
  assert.equal(evilPre.status, 403);
  assert.equal(evilPre.headers['access-control-allow-origin'], undefined);
  const evil = makeEvent();
  const evilPost = await postEvents(c.port, [evil], { headers: { origin: 'https://evil.example' } });
  assert.equal(evilPost.status, 403);
  assert.equal(evilPost.headers['access-control-allow-origin'], undefined);
  assert.ok(!exportRows(c.db).some((r) => r.id === evil.id));

  const same = await postEvents(c.port, [makeEvent()], { headers: { origin: c.base } });
  assert.equal(same.status, 200, 'the collector\'s own origin is allowed');
});

test('collector: GET /v1/config with ETag, 304 and Cache-Control', async () => {
  const first = await request(c.port, { path: '/v1/config' });
  assert.equal(first.status, 200);
  assert.equal(first.json.version, 1);
  assert.equal(first.json.site.id, 'default', 'without --config a plain site the tag can start with');
  assert.ok(first.headers.etag);
  assert.match(first.headers['cache-control'], /max-age=\d+/);
  const again = await request(c.port, { path: '/v1/config', headers: { 'if-none-match': first.headers.etag } });
  assert.equal(again.status, 304);
  assert.equal(again.body, '');
  const stale = await request(c.port, { path: '/v1/config', headers: { 'if-none-match': '"other"' } });
  assert.equal(stale.status, 200);
});

test('collector: health, readiness and Prometheus metrics', async () => {
  assert.equal((await request(c.port, { path: '/healthz' })).status, 200);
  const ready = await request(c.port, { path: '/readyz' });
  assert.equal(ready.status, 200);
  assert.equal(ready.json.status, 'ready');
  await postEvents(c.port, [makeEvent()]);
  const metrics = await request(c.port, { path: '/metrics' });
  assert.equal(metrics.status, 200);
  assert.match(metrics.headers['content-type'], /^text\/plain/);
  const accepted = Number(/relance_events_total\{outcome="accepted"\} (\d+)/.exec(metrics.body)[1]);
  assert.ok(accepted >= 1);
  assert.match(metrics.body, /relance_http_requests_total\{route="events",status="200"\} [1-9]/);
  assert.match(metrics.body, /relance_store_commit_seconds_bucket\{le="\+Inf"\} [1-9]/);
  assert.match(metrics.body, /relance_store_queue_rows \d+/);
  assert.match(metrics.body, /^relance_store_checkpoints_total \d+$/m);
  assert.match(metrics.body, /^relance_store_wal_restart_pause_seconds_count \d+$/m);
  assert.match(metrics.body, /^relance_store_wal_uncopied_frames \d+$/m);
  assert.match(metrics.body, /^relance_store_wal_frames \d+$/m);
});

test('collector: export filters by --type and --since', async () => {
  const before = Date.now();
  const buy = makeEvent({ type: 'custom.export_probe' });
  await postEvents(c.port, [buy, makeEvent()]);
  const typed = exportRows(c.db, ['--type', 'custom.export_probe']);
  assert.deepEqual(typed.map((r) => r.id), [buy.id]);
  const future = exportRows(c.db, ['--since', String(Date.now() + 60000)]);
  assert.equal(future.length, 0);
  const recent = exportRows(c.db, ['--since', String(before - 1)]);
  assert.ok(recent.some((r) => r.id === buy.id));
  assert.ok(recent.every((r) => r.received_at >= before - 1));
});

test('collector: opt-ins are stored once per id, contact never logged', async () => {
  const body = {
    id: `optin-${Date.now()}`, ts: Date.now(), anonymous_id: 'anon-optin', user_id: null,
    offer_id: 'welcome', variant: 'a', email: 'ana.secret@example.com', phone: '+33612345678', first_name: 'Ana',
    consent: { text: 'I agree to receive offers', checked: true, ts: Date.now(), page: 'https://shop.example/' },
  };
  const post = (b) => request(c.port, {
    method: 'POST', path: '/v1/optin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b),
  });
  const first = await post(body);
  assert.equal(first.status, 200, first.body);
  assert.deepEqual([first.json.ok, first.json.duplicate], [true, false]);
  const again = await post(body);
  assert.deepEqual([again.json.ok, again.json.duplicate], [true, true]);
  const rows = exportRows(c.db, ['--optins']).filter((r) => r.id === body.id);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].email, body.email);
  assert.equal(rows[0].consent.text, body.consent.text);
  const invalid = await post([1, 2]);
  assert.equal(invalid.status, 400);
  assert.ok(Array.isArray(invalid.json.errors));
  assert.ok(!c.logs().includes('ana.secret'), 'the e-mail is not in the logs');
});

test('collector: rate limit per client answers 429 with Retry-After', async () => {
  const limited = await startCollector({ args: ['--rate-limit', '1', '--rate-burst', '2'] });
  try {
    const statuses = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await postEvents(limited.port, [makeEvent()]);
      statuses.push(last.status);
    }
    assert.deepEqual(statuses.slice(0, 2), [200, 200]);
    assert.ok(statuses.slice(2).includes(429), statuses.join(','));
    const refused = statuses[3] === 429 ? last : undefined;
    if (refused) assert.ok(Number(refused.headers['retry-after']) >= 1);
    assert.equal((await request(limited.port, { path: '/healthz' })).status, 200, 'health is not limited');
  } finally {
    await limited.cleanup();
  }
});

test('collector: site configuration: exempt measurement and dropped bots', async (t) => {
  const dir = tempDir();
  const config = path.join(dir, 'site.json');
  writeFileSync(config, JSON.stringify({
    version: 1, site: { id: 'test-shop', name: 'Test', currency: 'EUR', allowed_origins: ['https://conf.example'] },
    consent: { exempt_measurement: true }, bots: { drop: true },
  }));
  const s = await startCollector({ dir, args: ['--config', config, '--rate-limit', '0'] });
  try {
    const served = (await request(s.port, { path: '/v1/config' })).json;
    if (!served.consent) {
      t.skip('compileSiteConfig does not read consent/bots yet (src/core/site_config.cc is a stub)');
      return;
    }
    const refused = makeEvent({ consent: { analytics: false, marketing: false } });
    const res = await postEvents(s.port, [refused], { headers: { origin: 'https://conf.example' } });
    assert.equal(res.status, 200);
    assert.equal(res.json.accepted, 1, 'exempt measurement keeps analytics:false events');
    assert.equal(res.headers['access-control-allow-origin'], 'https://conf.example', 'origins from the config');
    const bot = await postEvents(s.port, [makeEvent()], { headers: { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' } });
    assert.equal(bot.status, 200);
    assert.equal(bot.json.accepted, 0);
    assert.equal(bot.json.dropped_bots, 1, 'the answer says the bot events were dropped');
  } finally {
    await s.cleanup();
  }
});

test('collector: check-config prints errors and exits 1, ok exits 0', async () => {
  const { spawnSync } = await import('node:child_process');
  const { BIN } = await import('./collector_support.mjs');
  const dir = tempDir();
  const run = (name, text) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return spawnSync(BIN, ['check-config', file], { encoding: 'utf8' });
  };
  const good = run('good.json', JSON.stringify({ version: 1, site: { id: 'demo', allowed_origins: ['https://shop.example'] } }));
  assert.equal(good.status, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /ok/);
  const malformed = run('bad.json', '{"version": 1,,}');
  assert.equal(malformed.status, 1);
  assert.match(malformed.stdout, /byte \d+/);
  const wrong = run('wrong.json', '[1, 2]');
  assert.equal(wrong.status, 1);
  assert.match(wrong.stdout, /^\/.*: /m, 'each error with its JSON path');
  const missing = spawnSync(BIN, ['check-config', path.join(dir, 'nope.json')], { encoding: 'utf8' });
  assert.equal(missing.status, 1);
});

test('collector: behind a trusted proxy: forwarded address truncated, Secure cookie over HTTPS', async () => {
  const s = await startCollector({ args: ['--trust-proxy', '--rate-limit', '0'] });
  try {
    const event = makeEvent();
    const res = await postEvents(s.port, [event], {
      headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.77', 'x-forwarded-proto': 'https' },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers['set-cookie'][0], /; Secure/);
    const stored = exportRows(s.db).find((r) => r.id === event.id);
    assert.equal(stored.server.ip, '203.0.113.0');
    const v6 = makeEvent();
    await postEvents(s.port, [v6], { headers: { 'x-forwarded-for': '2001:db8:abcd:12:34::1' } });
    assert.equal(exportRows(s.db).find((r) => r.id === v6.id).server.ip, '2001:db8:abcd::');
    assert.doesNotMatch(s.logs(), /203\.0\.113\.77|2001:db8:abcd:12/, 'no address in the logs');
  } finally {
    await s.cleanup();
  }
  const plain = await startCollector({ args: ['--secure-cookie'] });
  try {
    const res = await postEvents(plain.port, [makeEvent()]);
    assert.match(res.headers['set-cookie'][0], /; Secure/);
  } finally {
    await plain.cleanup();
  }
});
