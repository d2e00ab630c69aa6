// Defects found by the session-7 review of the collector, each shown against
// the real binary: the test failed before its fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { startCollector, request, tempDir } from './collector_support.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function logLines(c, msg) {
  return c.logs().split('\n').filter((line) => line.includes(`"msg":"${msg}"`)).length;
}

test('collector review: out of descriptors, the acceptor pauses instead of spinning and flooding the log', async () => {
  const c = await startCollector({ args: ['--rate-limit', '0'] });
  try {
    // Few descriptors left: the listener, the database, the log, the loops'
    // own; then a handful of connections exhaust them.
    const pid = String(c.proc.pid);
    const soft = execFileSync('prlimit', ['--pid', pid, '--nofile', '--raw', '--noheadings', '--output', 'SOFT'],
      { encoding: 'utf8' }).trim();
    execFileSync('prlimit', ['--pid', pid, '--nofile=24:']);
    const sockets = [];
    for (let i = 0; i < 30; i += 1) {
      const socket = net.connect(c.port, '127.0.0.1');
      socket.on('error', () => {});
      sockets.push(socket);
    }
    await sleep(1000);
    const failures = logLines(c, 'accept failed');
    // Before the fix: about 140,000 lines in that second (a busy loop).
    assert.ok(failures >= 1, 'the failure is logged');
    assert.ok(failures <= 30, `accept failed ${failures} times in a second`);
    for (const socket of sockets) socket.destroy();
    execFileSync('prlimit', ['--pid', pid, `--nofile=${soft}:`]);
    // Descriptors free again: the waiting connections are served.
    await sleep(300);
    const health = await request(c.port, { path: '/healthz' });
    assert.equal(health.status, 200);
  } finally {
    await c.cleanup();
  }
});

test('collector review: the redirect to a folder stays on this host, whatever slashes the path had', async () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'static', 'assets'), { recursive: true });
  mkdirSync(path.join(dir, 'static', 'a b'));
  writeFileSync(path.join(dir, 'static', 'assets', 'index.html'), 'assets\n');
  const c = await startCollector({ dir, args: ['--static', path.join(dir, 'static')] });
  try {
    // Before the fix: Location //assets/, a redirect to the host "assets".
    for (const target of ['//assets', '/assets', '///assets', '/%2Fassets']) {
      const res = await request(c.port, { path: target });
      assert.equal(res.status, 301, target);
      assert.equal(res.headers.location, '/assets/', target);
    }
    const spaced = await request(c.port, { path: '/a%20b' });
    assert.equal(spaced.headers.location, '/a%20b/');
  } finally {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('collector review: the rate limit holds an IPv6 client to its /64, not to one of its addresses', async () => {
  const c = await startCollector({ args: ['--trust-proxy', '--rate-limit', '1', '--rate-burst', '2'] });
  try {
    const from = (address) => request(c.port, {
      method: 'POST', path: '/v1/events', body: '{"events":[]}',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    });
    const statuses = [];
    for (let i = 1; i <= 4; i += 1) statuses.push((await from(`2001:db8:1:2::${i}`)).status);
    // Before the fix: 200 200 200 200 (a fresh bucket for every address).
    assert.deepEqual(statuses, [200, 200, 429, 429]);
    assert.equal((await from('2001:db8:1:3::1')).status, 200, 'another /64 has its own bucket');
    assert.equal((await from('::ffff:192.0.2.7')).status, 200);
    assert.equal((await from('192.0.2.7')).status, 200);
    assert.equal((await from('192.0.2.7')).status, 429, 'a v4-mapped address shares the IPv4 bucket');
  } finally {
    await c.cleanup();
  }
});

// Sends `bytes` on a new connection and resolves with everything read until
// the server closes it (or 5 s pass). `afterContinue` is sent once a
// "100 Continue" arrives.
function exchange(port, bytes, afterContinue) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes));
    let text = '';
    socket.on('data', (d) => {
      text += d;
      if (afterContinue !== undefined && text.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) {
        socket.write(afterContinue);
        afterContinue = undefined;
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(text));
    socket.setTimeout(5000, () => socket.destroy());
  });
}

test('collector review: a body announced over 1 MiB by its Content-Length is refused with 413, not 400', async () => {
  const c = await startCollector({ args: ['--rate-limit', '0'] });
  try {
    const head = 'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
      + `Content-Length: ${2 * 1024 * 1024}\r\n\r\n`;
    const answer = await exchange(c.port, head + '{"events":['.padEnd(4096, ' '));
    // Before the fix: 400 {"error":"bad request: body limit exceeded"}.
    assert.match(answer, /^HTTP\/1\.1 413 /, answer);
    assert.match(answer, /body larger than 1 MiB/);
    // The same with Expect: 100-continue: refused at once, with no 100 first.
    const expecting = await exchange(c.port, head.replace('\r\n\r\n', '\r\nExpect: 100-continue\r\n\r\n'));
    assert.match(expecting, /^HTTP\/1\.1 413 /, expecting);
  } finally {
    await c.cleanup();
  }
});

