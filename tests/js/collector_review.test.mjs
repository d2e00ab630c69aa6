// Defects found by the session-7 review of the collector, each shown against
// the real binary: the test failed before its fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, renameSync, copyFileSync } from 'node:fs';
import net from 'node:net';
import { startCollector, request, postEvents, makeEvent, exportRows } from './collector_support.mjs';

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
