// The real collector forwarding to a webhook receiver (node:http on
// 127.0.0.1): each wanted event arrives once, signed, in order; a receiver
// that was down gets them when it is back; a refused batch is dead-lettered,
// listed and re-sent from the CLI; a collector killed with SIGKILL in the
// middle of deliveries delivers everything after its restart (at least
// once, same ids). Every wait is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, startCollector, request, postEvents, makeEvent, tempDir } from './collector_support.mjs';
import { until } from '../e2e/support/runtime.mjs';

const SECRET = 'whsec_js_test_0123456789abcdef';
process.env.RELANCE_TEST_WEBHOOK_SECRET = SECRET;  // inherited by the collector

// A webhook receiver. `answer(delivery)` returns the status (200 by default);
// `delayMs` holds each answer that long.
async function startReceiver({ port = 0, answer = () => 200, delayMs = 0 } = {}) {
  const deliveries = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const delivery = { headers: req.headers, body, json: JSON.parse(body) };
      const status = answer(delivery);
      delivery.status = status;
      deliveries.push(delivery);
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status >= 400 ? '{"error":"no such list"}' : '{"ok":true}');
      }, delayMs);
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    deliveries,
    port: server.address().port,
    url: `http://127.0.0.1:${server.address().port}/hook`,
    // Ids of events in deliveries answered 2xx, in arrival order.
    acceptedIds: () => deliveries.filter((d) => d.status < 300 && d.json.events).flatMap((d) => d.json.events.map((e) => e.id)),
    // Opt-ins in deliveries answered 2xx, in arrival order.
    acceptedOptins: () => deliveries.filter((d) => d.status < 300 && d.json.optins).flatMap((d) => d.json.optins),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

// Polls `condition` every 25 ms; fails after `ms`.
function destinationsFile(dir, url, extra = {}) {
  const file = path.join(dir, 'destinations.json');
  writeFileSync(file, JSON.stringify({
    destinations: [{
      id: 'crm', url, secret_env: 'RELANCE_TEST_WEBHOOK_SECRET', batch_size: 5,
      timeout_seconds: 5, retry: { min_seconds: 0.1, max_seconds: 0.3 }, ...extra,
    }],
  }));
  return file;
}

function verifySignature(delivery) {
  const header = delivery.headers['relance-signature'];
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header || '');
  assert.ok(match, `signature header: ${header}`);
  const expected = crypto.createHmac('sha256', SECRET).update(`${match[1]}.${delivery.body}`).digest('hex');
  assert.ok(crypto.timingSafeEqual(Buffer.from(match[2]), Buffer.from(expected)), 'the signature matches the body');
  assert.ok(Math.abs(Date.now() / 1000 - Number(match[1])) < 60, 'the timestamp is fresh');
}

function cli(args) {
  return execFileSync(BIN, args, { encoding: 'utf8', timeout: 10000 });
}

const wanted = (overrides = {}) => makeEvent({ type: 'identify', user_id: 'user-1', ...overrides });

