// SPDX-License-Identifier: MIT
// The HTTP half of the wire contract (/api/v1): one fetch wrapper and named calls.
//
// The session rides in the HttpOnly cookie the server sets at sign-in, and nowhere else: no
// script on the page can read it. The client keeps only a non-secret hint that it signed in
// (so it can open its cached data offline and skip the login page); the server's 401 decides.
import { noteEpoch } from './epoch.js';

const SIGNED_IN_KEY = 'peerchat.signed_in';
const OLD_TOKEN_KEY = 'peerchat.token';  // where older versions kept the token: removed on load

export class ApiError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message || code);
    this.status = status;
    this.code = code;
    Object.assign(this, extra);
  }
  /** True when the server could not be reached at all (offline, restarting). */
  get offline() { return this.status === 0; }
}

let signedIn = readSignedIn();
let unauthorizedHandler = () => {};

function readSignedIn() {
  try {
    const old = localStorage.getItem(OLD_TOKEN_KEY) !== null;
    localStorage.removeItem(OLD_TOKEN_KEY);
    sessionStorage.removeItem(OLD_TOKEN_KEY);
    return old || localStorage.getItem(SIGNED_IN_KEY) === '1';
  } catch { return false; }
}

/** Whether this browser signed in (a hint: the cookie itself is out of script's reach). */
export function hasSession() { return signedIn; }

/** Records a sign-in (true) or a sign-out / ended session (false). */
export function setSession(on) {
  signedIn = Boolean(on);
  try {
    if (signedIn) localStorage.setItem(SIGNED_IN_KEY, '1');
    else localStorage.removeItem(SIGNED_IN_KEY);
  } catch { /* storage may be disabled; the cookie still carries the session */ }
}

export function onUnauthorized(fn) { unauthorizedHandler = fn; }

const FRIENDLY = {
  network: 'Cannot reach the server. Check your connection.',
  internal: 'Something went wrong on the server.',
};

/**
 * request('POST', '/sessions', body, {auth:false}) → parsed JSON (null for 204).
 * Throws ApiError; a 401 on an authenticated call also tells the app to show the login.
 */
export async function request(method, path, body, { auth = true, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (err) {
    if (err?.name === 'AbortError') throw err;
    throw new ApiError(0, 'network', FRIENDLY.network);
  }
  if (res.status === 204) return null;
  let data = null;
  const text = await res.text().catch(() => '');
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!res.ok) {
    const e = data?.error || {};
    const code = e.code || (res.status === 401 ? 'unauthorized' : res.status >= 500 ? 'internal' : 'bad_request');
    const message = e.message || FRIENDLY[code] || `Request failed (${res.status})`;
    const err = new ApiError(res.status, code, message, { retry_after_ms: e.retry_after_ms });
    if (res.status === 401 && auth) unauthorizedHandler(err);
    throw err;
  }
  return data;
}

const enc = encodeURIComponent;

export const api = {
  login: (username, password) => request('POST', '/sessions', { username, password }, { auth: false }),
  logout: () => request('DELETE', '/sessions/current'),
  me: () => request('GET', '/me'),

  groups: () => request('GET', '/groups').then((r) => { noteEpoch(r?.epoch); return r; }),
  group: (id) => request('GET', `/groups/${enc(id)}`),
  createGroup: (name, topic) => request('POST', '/groups', topic ? { name, topic } : { name }),
  updateGroup: (id, patch) => request('PATCH', `/groups/${enc(id)}`, patch),
  setRole: (id, userId, role) => request('PATCH', `/groups/${enc(id)}/members/${enc(userId)}`, { role }),
  removeMember: (id, userId) => request('DELETE', `/groups/${enc(id)}/members/${enc(userId)}`),

  invites: (id) => request('GET', `/groups/${enc(id)}/invites`),
  createInvite: (id, maxUses, expiresInS) =>
    request('POST', `/groups/${enc(id)}/invites`, { max_uses: maxUses, expires_in_s: expiresInS }),
  revokeInvite: (id, code) => request('DELETE', `/groups/${enc(id)}/invites/${enc(code)}`),
  inviteInfo: (code) => request('GET', `/invites/${enc(code)}`, undefined, { auth: false }),
  acceptInviteAuthed: (code) => request('POST', `/invites/${enc(code)}/accept`, {}),
  acceptInviteNewAccount: (code, username, displayName, password) =>
    request('POST', `/invites/${enc(code)}/accept`,
      { username, display_name: displayName, password }, { auth: false }),

  setupInfo: (code) => request('GET', `/setup/${enc(code)}`, undefined, { auth: false }),
  completeSetup: (code, username, displayName, password) =>
    request('POST', `/setup/${enc(code)}`,
      displayName ? { username, display_name: displayName, password } : { username, password }, { auth: false }),

  messages: (id, { before, limit = 50 } = {}) => {
    const q = new URLSearchParams();
    if (before !== undefined && before !== null) q.set('before', String(before));
    q.set('limit', String(limit));
    return request('GET', `/groups/${enc(id)}/messages?${q}`);
  },
  postMessage: (id, body, clientMsgId, replyTo, attachments, question) =>
    request('POST', `/groups/${enc(id)}/messages`, {
      body, client_msg_id: clientMsgId, ...(replyTo ? { reply_to: replyTo } : {}),
      ...(attachments?.length ? { attachments } : {}), ...(question ? { question: true } : {}),
    }),
  editMessage: (id, seq, body) => request('PATCH', `/groups/${enc(id)}/messages/${enc(seq)}`, { body }),
  deleteMessage: (id, seq) => request('DELETE', `/groups/${enc(id)}/messages/${enc(seq)}`),
  addReaction: (id, seq, emoji) => request('PUT', `/groups/${enc(id)}/messages/${enc(seq)}/reactions/${enc(emoji)}`),
  removeReaction: (id, seq, emoji) => request('DELETE', `/groups/${enc(id)}/messages/${enc(seq)}/reactions/${enc(emoji)}`),
  markRead: (id, seq) => request('POST', `/groups/${enc(id)}/read`, { seq }),
  search: (q, groupId, limit = 30) => {
    const p = new URLSearchParams({ q, limit: String(limit) });
    if (groupId) p.set('group_id', String(groupId));
    return request('GET', `/search?${p}`);
  },
};
