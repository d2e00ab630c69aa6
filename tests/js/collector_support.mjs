// Starts the real collector binary for integration tests and talks raw HTTP
// to it (node:http, so paths like /../ reach the server unnormalised).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.RELANCE_COLLECTOR_BIN || path.join(ROOT, 'build/bin/relance-collector');

export function tempDir() {
  return mkdtempSync(path.join(tmpdir(), 'relance-collector-'));
}

// Starts `serve` on an ephemeral port. Resolves once the first log line (with
// the port) is printed. `db` defaults to a fresh file in a temp folder.
export async function startCollector({ args = [], db, dir } = {}) {
  const folder = dir || tempDir();
  const dbPath = db || path.join(folder, 'events.db');
  const proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--db', dbPath, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector did not start: ${stderr}`)), 10000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      // The "listening" line carries the bound port (a "store not ready"
      // line may come first).
      for (const line of stdout.split('\n').slice(0, -1)) {
        let entry;
        try { entry = JSON.parse(line); } catch { continue; }
        if (entry.msg === 'listening') {
          clearTimeout(timer);
          resolve(entry.port);
          return;
        }
      }
    });
    exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`collector exited ${code}: ${stderr}`)); });
  });
  const collector = {
    proc, port, db: dbPath, dir: folder, exited,
    base: `http://127.0.0.1:${port}`,
    logs: () => stdout,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    async cleanup() {
      await collector.stop();
      if (!dir) rmSync(folder, { recursive: true, force: true });
    },
  };
  return collector;
}

// One HTTP request. Resolves {status, headers, body (string), json}.
export function request(port, { method = 'GET', path: target = '/', headers = {}, body, agent } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: target, headers, agent: agent || false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buffer = Buffer.concat(chunks);
        const text = buffer.toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: text, buffer, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export function postEvents(port, events, { headers = {}, agent } = {}) {
  return request(port, {
    method: 'POST', path: '/v1/events', agent,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ events }),
  });
}

let counter = 0;
// A valid v1 event with a unique id.
export function makeEvent(overrides = {}) {
  counter += 1;
  return {
    id: `t-${process.pid}-${Date.now()}-${counter}`,
    type: 'page_view',
    ts: Date.now(),
    anonymous_id: 'anon-test-1',
    ...overrides,
  };
}

// Runs `export` and returns the parsed lines.
export function exportRows(db, extra = []) {
  const out = execFileSync(BIN, ['export', '--db', db, ...extra], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  return out.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}