test('destinations: each wanted event arrives once, signed, in order', { timeout: 60000 }, async () => {
  const dir = tempDir();
  const receiver = await startReceiver();
  const c = await startCollector({ dir, args: ['--destinations', destinationsFile(dir, receiver.url)] });
  try {
    const expected = [];
    for (let i = 0; i < 4; i += 1) {
      const events = [wanted(), makeEvent({ type: 'page_view' }), wanted(), wanted()];
      expected.push(...events.filter((e) => e.type === 'identify').map((e) => e.id));
      assert.equal((await postEvents(c.port, events)).status, 200);
    }
    await until(() => receiver.acceptedIds().length >= expected.length, 'the deliveries', 20000);
    assert.deepEqual(receiver.acceptedIds(), expected);
    for (const delivery of receiver.deliveries) {
      verifySignature(delivery);
      assert.match(delivery.headers['user-agent'], /^relance-collector\/\d+\.\d+\.\d+$/);
      assert.equal(delivery.headers['content-type'], 'application/json');
      assert.ok(delivery.json.events.length <= 5);
      for (const event of delivery.json.events) assert.equal(event.type, 'identify');  // as stored
    }
    // The receiver has the events before the collector has its answer: the counters follow.
    const delivered = new RegExp(`relance_destination_events_total\\{destination="crm",stream="events",outcome="delivered"\\} ${expected.length}\n`);
    await until(async () => delivered.test((await request(c.port, { path: '/metrics' })).body), 'the counters', 10000);
    assert.match((await request(c.port, { path: '/metrics' })).body, /relance_destination_lag_events\{destination="crm",stream="events"\} 0/);
    // No personal data in the logs: no user id, no event id.
    assert.doesNotMatch(c.logs(), /user-1/);
    assert.doesNotMatch(c.logs(), new RegExp(expected[0]));
  } finally {
    await c.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('destinations: a receiver that is down gets the events once it is up', { timeout: 60000 }, async () => {
  const dir = tempDir();
  const probe = await startReceiver();
  const { port, url } = probe;
  await probe.close();  // nothing listens there now
  const c = await startCollector({ dir, args: ['--destinations', destinationsFile(dir, url)] });
  let receiver;
  try {
    const events = [wanted(), wanted()];
    assert.equal((await postEvents(c.port, events)).status, 200);
    await until(async () => /relance_destination_retries_total\{destination="crm",stream="events"\} [1-9]/
      .test((await request(c.port, { path: '/metrics' })).body), 'a failed attempt', 10000);
    const metrics = (await request(c.port, { path: '/metrics' })).body;
    assert.match(metrics, /relance_destination_lag_events\{destination="crm",stream="events"\} 2/);
    assert.match(metrics, /relance_destination_failing\{destination="crm",stream="events"\} 1/);
    receiver = await startReceiver({ port });
    await until(() => receiver.acceptedIds().length >= 2, 'the delivery after the receiver came back', 10000);
    assert.deepEqual(receiver.acceptedIds(), events.map((e) => e.id));
  } finally {
    await c.stop();
    if (receiver) await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('destinations: an opt-in arrives once, signed, with its contact; "optins": false gets none', { timeout: 60000 }, async () => {
  const dir = tempDir();
  const crm = await startReceiver();
  const analytics = await startReceiver();
  const file = path.join(dir, 'destinations.json');
  const common = { secret_env: 'RELANCE_TEST_WEBHOOK_SECRET', timeout_seconds: 5 };
  writeFileSync(file, JSON.stringify({
    destinations: [
      { id: 'crm', url: crm.url, ...common },
      { id: 'analytics', url: analytics.url, events: ['*'], optins: false, ...common },
    ],
  }));
  const c = await startCollector({ dir, args: ['--destinations', file] });
  try {
    const optin = {
      id: `optin-${Date.now()}`, ts: Date.now(), anonymous_id: 'anon-optin', user_id: null,
      offer_id: 'welcome', variant: 'a', email: 'ana.secret@example.com', phone: '+33612345678', first_name: 'Ana',
      consent: { text: 'I agree to receive offers', checked: true, ts: Date.now(), page: 'https://shop.example/' },
    };
    const post = () => request(c.port, {
      method: 'POST', path: '/v1/optin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(optin),
    });
    assert.equal((await post()).status, 200);
    assert.equal((await post()).json.duplicate, true);  // stored once: forwarded once
    const event = wanted();
    assert.equal((await postEvents(c.port, [event])).status, 200);
    // Stored after the opt-in: once "analytics" has it, its lanes have run past the opt-in.
    await until(() => analytics.acceptedIds().includes(event.id), 'the event at "analytics"', 20000);
    await until(() => crm.acceptedOptins().length >= 1 && crm.acceptedIds().includes(event.id), 'the opt-in at "crm"', 20000);
    await new Promise((r) => setTimeout(r, 300));  // a second copy would have come by now
    const optins = crm.acceptedOptins();
    assert.equal(optins.length, 1);
    assert.equal(optins[0].id, optin.id);
    assert.equal(optins[0].email, optin.email);  // the contact, and its consent proof, as stored
    assert.deepEqual(optins[0].consent, optin.consent);
    assert.equal(typeof optins[0].received_at, 'number');
    for (const delivery of crm.deliveries) verifySignature(delivery);
    assert.deepEqual(analytics.acceptedOptins(), []);
    assert.ok(analytics.deliveries.every((d) => !d.body.includes(optin.email)));
    // The CLI and /metrics show the opt-in stream; the logs never show a contact.
    assert.match(cli(['destinations', '--db', c.db]), /^crm\s+optins\s+\d+\s+0\s+0\s+0\s+ok$/m);
    assert.doesNotMatch(cli(['destinations', '--db', c.db]), /^analytics\s+optins/m);
    await until(async () => /relance_destination_events_total\{destination="crm",stream="optins",outcome="delivered"\} 1\n/
      .test((await request(c.port, { path: '/metrics' })).body), 'the opt-in counter', 10000);
    assert.ok(!c.logs().includes(optin.email) && !c.stderr().includes(optin.email), 'no contact in the logs');
  } finally {
    await c.stop();
    await crm.close();
    await analytics.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('destinations: a refused batch is dead-lettered, listed, and re-sent by the CLI', { timeout: 60000 }, async () => {
  const dir = tempDir();
  let refuse = true;
  const receiver = await startReceiver({ answer: () => (refuse ? 400 : 200) });
  const c = await startCollector({ dir, args: ['--destinations', destinationsFile(dir, receiver.url)] });
  try {
    const events = [wanted(), wanted()];
    assert.equal((await postEvents(c.port, events)).status, 200);
    await until(() => cli(['destinations', 'dead', '--db', c.db]).trim() !== '', 'the dead letters', 10000);
    const letters = cli(['destinations', 'dead', '--db', c.db]).trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(letters.map((l) => l.event_id), events.map((e) => e.id));
    for (const letter of letters) {
      assert.equal(letter.destination, 'crm');
      assert.equal(letter.status, 400);
      assert.equal(letter.attempts, 1);  // refused: not retried
      assert.match(letter.reason, /^HTTP 400: \{"error":"no such list"\}/);
    }
    assert.equal(receiver.deliveries.length, 1);
    assert.match(cli(['destinations', '--db', c.db]), /^crm\s+events\s+\d+\s+0\s+2\s+0\s+ok$/m);

    refuse = false;
    assert.match(cli(['destinations', 'retry', 'crm', '--db', c.db]), /^2 dead letters of crm requeued/);
    await until(() => receiver.acceptedIds().length >= 2, 'the re-sent dead letters', 10000);
    assert.deepEqual(receiver.acceptedIds(), events.map((e) => e.id));
    await until(() => cli(['destinations', 'dead', '--db', c.db]).trim() === '', 'the dead letters to go', 10000);
  } finally {
    await c.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('destinations: SIGKILL in the middle of deliveries loses nothing after a restart', { timeout: 90000 }, async () => {
  const dir = tempDir();
  // Slow answers: the collector is killed while a batch is in flight.
  const receiver = await startReceiver({ delayMs: 150 });
  const file = destinationsFile(dir, receiver.url, { batch_size: 3 });
  const c = await startCollector({ dir, args: ['--destinations', file] });
  let again;
  try {
    const expected = [];
    for (let i = 0; i < 5; i += 1) {
      const events = [wanted(), wanted(), wanted(), wanted()];
      expected.push(...events.map((e) => e.id));
      assert.equal((await postEvents(c.port, events)).status, 200);
    }
    await until(() => receiver.deliveries.length >= 2, 'deliveries to start', 10000);
    c.proc.kill('SIGKILL');
    assert.equal((await c.exited).signal, 'SIGKILL');
    const before = receiver.acceptedIds().length;
    assert.ok(before < expected.length, `killed before the end (${before} of ${expected.length} delivered)`);

    again = await startCollector({ dir, db: c.db, args: ['--destinations', file] });
    await until(() => new Set(receiver.acceptedIds()).size >= expected.length, 'every event', 20000);
    const ids = receiver.acceptedIds();
    assert.deepEqual([...new Set(ids)].sort(), [...expected].sort(), 'every event, and only those');
    // In order of first arrival, whatever was sent twice.
    assert.deepEqual([...new Set(ids)], expected);
    for (const delivery of receiver.deliveries) verifySignature(delivery);
  } finally {
    await c.stop();
    if (again) await again.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('destinations: SIGTERM stops at once, even in the middle of a long backoff', { timeout: 30000 }, async () => {
  const dir = tempDir();
  const probe = await startReceiver();
  const { url } = probe;
  await probe.close();  // nothing listens: the first attempt fails, the next is a minute away
  const file = destinationsFile(dir, url, { retry: { min_seconds: 60, max_seconds: 60 } });
  const c = await startCollector({ dir, args: ['--destinations', file] });
  try {
    assert.equal((await postEvents(c.port, [wanted()])).status, 200);
    await until(async () => /relance_destination_retries_total\{destination="crm",stream="events"\} 1/
      .test((await request(c.port, { path: '/metrics' })).body), 'a failed attempt', 10000);
    const started = Date.now();
    c.proc.kill('SIGTERM');
    const { code } = await c.exited;
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 3000, `stopped in ${Date.now() - started} ms`);
    // The failing batch is remembered; the cursor did not move.
    assert.match(cli(['destinations', '--db', c.db]), /^crm\s+events\s+\d+\s+1\s+0\s+0\s+failing: 1 attempts since \d+ \(connecting: /m);
  } finally {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('destinations: a bad file is refused at start with every error\'s path', { timeout: 30000 }, async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, 'destinations.json');
    writeFileSync(file, JSON.stringify({
      destinations: [{ id: 'crm', url: 'http://crm.example/hook', secret_env: 'RELANCE_UNSET_SECRET_X', events: ['nope'] }],
    }));
    await assert.rejects(startCollector({ dir, args: ['--destinations', file] }), (error) => {
      assert.match(error.message, /collector exited 1/);
      assert.match(error.message, /\/destinations\/0\/url: must be https/);
      assert.match(error.message, /\/destinations\/0\/secret_env: the environment variable RELANCE_UNSET_SECRET_X is not set/);
      assert.match(error.message, /\/destinations\/0\/events\/0: unknown event type nope/);
      return true;
    });
    // A missing CA file is said at start, not found out at every delivery's TLS handshake.
    await assert.rejects(startCollector({ dir, args: ['--destinations-ca', path.join(dir, 'missing.pem')] }),
      /--destinations-ca: File does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
