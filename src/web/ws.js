// SPDX-License-Identifier: MIT
// The WebSocket half of the wire contract: one socket, hello/resume, keep-alive, and a
// reconnect loop with exponential backoff and jitter (capped at 10 s).

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 10000;
const PING_EVERY_MS = 25000;
const PONG_TIMEOUT_MS = 10000;
const HELLO_TIMEOUT_MS = 10000;

export class Gateway {
  /**
   * @param {object} o
   * @param {() => object} o.getResume       {"<group_id>": last_seq, …} to resume from
   * @param {(frame: object) => void} o.onFrame  every server frame after it is parsed
   * @param {(state: string) => void} o.onState  'connecting' | 'online' | 'offline'
   * @param {() => void} o.onUnauthorized    the server closed with 4001
   */
  constructor(o) {
    this.o = o;
    this.ws = null;
    this.state = 'offline';
    this.attempt = 0;
    this.retryTimer = null;
    this.pingTimer = null;
    this.deadTimer = null;
    this.stopped = true;
    this.nextRetryAt = 0;
  }

  get ready() { return this.state === 'online' && this.ws?.readyState === WebSocket.OPEN; }

  start() {
    this.stopped = false;
    if (!this.ws) this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.teardown(1000, 'bye');
    this.setState('offline');
  }

  /** Try right away instead of waiting out the backoff (network came back, tab visible…). */
  reconnectNow() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  /** Sends a frame if the session is ready; returns whether it went out. */
  send(frame) {
    if (!this.ready) return false;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  setState(s) {
    if (this.state === s) return;
    this.state = s;
    this.o.onState(s);
  }

  connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let ws;
    try {
      ws = new WebSocket(`${proto}//${location.host}/api/v1/ws`);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    this.setState('connecting');
    const helloTimer = setTimeout(() => { if (this.ws === ws && this.state !== 'online') ws.close(); },
      HELLO_TIMEOUT_MS);

    ws.onopen = () => {
      // No token in hello: the server takes the session from the cookie of the upgrade request.
      ws.send(JSON.stringify({ type: 'hello', resume: this.o.getResume() }));
    };
    ws.onmessage = (e) => {
      if (this.ws !== ws) return;
      this.alive();
      let frame;
      try { frame = JSON.parse(e.data); } catch { return; }
      if (!frame || typeof frame !== 'object') return;
      if (frame.type === 'ready') {
        clearTimeout(helloTimer);
        this.attempt = 0;
        this.setState('online');
        this.startPing();
      }
      if (frame.type === 'pong') return;
      this.o.onFrame(frame);
    };
    ws.onclose = (e) => {
      clearTimeout(helloTimer);
      if (this.ws !== ws) return;
      this.teardown();
      if (e.code === 4001) {
        this.stopped = true;
        this.setState('offline');
        this.o.onUnauthorized();
        return;
      }
      this.setState('offline');
      this.scheduleRetry();
    };
    ws.onerror = () => { /* onclose follows and handles it */ };
  }

  teardown(code, reason) {
    clearInterval(this.pingTimer);
    clearTimeout(this.deadTimer);
    this.pingTimer = null;
    this.deadTimer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try { if (ws.readyState <= WebSocket.OPEN) ws.close(code || 1000, reason); } catch { /* already closing */ }
    }
  }

  scheduleRetry() {
    if (this.stopped) return;
    const exp = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** this.attempt);
    const delay = Math.round(exp / 2 + Math.random() * exp / 2); // "equal jitter"
    this.attempt = Math.min(this.attempt + 1, 10);
    this.nextRetryAt = Date.now() + delay;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => { this.retryTimer = null; this.connect(); }, delay);
  }

  // A socket can die silently (sleeping laptop, NAT timeout): ping, and give up on it when
  // nothing at all comes back within PONG_TIMEOUT_MS.
  startPing() {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (!this.send({ type: 'ping' })) return;
      clearTimeout(this.deadTimer);
      this.deadTimer = setTimeout(() => {
        this.teardown(4000, 'ping timeout');
        this.setState('offline');
        this.scheduleRetry();
      }, PONG_TIMEOUT_MS);
    }, PING_EVERY_MS);
  }

  alive() {
    clearTimeout(this.deadTimer);
    this.deadTimer = null;
  }
}
