// What the collector promises when things go wrong: kill -9 loses no
// acknowledged event, SIGTERM finishes what is in flight, a read-only
// database answers 503 and readyz says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { startCollector, request, postEvents, makeEvent, exportRows, tempDir } from './collector_support.mjs';

// Posts batches from `clients` concurrent loops until `stop()` is true;
// records every id the collector acknowledged with a 200.
function load(port, clients, stop) {
  const acknowledged = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const loops = Array.from({ length: clients }, async () => {
    while (!stop()) {
      const events = Array.from({ length: 5 }, () => makeEvent());
      try {
        const res = await postEvents(port, events, { agent });
        if (res.status === 200) acknowledged.push(...events.map((e) => e.id));
      } catch {
        return;  // the connection died with the process
      }
    }
  });
  return Promise.all(loops).then(() => { agent.destroy(); return acknowledged; });
}

test('collector: kill -9 under load loses no acknowledged event', async () => {
  const dir = tempDir();
  const c = await startCollector({ dir, args: ['--rate-limit', '0'] });
  try {
    let killed = false;
    const running = load(c.port, 8, () => killed);
    await new Promise((r) => setTimeout(r, 1500));
    c.proc.kill('SIGKILL');
    killed = true;
    const acknowledged = await running;
    const { signal } = await c.exited;
    assert.equal(signal, 'SIGKILL');
    assert.ok(acknowledged.length > 100, `load acknowledged ${acknowledged.length} events`);

    // Restart on the same file (recovers the write-ahead log), then count.
    const again = await startCollector({ dir, db: c.db, args: ['--rate-limit', '0'] });
    const ready = await request(again.port, { path: '/readyz' });
    assert.equal(ready.status, 200);
    await again.stop();
    const stored = new Set(exportRows(c.db).map((r) => r.id));
    const lost = acknowledged.filter((id) => !stored.has(id));
    assert.equal(lost.length, 0, `${lost.length} of ${acknowledged.length} acknowledged events lost`);
  } finally {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('collector: SIGTERM finishes requests in flight, commits, exits 0', async () => {
  const dir = tempDir();
  const c = await startCollector({ dir, args: ['--rate-limit', '0'] });
  try {
    // An idle kept-alive connection must not hold the shutdown.
    const idle = new http.Agent({ keepAlive: true });
    assert.equal((await request(c.port, { path: '/healthz', agent: idle })).status, 200);

    let stopped = false;
    const running = load(c.port, 6, () => stopped);
    await new Promise((r) => setTimeout(r, 500));
    c.proc.kill('SIGTERM');
    stopped = true;
    const acknowledged = await running;
    const { code } = await c.exited;
    idle.destroy();
    assert.equal(code, 0);
    assert.match(c.logs(), /"msg":"stopped"/);
    const stored = new Set(exportRows(c.db).map((r) => r.id));
    assert.ok(acknowledged.length > 0);
    assert.equal(acknowledged.filter((id) => !stored.has(id)).length, 0);
  } finally {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('collector: a read-only database answers 503 with Retry-After, readyz says why, the process lives', async () => {
  const dir = tempDir();
  const db = path.join(dir, 'ro.db');
  // Create the database, then reopen it read-only (chmod does not stop root).
  const first = await startCollector({ dir, db, args: ['--rate-limit', '0'] });
  assert.equal((await postEvents(first.port, [makeEvent()])).status, 200);
  await first.stop();
  const c = await startCollector({ dir, db: `file:${db}?mode=ro`, args: ['--rate-limit', '0'] });
  try {
    const res = await postEvents(c.port, [makeEvent()]);
    assert.equal(res.status, 503);
    assert.ok(Number(res.headers['retry-after']) >= 1);
    assert.match(res.json.error, /read-only/);
    const ready = await request(c.port, { path: '/readyz' });
    assert.equal(ready.status, 503);
    assert.match(ready.json.reason, /read-only/);
    assert.equal((await request(c.port, { path: '/healthz' })).status, 200, 'alive');
    const again = await postEvents(c.port, [makeEvent()]);
    assert.equal(again.status, 503, 'still answering');
    assert.equal(c.proc.exitCode, null);
  } finally {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('collector: a slow client is cut off by the read timeout', async () => {
  const c = await startCollector({ args: ['--read-timeout', '1'] });
  try {
    const net = await import('node:net');
    const socket = net.connect(c.port, '127.0.0.1');
    await new Promise((r) => socket.on('connect', r));
    socket.write('POST /v1/events HTTP/1.1\r\nHost: x\r\n');  // and never finishes
    const closed = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000);
      socket.on('close', () => { clearTimeout(timer); resolve(true); });
      socket.on('error', () => {});
    });
    assert.ok(closed, 'the collector closed the slow connection');
    assert.equal((await request(c.port, { path: '/healthz' })).status, 200);
  } finally {
    await c.cleanup();
  }
});