// Session 9: refusals looked like CORS failures to a browser (the 413 had no
// CORS header), and a client waiting for "100 Continue" got it, then sent its
// body, for a request refused on its header anyway.
test('collector review: a 413 carries the CORS headers of its origin; a refused Expect gets no 100', async () => {
  const c = await startCollector({ args: ['--rate-limit', '1', '--rate-burst', '1', '--allowed-origin', 'https://shop.example'] });
  try {
    const head = (extra) => 'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
      + `Origin: https://shop.example\r\n${extra}\r\n`;
    const big = await exchange(c.port, head(`Content-Length: ${2 * 1024 * 1024}\r\n`) + '{"events":['.padEnd(4096, ' '));
    assert.match(big, /^HTTP\/1\.1 413 /, big);
    assert.match(big, /\r\nAccess-Control-Allow-Origin: https:\/\/shop\.example\r\n/i, big);
    assert.match(big, /\r\nAccess-Control-Allow-Credentials: true\r\n/i, big);
    assert.match(big, /\r\nVary: Origin\r\n/i, big);
    assert.match(big, /\r\nConnection: close\r\n/i, big);

    // Refused on the header: answered at once, without a 100, and the
    // connection closes (the body is never read). exchange() sends no body.
    const expect = 'Expect: 100-continue\r\nContent-Length: 20\r\n';
    const foreign = await exchange(c.port, head(expect).replace('https://shop.example', 'https://evil.example'));
    assert.match(foreign, /^HTTP\/1\.1 403 /, foreign);
    const xml = await exchange(c.port, head(expect).replace('application/json', 'application/xml'));
    assert.match(xml, /^HTTP\/1\.1 415 /, xml);
    assert.match(xml, /\r\nAccess-Control-Allow-Origin: https:\/\/shop\.example\r\n/i, xml);
    // The one token of the burst goes to this request (its body sent after the 100).
    const body = '{"events":[]}'.padEnd(20, ' ');
    const sent = await exchange(c.port, head('Expect: 100-continue\r\nConnection: close\r\nContent-Length: 20\r\n'), body);
    assert.match(sent, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /, sent);
    const limited = await exchange(c.port, head(expect));
    assert.match(limited, /^HTTP\/1\.1 429 /, limited);
    assert.match(limited, /\r\nRetry-After: 1\r\n/i, limited);
  } finally {
    await c.cleanup();
  }
});

test('collector review: a request header over 16 KiB is refused with 431, not 400', async () => {
  const c = await startCollector({ args: ['--rate-limit', '0'] });
  try {
    const answer = await exchange(c.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(20000)}\r\n\r\n`);
    // Before the fix: 400 {"error":"bad request: header limit exceeded"}.
    assert.match(answer, /^HTTP\/1\.1 431 /, answer);
    assert.match(answer, /request header larger than 16 KiB/);
    // A header under the limit is served as before.
    const fine = await exchange(c.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(8000)}\r\nConnection: close\r\n\r\n`);
    assert.match(fine, /^HTTP\/1\.1 200 /, fine);
  } finally {
    await c.cleanup();
  }
});

// The "listening" log line's url must be a URL one can paste: an IPv6 host
// goes in brackets (it printed http://::1:PORT/).
test('collector review: the listening url brackets an IPv6 host', async (t) => {
  const { spawn } = await import('node:child_process');
  const { BIN } = await import('./collector_support.mjs');
  const dir = tempDir();
  const proc = spawn(BIN, ['serve', '--listen', '[::1]:0', '--db', path.join(dir, 'v6.db')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const entry = await new Promise((resolve) => {
    proc.stdout.on('data', (d) => {
      out += d;
      for (const line of out.split('\n').slice(0, -1)) {
        try { const e = JSON.parse(line); if (e.msg === 'listening') resolve(e); } catch { /* not JSON yet */ }
      }
    });
    proc.on('exit', () => resolve(null));
  });
  proc.kill('SIGTERM');
  if (entry === null) {
    t.skip(`no IPv6 loopback here: ${err}`);
    return;
  }
  assert.equal(entry.host, '::1');
  assert.equal(entry.url, `http://[::1]:${entry.port}/`);
});
