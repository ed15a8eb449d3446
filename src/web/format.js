// SPDX-License-Identifier: MIT
// Formatting of times, names and message text into safe DOM nodes.

import { h } from './dom.js';

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', month: 'long', day: 'numeric' });
const dayYearFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'long', day: 'numeric' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });
const shortDayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

export function formatTime(ts) { return timeFmt.format(new Date(ts)); }
export function formatFull(ts) { return fullFmt.format(new Date(ts)); }

/** Local calendar day of a timestamp, as a sortable key. */
export function dayKey(ts) {
  const d = new Date(ts);
  return d.getFullYear() * 10000 + (d.getMonth() + 1) * 100 + d.getDate();
}

export function formatDay(ts, now = Date.now()) {
  const key = dayKey(ts);
  if (key === dayKey(now)) return 'Today';
  if (key === dayKey(now - 86400000)) return 'Yesterday';
  const d = new Date(ts);
  return d.getFullYear() === new Date(now).getFullYear() ? dayFmt.format(d) : dayYearFmt.format(d);
}

/** Short "when" for lists: a time today, otherwise a date. */
export function formatShort(ts, now = Date.now()) {
  return dayKey(ts) === dayKey(now) ? formatTime(ts) : shortDayFmt.format(new Date(ts));
}

export function formatRelativeFuture(ts, now = Date.now()) {
  const s = Math.round((ts - now) / 1000);
  if (s <= 0) return 'expired';
  if (s < 3600) return `in ${Math.max(1, Math.round(s / 60))} min`;
  if (s < 86400 * 2) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86400)} days`;
}

export function initials(name) {
  const parts = String(name || '?').trim().split(/\s+/u).filter(Boolean);
  const first = parts[0] ? [...parts[0]][0] : '?';
  const second = parts.length > 1 ? [...parts[parts.length - 1]][0] : '';
  return (first + second).toUpperCase();
}

/** A stable hue per id, so a person keeps their avatar colour everywhere. */
export function hueFor(id) {
  // Golden-angle steps keep small ids (the usual case) far apart on the colour wheel.
  return Math.round(((Number(id) || 0) * 137.508 + 210) % 360);
}

export function avatar(id, name, size = 'md') {
  const el = h('span', { class: `avatar avatar-${size}`, 'aria-hidden': 'true' }, initials(name));
  el.style.setProperty('--hue', String(hueFor(id)));
  return el;
}

// http(s) links only; trailing punctuation that usually ends a sentence is left outside.
const LINK_RE = /\bhttps?:\/\/[^\s<>"'`]+/giu;
const MENTION_RE = /(^|[^\p{L}\p{N}_.@-])@([a-z0-9_.-]{3,32})/giu;

function safeUrl(raw) {
  try {
    const u = new URL(raw);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

function trimLink(raw) {
  let url = raw;
  // Drop sentence punctuation, and a closing bracket that has no opening one inside the link.
  for (;;) {
    const last = url.at(-1);
    if ('.,;:!?\'"'.includes(last)) { url = url.slice(0, -1); continue; }
    if (last === ')' && (url.match(/\(/g) || []).length < (url.match(/\)/g) || []).length) {
      url = url.slice(0, -1); continue;
    }
    break;
  }
  return url;
}

/**
 * Message text → fragment of text nodes, <a> for http(s) links, <span class=mention> for
 * @username of a known member. `isMember(name)` answers whether a username is one.
 */
export function richText(text, { isMember = () => false, meUsername = '' } = {}) {
  const frag = document.createDocumentFragment();
  const str = String(text ?? '');
  let pos = 0;
  LINK_RE.lastIndex = 0;
  let m;
  while ((m = LINK_RE.exec(str)) !== null) {
    const raw = trimLink(m[0]);
    const href = safeUrl(raw);
    if (!href) continue;
    if (m.index > pos) frag.append(mentions(str.slice(pos, m.index), isMember, meUsername));
    frag.append(h('a', { href, target: '_blank', rel: 'noopener noreferrer', class: 'link' }, raw));
    pos = m.index + raw.length;
    LINK_RE.lastIndex = pos;
  }
  if (pos < str.length) frag.append(mentions(str.slice(pos), isMember, meUsername));
  return frag;
}

function mentions(text, isMember, meUsername) {
  const frag = document.createDocumentFragment();
  let pos = 0;
  MENTION_RE.lastIndex = 0;
  let m;
  while ((m = MENTION_RE.exec(text)) !== null) {
    const name = m[2].replace(/[.-]+$/u, '');
    const lower = name.toLowerCase();
    if (!isMember(lower)) continue;
    const start = m.index + m[1].length;
    if (start > pos) frag.append(document.createTextNode(text.slice(pos, start)));
    const cls = lower === meUsername.toLowerCase() ? 'mention mention-me' : 'mention';
    frag.append(h('span', { class: cls }, '@' + name));
    pos = start + 1 + name.length;
    MENTION_RE.lastIndex = pos;
  }
  if (pos < text.length) frag.append(document.createTextNode(text.slice(pos)));
  return frag;
}

/** Whether a text @-mentions the given username. */
export function mentionsUser(text, username) {
  if (!text || !username) return false;
  MENTION_RE.lastIndex = 0;
  let m;
  while ((m = MENTION_RE.exec(text)) !== null) {
    if (m[2].replace(/[.-]+$/u, '').toLowerCase() === username.toLowerCase()) return true;
  }
  return false;
}

export const MARK_START = '\u0002';
export const MARK_END = '\u0003';

/** A search snippet with U+0002…U+0003 around matches → text nodes and <mark> elements. */
export function snippetNodes(snippet) {
  const frag = document.createDocumentFragment();
  const str = String(snippet ?? '');
  let inMark = false;
  let buf = '';
  const flush = () => {
    if (!buf) return;
    frag.append(inMark ? h('mark', null, buf) : document.createTextNode(buf));
    buf = '';
  };
  for (const ch of str) {
    if (ch === MARK_START) { flush(); inMark = true; }
    else if (ch === MARK_END) { flush(); inMark = false; }
    else buf += ch;
  }
  flush();
  return frag;
}

/**
 * A UUID version 7 (RFC 9562): the time in milliseconds in its first 48 bits, then random bits.
 * It names a message being sent (its client_msg_id). Ids that grow with time are added at the
 * end of the server's idempotency index, where the page is already in memory; random ones
 * (version 4, used until 2026-11-29) land anywhere in it, and on a large database each send
 * then waited for a page read (docs/performance.md). crypto.getRandomValues works on plain http
 * too, where crypto.randomUUID does not exist.
 */
export function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  let ms = Date.now();
  for (let i = 5; i >= 0; i -= 1) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = (b[6] & 0x0f) | 0x70;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function codePoints(s) { return [...String(s)].length; }

export function plural(n, one, many = one + 's') { return `${n} ${n === 1 ? one : many}`; }
