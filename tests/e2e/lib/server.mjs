// SPDX-License-Identifier: MIT
// Runs the real peerchat server for one test file: a free port on 127.0.0.1, a temporary
// data dir, users made with `peerchat admin create-user` (or none: the first-run setup link),
// its output kept for waitForOutput(), and a small HTTP API client.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ARTIFACTS = path.resolve(here, '../artifacts');
export const SCREENSHOTS = path.resolve(here, '../../../docs/screenshots');

export function binary() {
  const bin = process.env.PEERCHAT_BIN;
  if (!bin) throw new Error('PEERCHAT_BIN is not set: run the tests through tests/e2e/run.sh <peerchat binary>');
  return bin;
}

/** A port that was free a moment ago: bind 127.0.0.1:0, read it, close. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function run(bin, args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(bin)} ${args.join(' ')} → exit ${code}\n${out}`))));
    child.stdin.end(input ?? '');
  });
}

/** Polls `fn` until it returns a truthy value, or fails after `timeoutMs`. */
export async function eventually(fn, { timeoutMs = 30000, intervalMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) { last = err; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export class PeerchatServer {
  /** `serveArgs`: extra `peerchat serve` flags, e.g. ['--group-creation', 'everyone']. */
  constructor(name, { serveArgs = [] } = {}) {
    this.name = name;
    this.serveArgs = serveArgs;
    this.bin = binary();
    this.child = null;
    this.exited = null;
    this.output = '';  // everything the running server printed (stdout and stderr)
    this.outputWaiters = new Set();
  }

  get url() { return `http://127.0.0.1:${this.port}`; }

  /**
   * Makes the data dir and users, then starts serving. users: [{username, display_name, password, admin}];
   * with none (`init([])`) the server starts with no admin and logs its first-run setup link.
   */
  async init(users) {
    this.dir = await mkdtemp(path.join(os.tmpdir(), `peerchat-e2e-${this.name}-`));
    this.port = await freePort();
    await mkdir(ARTIFACTS, { recursive: true });
    await writeFile(path.join(ARTIFACTS, `${this.name}-server.log`), '');
    for (const u of users) {
      const args = ['admin', 'create-user', '--data-dir', this.dir, '--username', u.username,
        '--display-name', u.display_name, '--password-stdin'];
      if (u.admin) args.push('--admin');
      await run(this.bin, args, `${u.password}\n`);
    }
    await this.start();
    return this;
  }

  async start() {
    const log = createWriteStream(path.join(ARTIFACTS, `${this.name}-server.log`), { flags: 'a' });
    this.child = spawn(this.bin, ['serve', '--listen', `127.0.0.1:${this.port}`, '--data-dir', this.dir,
      '--public-url', this.url, ...this.serveArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout.pipe(log);
    this.child.stderr.pipe(log);
    this.output = '';
    const collect = (d) => {
      this.output += d;
      for (const check of this.outputWaiters) check();
    };
    this.child.stdout.on('data', collect);
    this.child.stderr.on('data', collect);
    const child = this.child;
    this.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    let exitedEarly = null;
    this.exited.then((r) => { exitedEarly = r; });
    await eventually(async () => {
      if (exitedEarly) throw new Error(`server exited: ${JSON.stringify(exitedEarly)} (see artifacts/${this.name}-server.log)`);
      const res = await fetch(`${this.url}/healthz`);
      return res.status === 200;
    }, { timeoutMs: 20000, what: `${this.url}/healthz`, intervalMs: 50 }).catch((err) => {
      if (exitedEarly) throw new Error(`server exited: ${JSON.stringify(exitedEarly)} (see artifacts/${this.name}-server.log)`);
      throw err;
    });
  }

  /**
   * Resolves with the first match of `regex` in what the server has printed since it started,
   * as soon as it appears; fails after `timeoutMs` or if the server exits first.
   */
  waitForOutput(regex, { timeoutMs = 20000 } = {}) {
    return new Promise((resolve, reject) => {
      let timer;
      const done = (fn, value) => {
        this.outputWaiters.delete(check);
        clearTimeout(timer);
        fn(value);
      };
      const check = () => {
        const m = this.output.match(regex);
        if (m) done(resolve, m);
      };
      timer = setTimeout(() => done(reject, new Error(
        `timed out after ${timeoutMs} ms waiting for ${regex} in the server's output (see artifacts/${this.name}-server.log)`)), timeoutMs);
      this.outputWaiters.add(check);
      this.exited?.then((r) => {
        check();
        if (this.outputWaiters.has(check)) done(reject, new Error(`server exited ${JSON.stringify(r)} before printing ${regex}`));
      });
      check();
    });
  }

  /** SIGTERM, and SIGKILL if it has not exited within 10 s. */
  async stop() {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    const r = await this.exited;
    clearTimeout(timer);
    return r;
  }

  async destroy() {
    await this.stop();
    if (this.dir && process.env.KEEP_DATA !== '1') await rm(this.dir, { recursive: true, force: true });
  }

  /** HTTP call to /api/v1; returns {status, body}. */
  async api(method, p, { token, body } = {}) {
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${this.url}/api/v1${p}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = text; }
    return { status: res.status, body: json };
  }

  /** Like api() but throws unless the status is 2xx. */
  async ok(method, p, opts) {
    const r = await this.api(method, p, opts);
    if (r.status < 200 || r.status > 299) throw new Error(`${method} ${p} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async token(username, password) {
    return (await this.ok('POST', '/sessions', { body: { username, password } })).token;
  }
}

/** Lists from the API come wrapped ({groups:[…]}); tolerate a bare array too. */
export function list(body, key) { return Array.isArray(body) ? body : body?.[key] ?? []; }
