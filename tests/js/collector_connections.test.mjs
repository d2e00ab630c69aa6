// The cap on open connections (serve --max-connections): memory stays bounded
// however many connections clients open, kept-alive idle ones make room for
// new visitors, and nothing is refused while every connection is busy: the
// new one waits for room.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startCollector } from './collector_support.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A raw connection that records what the server sends and whether it closed.
function connect(port) {
  const socket = net.connect(port, '127.0.0.1');
  const state = { socket, received: '', closed: false };
  socket.setEncoding('utf8');
  socket.on('data', (d) => { state.received += d; });
  socket.on('close', () => { state.closed = true; });
  socket.on('error', () => {});
  return new Promise((resolve) => socket.on('connect', () => resolve(state)));
}

async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`not within ${ms} ms: ${what}`);
    await sleep(10);
  }
}

const healthz = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';

test('at the cap, idle kept-alive connections are closed so that a new one is served', async () => {
  const c = await startCollector({ args: ['--max-connections', '4'] });
  try {
    const idle = [];
    for (let i = 0; i < 4; i += 1) {
      const conn = await connect(c.port);
      conn.socket.write(healthz);
      await until(() => conn.received.includes('200 OK'), 2000, `idle connection ${i} answered`);
      idle.push(conn);
    }
    const late = await connect(c.port);
    late.socket.write(healthz);
    await until(() => late.received.includes('200 OK'), 2000, 'the fifth connection answered');
    await until(() => idle.some((conn) => conn.closed), 2000, 'an idle connection closed by the server');
    for (const conn of [...idle, late]) conn.socket.destroy();
  } finally {
    await c.cleanup();
  }
});

test('at the cap with every connection in a request, a new one waits for room, then is served', async () => {
  const c = await startCollector({ args: ['--max-connections', '2', '--rate-limit', '0'] });
  try {
    // Two requests whose bodies are still coming: not idle, not closed.
    const busy = [];
    for (let i = 0; i < 2; i += 1) {
      const conn = await connect(c.port);
      conn.socket.write('POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Connection: close\r\nContent-Length: 13\r\n\r\n{"events":');
      busy.push(conn);
    }
    await sleep(200);
    const late = await connect(c.port);  // the kernel's backlog takes it
    late.socket.write(healthz);
    await sleep(500);
    assert.equal(late.received, '', 'not served while both connections are in a request');
    assert.ok(busy.every((conn) => !conn.closed), 'connections in a request are not closed');
    // One request ends and its connection closes: room for the new one.
    busy[0].socket.write('[]}');
    await until(() => busy[0].received.includes('HTTP/1.1 200'), 2000, 'the first request answered');
    await until(() => late.received.includes('200 OK'), 2000, 'the waiting connection answered');
    for (const conn of [...busy, late]) conn.socket.destroy();
  } finally {
    await c.cleanup();
  }
});
